import { createAuditRuntime, type AuditRuntime } from '../src/runtime/audit-runtime';
import { keyProviderFromSettings } from '../src/keys';

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
  const keys = keyProviderFromSettings(process.env);
  return createAuditRuntime(process.env, { redactionKey: await keys.hmacKey('redaction') });
}
