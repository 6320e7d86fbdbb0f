import path from 'node:path';
import { adminKeyFile, readAdminKey } from '../host/admin-key';
import { DEFAULT_DATA_DIR, DEFAULT_PORT } from '../host/defaults';
import { effectiveSettings, settingValue } from '../host/local-settings';
import { CliError, EXIT } from './errors';
import type { CliIo } from './io';

export const DEFAULT_URL = `http://localhost:${DEFAULT_PORT}`;

/** Options every command that talks to a running audit log accepts. */
export interface ConnectionOptions {
  url?: string;
  key?: string;
  data?: string;
}

export interface Connection {
  /** Base URL without a trailing slash; routes are under `${url}/api/`. */
  url: string;
  key: string | undefined;
  /** Where the key came from, for error messages. */
  keySource: string;
}

/**
 * Where the audit log is and which key to use: `--url`/`--key`, else the AUDIT_URL / AUDIT_API_KEY
 * settings (environment, then local.settings.json), else the local host's defaults: http://localhost:7071
 * and the admin key the local host stored in the data folder (`--data`, default ./.data).
 */
export async function resolveConnection(
  options: ConnectionOptions,
  io: CliIo,
): Promise<Connection> {
  const settings = effectiveSettings(io.env, io.cwd);
  const rawUrl = options.url ?? settingValue(settings, 'AUDIT_URL') ?? DEFAULT_URL;
  let parsed: URL;
  try {
    parsed = new URL(rawUrl);
  } catch {
    throw new CliError(
      `--url "${rawUrl}" is not a URL`,
      EXIT.usage,
      'pass e.g. --url http://localhost:7071',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`--url "${rawUrl}" must be an http or https URL`, EXIT.usage);
  }
  const url = parsed
    .toString()
    .replace(/\/+$/, '')
    .replace(/\/api$/, '');
  if (options.key !== undefined && options.key !== '')
    return { url, key: options.key, keySource: '--key' };
  const fromSettings = settingValue(settings, 'AUDIT_API_KEY');
  if (fromSettings !== undefined)
    return { url, key: fromSettings, keySource: 'the AUDIT_API_KEY setting' };
  const dataDir = path.resolve(io.cwd, options.data ?? DEFAULT_DATA_DIR);
  try {
    const stored = await readAdminKey(dataDir);
    return stored === undefined
      ? { url, key: undefined, keySource: 'nowhere' }
      : { url, key: stored, keySource: adminKeyFile(dataDir) };
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}
