import {
  createAuditRuntime,
  wrappedKeyStoreFor,
  type AuditRuntime,
} from '../src/runtime/audit-runtime';
import { keyProviderFromSettings } from '../src/keys';
import { parseApiKeys } from '../src/auth/api-keys';
import { SettingsError, storageTargetFromSettings } from '../src/config/settings';
import { createStorageClients } from '../src/store/clients';
import { eventHubsSinkFromSettings } from '../src/sink/eventhubs-sink';

let runtime: Promise<AuditRuntime> | undefined;

/**
 * The process-wide runtime, built from the app settings on first use and shared by every invocation.
 * A failed build is not cached, so a transient failure at start (storage unreachable) is retried by the
 * next invocation rather than poisoning the process.
 */
export function getRuntime(): Promise<AuditRuntime> {
  if (runtime === undefined) {
    runtime = buildFromSettings().catch((error: unknown) => {
      runtime = undefined;
      throw error;
    });
  }
  return runtime;
}

/** Installs a runtime built elsewhere (the local host, tests). */
export function setRuntime(value: AuditRuntime | Promise<AuditRuntime>): void {
  runtime = Promise.resolve(value);
}

async function buildFromSettings(): Promise<AuditRuntime> {
  const env = process.env;
  // Key Vault mode keeps its wrapped HMAC keys in storage, which the keys are needed to reach first.
  const wrappedKeyStore = await wrappedKeyStoreFor(
    createStorageClients(storageTargetFromSettings(env)),
  );
  const keys = keyProviderFromSettings(env, { wrappedKeyStore });
  const apiKeys = env.AUDIT_API_KEYS?.trim();
  if (!apiKeys)
    throw new SettingsError(
      'AUDIT_API_KEYS',
      'is not set: map each API key to the tenants it may use',
    );
  const sink = eventHubsSinkFromSettings(env);
  if (sink === undefined) {
    throw new SettingsError(
      'EVENTHUB_CONNECTION',
      'is not set (nor EVENTHUB_CONNECTION__fullyQualifiedNamespace)',
    );
  }
  return createAuditRuntime(env, {
    redactionKey: await keys.hmacKey('redaction'),
    tokenKey: await keys.hmacKey('continuation'),
    keyring: parseApiKeys(apiKeys),
    sink,
    keys,
  });
}
