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
import { BlobWrappedKeyStore, keyProviderFromSettings } from '../keys';
import type { KeyProvider, WrappedKeyStore } from '../keys/types';
import { createIntegrityServices, ensureIntegrityStorage, type IntegrityServices } from '../seal';

/** Everything the functions need, built once per process from the app settings. */
export interface AuditRuntime {
  readonly clients: StorageClients;
  readonly ingest: IngestDependencies;
  readonly api: ApiDependencies;
  /** The signed log: tiles, checkpoints, the key provider that signs them and publishes the key set. */
  readonly integrity: IntegrityServices;
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
  /**
   * Signs checkpoints and publishes the key set. Default: keyProviderFromSettings, keeping Key Vault
   * mode's wrapped HMAC keys in the checkpoints container.
   */
  keys?: KeyProvider;
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
  const keys =
    options.keys ??
    keyProviderFromSettings(env, { wrappedKeyStore: await wrappedKeyStoreFor(clients) });
  const integrity = createIntegrityServices(clients, keys, { region });
  await ensureIntegrityStorage(integrity.stores);
  const ingest: IngestDependencies = {
    clients,
    clock,
    redact: createRedactor(redactionPolicyFromSettings(env), options.redactionKey),
    knownTenants: new Set(),
    retention: retentionFromPolicy(shippedRetentionPolicy()),
    appendLeaves: integrity.appendLeaves,
    ...(region === '' ? {} : { region }),
  };
  return {
    clients,
    clock,
    ingest,
    integrity,
    api: {
      keyring: options.keyring,
      clients,
      sink: options.sink,
      tokenKey: options.tokenKey,
      clock,
      ingestTimeoutMs: options.ingestTimeoutMs ?? 30_000,
      ...(options.inFlight ? { inFlight: options.inFlight } : {}),
      integrity,
    },
  };
}

/**
 * Where Key Vault mode keeps its wrapped HMAC keys: beside the checkpoints, written once. Creates the
 * container, since the keys are read before the rest of the storage is ensured.
 */
export async function wrappedKeyStoreFor(clients: StorageClients): Promise<WrappedKeyStore> {
  await clients.containers.checkpoints.createIfNotExists();
  return new BlobWrappedKeyStore(clients.containers.checkpoints);
}
