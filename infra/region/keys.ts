/**
 * The region's Key Vault and its two keys. Each region signs its own log with its own keys, so a
 * verifier checks a region's checkpoints against that region's keys only.
 */
import * as pulumi from '@pulumi/pulumi';
import * as keyvault from '@pulumi/azure-native/keyvault';
import type { RegionContext } from './context';

export const SIGNING_KEY_NAME = 'audit-signing';
export const WRAPPING_KEY_NAME = 'audit-wrapping';

/**
 * Signing key versions rotate every 90 days and expire after a year. Checkpoints carry the versioned key
 * id, and an expired version's public key can still be read, so older checkpoints stay verifiable.
 */
const SIGNING_KEY_PROPERTIES: keyvault.KeyArgs['properties'] = {
  kty: 'EC',
  curveName: 'P-256',
  keyOps: ['sign', 'verify'],
  rotationPolicy: {
    attributes: { expiryTime: 'P1Y' },
    lifetimeActions: [
      { trigger: { timeAfterCreate: 'P90D' }, action: { type: 'rotate' } },
      { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'notify' } },
    ],
  },
};

/**
 * The wrapping key protects data keys (RSA-OAEP-256). Rotated yearly; old versions stay enabled so data
 * keys wrapped under them can still be unwrapped.
 */
const WRAPPING_KEY_PROPERTIES: keyvault.KeyArgs['properties'] = {
  kty: 'RSA',
  keySize: 3072,
  keyOps: ['wrapKey', 'unwrapKey'],
  rotationPolicy: {
    attributes: { expiryTime: 'P2Y' },
    lifetimeActions: [
      { trigger: { timeAfterCreate: 'P1Y' }, action: { type: 'rotate' } },
      { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'notify' } },
    ],
  },
};

export interface RegionKeys {
  readonly vault: keyvault.Vault;
  readonly vaultUri: pulumi.Output<string>;
}

export function createKeys(region: RegionContext, tenantId: pulumi.Input<string>): RegionKeys {
  const { code, location, names, resourceGroupName, opts } = region;
  const vault = new keyvault.Vault(
    `${code}-vault`,
    {
      vaultName: names.keyVault,
      resourceGroupName,
      location,
      properties: {
        tenantId,
        sku: { family: 'A', name: 'standard' },
        // Access through Azure RBAC only (no access policies): grants are role assignments on this vault.
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        // Irreversible by design: a deleted key cannot be purged before its retention ends.
        enablePurgeProtection: true,
      },
    },
    opts,
  );
  const keyRef = { vaultName: vault.name, resourceGroupName };
  new keyvault.Key(
    `${code}-key-signing`,
    { ...keyRef, keyName: SIGNING_KEY_NAME, properties: SIGNING_KEY_PROPERTIES },
    opts,
  );
  new keyvault.Key(
    `${code}-key-wrapping`,
    { ...keyRef, keyName: WRAPPING_KEY_NAME, properties: WRAPPING_KEY_PROPERTIES },
    opts,
  );
  return { vault, vaultUri: vault.properties.vaultUri };
}
