/**
 * App settings, named as Azure Functions names them. Parsed once, at start, failing fast with the name of
 * the setting that is missing or wrong. local.settings.sample.json lists every setting with its Azurite default.
 */

export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'SettingsError';
  }
}

/** Where audit data lives: a connection string, or service URIs used with a managed identity. */
export type StorageTarget =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; blobServiceUri: string; tableServiceUri: string };

export interface StorageSettings {
  storage: StorageTarget;
}

const DEVELOPMENT_STORAGE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
  'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
  'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;' +
  'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1';

/**
 * `AUDIT_STORAGE` names the account that holds the audit data; it falls back to `AzureWebJobsStorage`.
 * Either may be a connection string, `UseDevelopmentStorage=true` (Azurite on its default ports), or absent
 * with `<NAME>__blobServiceUri` and `<NAME>__tableServiceUri` set for identity-based access.
 */
export function storageTargetFromSettings(env: NodeJS.ProcessEnv): StorageTarget {
  for (const name of ['AUDIT_STORAGE', 'AzureWebJobsStorage']) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') {
      if (/^UseDevelopmentStorage=true/i.test(value)) {
        return { kind: 'connectionString', connectionString: DEVELOPMENT_STORAGE };
      }
      if (!/AccountName=|BlobEndpoint=|SharedAccessSignature=/i.test(value)) {
        throw new SettingsError(
          name,
          'is not a storage connection string (expected AccountName=… or UseDevelopmentStorage=true)',
        );
      }
      return { kind: 'connectionString', connectionString: value };
    }
    const blobServiceUri = env[`${name}__blobServiceUri`]?.trim();
    const tableServiceUri = env[`${name}__tableServiceUri`]?.trim();
    if (blobServiceUri || tableServiceUri) {
      if (!blobServiceUri)
        throw new SettingsError(
          `${name}__blobServiceUri`,
          'is required with identity-based storage',
        );
      if (!tableServiceUri)
        throw new SettingsError(
          `${name}__tableServiceUri`,
          'is required with identity-based storage',
        );
      return { kind: 'identity', blobServiceUri, tableServiceUri };
    }
  }
  throw new SettingsError(
    'AUDIT_STORAGE',
    'is not set (nor AzureWebJobsStorage): set a storage connection string, UseDevelopmentStorage=true, ' +
      'or AUDIT_STORAGE__blobServiceUri and AUDIT_STORAGE__tableServiceUri',
  );
}

export function optionalSetting(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? fallback : value;
}

export function positiveIntegerSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SettingsError(name, `must be a positive integer, got "${raw}"`);
  }
  return value;
}
