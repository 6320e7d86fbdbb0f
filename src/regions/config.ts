import { storageTargetFromSettings, type StorageTarget } from '../config/settings';
import { InvalidRegionError, logIdentity } from '../seal/layout';
import { parseStorageConnectionString } from '../store/clients';

/**
 * The regions of a deployment, as a reader of all of them (the federated query, a verifier) is told
 * about them: the `AUDIT_REGIONS` setting or a file with the same JSON, primary first:
 *
 *   [{ "name": "westeurope", "storage": "<connection string>", "url": "https://…" },
 *    { "name": "northeurope", "storage": { "blobServiceUri": "…", "tableServiceUri": "…" } }]
 *
 * `name` is the region's AUDIT_REGION: the name its records carry in `log.region` and its
 * checkpoints carry in their origin, so a region's data can be checked against its entry.
 */
export interface RegionConfig {
  readonly name: string;
  readonly storage: StorageTarget;
  /** Base URL of the region's HTTP API (e.g. to fetch its key set from GET /api/keys). */
  readonly url?: string;
}

export const REGIONS_SETTING = 'AUDIT_REGIONS';

const ENTRY_KEYS = ['name', 'storage', 'url'];
const IDENTITY_KEYS = ['blobServiceUri', 'tableServiceUri'];

/** A region list that cannot be used; the message names where it came from, the entry and the field. */
export class RegionConfigError extends Error {
  override readonly name = 'RegionConfigError';
  constructor(
    /** The setting name or the file the list came from. */
    readonly source: string,
    /** 1-based position of the bad entry, when one entry is at fault. */
    readonly entry: number | undefined,
    /** That entry's name, when it has a usable one. */
    readonly regionName: string | undefined,
    readonly reason: string,
  ) {
    super(`${source}: ${entryLabel(entry, regionName)}${reason}`);
  }
}

function entryLabel(entry: number | undefined, name: string | undefined): string {
  if (entry === undefined) return '';
  return name === undefined ? `entry ${entry}: ` : `entry ${entry} (${JSON.stringify(name)}): `;
}

/**
 * Parses a region list. Precondition: none. Every entry is checked before any is returned; the first
 * problem is thrown as a RegionConfigError naming `source`, the entry and what was wrong.
 */
export function parseRegions(text: string, source: string): RegionConfig[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RegionConfigError(
      source,
      undefined,
      undefined,
      `is not JSON (${(error as Error).message}); expected a list of { name, storage, url? }, primary first`,
    );
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new RegionConfigError(
      source,
      undefined,
      undefined,
      'must be a non-empty JSON list of { name, storage, url? }, primary first',
    );
  }
  const regions = value.map((entry: unknown, i) => parseEntry(entry, i + 1, source));
  const names = new Map<string, number>();
  const accounts = new Map<string, number>();
  regions.forEach((region, i) => {
    const seen = names.get(region.name);
    if (seen !== undefined) {
      throw new RegionConfigError(
        source,
        i + 1,
        region.name,
        `name: already used by entry ${seen}`,
      );
    }
    names.set(region.name, i + 1);
    const account = accountOf(region.storage);
    const sameAccount = accounts.get(account);
    if (sameAccount !== undefined) {
      throw new RegionConfigError(
        source,
        i + 1,
        region.name,
        `storage: the same account as entry ${sameAccount} (${account}); every region has its own`,
      );
    }
    accounts.set(account, i + 1);
  });
  return regions;
}

/** The regions named by the AUDIT_REGIONS setting, or undefined when it is not set. */
export function regionsFromSettings(env: NodeJS.ProcessEnv): RegionConfig[] | undefined {
  const text = env[REGIONS_SETTING]?.trim();
  return text === undefined || text === '' ? undefined : parseRegions(text, REGIONS_SETTING);
}

function parseEntry(entry: unknown, position: number, source: string): RegionConfig {
  const fail = (reason: string, name?: string): RegionConfigError =>
    new RegionConfigError(source, position, name, reason);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw fail('must be an object { name, storage, url? }');
  const fields = entry as Record<string, unknown>;
  const rawName = fields.name;
  if (typeof rawName !== 'string' || rawName.trim() === '')
    throw fail('name: must be a non-empty string (the AUDIT_REGION of that region)');
  const name = rawName.trim();
  try {
    logIdentity(name);
  } catch (error) {
    if (error instanceof InvalidRegionError) throw fail(`name: ${error.message}`, name);
    throw error;
  }
  const unknown = Object.keys(fields).filter((key) => !ENTRY_KEYS.includes(key));
  if (unknown.length > 0)
    throw fail(`unknown field ${JSON.stringify(unknown[0])} (expected name, storage, url)`, name);
  const storage = parseStorage(fields.storage, (reason) => fail(`storage${reason}`, name));
  if (fields.url === undefined) return { name, storage };
  if (typeof fields.url !== 'string' || !isHttpUrl(fields.url))
    throw fail(`url: must be an http(s) URL, got ${JSON.stringify(fields.url)}`, name);
  return { name, storage, url: fields.url.replace(/\/+$/, '') };
}

function parseStorage(value: unknown, fail: (reason: string) => Error): StorageTarget {
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^UseDevelopmentStorage=true/i.test(text)) {
      return storageTargetFromSettings({ AUDIT_STORAGE: text });
    }
    try {
      parseStorageConnectionString(text);
    } catch (error) {
      throw fail(`: ${(error as Error).message}`);
    }
    return { kind: 'connectionString', connectionString: text };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const fields = value as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((key) => !IDENTITY_KEYS.includes(key));
    if (unknown.length > 0)
      throw fail(
        `: unknown field ${JSON.stringify(unknown[0])} (expected blobServiceUri, tableServiceUri)`,
      );
    for (const key of IDENTITY_KEYS) {
      const uri = fields[key];
      if (typeof uri !== 'string' || !isHttpUrl(uri))
        throw fail(`.${key}: must be an http(s) URL, got ${JSON.stringify(uri)}`);
    }
    return {
      kind: 'identity',
      blobServiceUri: fields.blobServiceUri as string,
      tableServiceUri: fields.tableServiceUri as string,
    };
  }
  throw fail(
    ': must be a connection string or { blobServiceUri, tableServiceUri } (identity-based access)',
  );
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The table endpoint identifies the account (Azurite instances differ by port). */
function accountOf(storage: StorageTarget): string {
  const endpoint =
    storage.kind === 'connectionString'
      ? parseStorageConnectionString(storage.connectionString).tableEndpoint
      : storage.tableServiceUri;
  return endpoint.replace(/\/+$/, '').toLowerCase();
}
