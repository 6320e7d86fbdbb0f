import { storageTargetFromSettings, optionalSetting } from '../config/settings';
import { createStorageClients, ensureStorage, type StorageClientOptions, type StorageClients } from '../store/clients';
import type { IngestDependencies } from '../pipeline/ingest';
import { createRedactor, redactionPolicyFromSettings } from '../redact';

/** Everything the functions need, built once per process from the app settings. */
export interface AuditRuntime {
  readonly clients: StorageClients;
  readonly ingest: IngestDependencies;
  readonly clock: () => Date;
}

export interface RuntimeOptions extends StorageClientOptions {
  clock?: () => Date;
  /** The HMAC key for redaction; resolved by the caller from its key provider. */
  redactionKey: Uint8Array;
}

/** Builds the runtime and makes sure every table and container exists. */
export async function createAuditRuntime(env: NodeJS.ProcessEnv, options: RuntimeOptions): Promise<AuditRuntime> {
  const clients = createStorageClients(storageTargetFromSettings(env), options);
  await ensureStorage(clients);
  const clock = options.clock ?? (() => new Date());
  const region = optionalSetting(env, 'AUDIT_REGION', '');
  return {
    clients,
    clock,
    ingest: {
      clients,
      clock,
      redact: createRedactor(redactionPolicyFromSettings(env), options.redactionKey),
      ...(region === '' ? {} : { region }),
    },
  };
}
