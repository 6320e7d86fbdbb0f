import { createHash, timingSafeEqual } from 'node:crypto';
import { SettingsError } from '../config/settings';
import { TENANT_ID_PATTERN } from '../schema/parse';

/** Which tenants a key may read and write. */
export type TenantGrant =
  { readonly all: true } | { readonly all: false; readonly tenants: ReadonlySet<string> };

export interface ApiKeyring {
  /** The grant of a key, or undefined when the key is unknown. Comparison does not leak timing. */
  grantFor(key: string): TenantGrant | undefined;
  readonly size: number;
}

/** Tenants a grant may use, restricted to `requested` when given; `undefined` means every tenant. */
export function permittedTenants(
  grant: TenantGrant,
  requested?: readonly string[],
): readonly string[] | undefined {
  if (grant.all) return requested;
  if (requested === undefined) return [...grant.tenants].sort();
  return requested.filter((tenant) => grant.tenants.has(tenant));
}

export function mayUseTenant(grant: TenantGrant, tenant: string): boolean {
  return grant.all || grant.tenants.has(tenant);
}

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * Parses the `AUDIT_API_KEYS` setting: a JSON object mapping each key to the list of tenant ids it may read
 * and write, `"*"` for all. Errors name the setting and the bad entry.
 */
export function parseApiKeys(json: string, setting = 'AUDIT_API_KEYS'): ApiKeyring {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new SettingsError(setting, `is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SettingsError(
      setting,
      'must be a JSON object mapping each key to a list of tenant ids or "*"',
    );
  }
  const entries: { hash: Buffer; grant: TenantGrant }[] = [];
  for (const [key, tenants] of Object.entries(value as Record<string, unknown>)) {
    const label = `key ${key.slice(0, 4)}…`;
    if (key.length < 16) throw new SettingsError(setting, `${label} is shorter than 16 characters`);
    if (tenants === '*' || (Array.isArray(tenants) && tenants.includes('*'))) {
      entries.push({ hash: digest(key), grant: { all: true } });
      continue;
    }
    if (
      !Array.isArray(tenants) ||
      tenants.some((t) => typeof t !== 'string' || !TENANT_ID_PATTERN.test(t))
    ) {
      throw new SettingsError(
        setting,
        `${label} must map to a list of tenant ids (e.g. ["acme"]) or "*"`,
      );
    }
    entries.push({
      hash: digest(key),
      grant: { all: false, tenants: new Set(tenants as string[]) },
    });
  }
  return {
    size: entries.length,
    grantFor(key: string): TenantGrant | undefined {
      const hash = digest(key);
      let found: TenantGrant | undefined;
      for (const entry of entries) if (timingSafeEqual(entry.hash, hash)) found = entry.grant;
      return found;
    },
  };
}
