import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The file Azure Functions Core Tools reads app settings from when an app runs locally. */
export const LOCAL_SETTINGS_FILE = 'local.settings.json';

export class LocalSettingsError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'LocalSettingsError';
  }
}

/**
 * The `Values` of `local.settings.json` in `directory`, or an empty object when there is no such file.
 * Values are strings as in Azure app settings; numbers and booleans are accepted and turned into text.
 * @throws LocalSettingsError when the file is not JSON or a value is an object, array or null.
 */
export function readLocalSettings(directory: string = process.cwd()): Record<string, string> {
  const file = path.resolve(directory, LOCAL_SETTINGS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new LocalSettingsError(file, `cannot be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LocalSettingsError(file, `is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new LocalSettingsError(file, 'must be a JSON object with a "Values" object');
  }
  const values = (parsed as { Values?: unknown }).Values;
  if (values === undefined) return {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new LocalSettingsError(
      file,
      '"Values" must be an object mapping setting names to strings',
    );
  }
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    if (typeof value === 'string') settings[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean')
      settings[name] = String(value);
    else {
      throw new LocalSettingsError(
        file,
        `Values.${name} must be a string; write JSON settings (such as AUDIT_API_KEYS) as a JSON string`,
      );
    }
  }
  return settings;
}

/**
 * The settings an app sees locally: `local.settings.json` values under the environment. As with Core
 * Tools, a variable already set in the environment wins over the file, so a shell can override one setting.
 */
export function effectiveSettings(
  env: NodeJS.ProcessEnv,
  directory: string = process.cwd(),
): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...readLocalSettings(directory) };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') merged[name] = value;
  }
  return merged;
}

/** A setting's value, or undefined when it is absent or blank. */
export function settingValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
