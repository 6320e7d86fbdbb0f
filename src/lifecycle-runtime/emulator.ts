/**
 * Whether the audit data lives in the storage emulator (Azurite). Azure applies the lifecycle
 * management policy itself; Azurite runs none, so there the lifecycle timer evaluates the same
 * policy and performs its actions.
 */

/** Azurite's well-known development account: the account every emulator endpoint serves. */
export const EMULATOR_ACCOUNT = 'devstoreaccount1';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1', 'host.docker.internal']);

/**
 * True for a Blob service URL of the emulator: a loopback host, or a path-style URL naming the
 * development account (`http://azurite:10000/devstoreaccount1`, as in a container network).
 * Azure's endpoints are `https://<account>.blob.core.windows.net`, never path-style.
 */
export function isEmulatorEndpoint(blobServiceUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(blobServiceUrl);
  } catch {
    return false;
  }
  if (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.')) return true;
  // Azure's own endpoints name the account in the host; a first path segment there is a container.
  if (url.hostname.includes('.blob.')) return false;
  return url.pathname.split('/')[1] === EMULATOR_ACCOUNT;
}

/**
 * True for a storage connection string that points at the emulator: `UseDevelopmentStorage=true`,
 * the development account, or a Blob endpoint on a loopback host.
 */
export function isEmulatorConnectionString(connectionString: string): boolean {
  const parts = new Map<string, string>();
  for (const pair of connectionString.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) parts.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') return true;
  if (parts.get('accountname') === EMULATOR_ACCOUNT) return true;
  const blobEndpoint = parts.get('blobendpoint');
  return blobEndpoint !== undefined && isEmulatorEndpoint(blobEndpoint);
}
