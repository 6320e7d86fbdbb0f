import { storageTargetFromSettings, optionalSetting } from '../config/settings';
import {
  createStorageClients,
  ensureStorage,
  type StorageClientOptions,
  type StorageClients,
} from '../store/clients';
import type { IngestDependencies } from '../pipeline/ingest';
import { createRedactor, redactionPolicyFromSettings } from '../redact';
import type { ApiDependencies } from '../http/dependencies';
import type { ApiKeyring } from '../auth/api-keys';
import type { EventSink } from '../sink/types';
import { retentionFromPolicy } from '../retention';
import { shippedRetentionPolicy } from '../../lifecycle';

/** Everything the functions need, built once per process from the app settings. */
export interface AuditRuntime {
  readonly clients: StorageClients;
  readonly ingest: IngestDependencies;
  readonly api: ApiDependencies;
  readonly clock: () => Date;
}

export interface RuntimeOptions extends StorageClientOptions {
  clock?: () => Date;
  /** The HMAC key for redaction; resolved by the caller from its key provider. */
  redactionKey: Uint8Array;
  /** The HMAC key that signs continuation tokens. */
  tokenKey: Uint8Array;
  keyring: ApiKeyring;
  /** Where POST /api/events puts events: Event Hubs in Azure, the local hub on the local host. */
  sink: EventSink;
  inFlight?: () => number;
  ingestTimeoutMs?: number;
}

/** Builds the runtime and makes sure every table and container exists. */
export async function createAuditRuntime(
  env: NodeJS.ProcessEnv,
  options: RuntimeOptions,
): Promise<AuditRuntime> {
  const clients = createStorageClients(storageTargetFromSettings(env), options);
  await ensureStorage(clients);
  const clock = options.clock ?? (() => new Date());
  const region = optionalSetting(env, 'AUDIT_REGION', '');
  const ingest: IngestDependencies = {
    clients,
    clock,
    redact: createRedactor(redactionPolicyFromSettings(env), options.redactionKey),
    knownTenants: new Set(),
    retention: retentionFromPolicy(shippedRetentionPolicy()),
    ...(region === '' ? {} : { region }),
  };
  return {
    clients,
    clock,
    ingest,
    api: {
      keyring: options.keyring,
      clients,
      sink: options.sink,
      tokenKey: options.tokenKey,
      clock,
      ingestTimeoutMs: options.ingestTimeoutMs ?? 30_000,
      ...(options.inFlight ? { inFlight: options.inFlight } : {}),
    },
  };
}
