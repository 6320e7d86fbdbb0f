import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { SettingsError } from '../config/settings';
import { KeyVaultKeyProvider } from './keyvault';
import { LocalKeyProvider } from './local';
import type { KeyProvider, WrappedKeyStore } from './types';

export interface KeyProviderCollaborators {
  /** Where Key Vault mode keeps wrapped HMAC keys (required with KEY_PROVIDER=keyvault). */
  wrappedKeyStore?: WrappedKeyStore;
  /** Defaults to DefaultAzureCredential (the app's managed identity in Azure). */
  credential?: TokenCredential;
}

/**
 * The key provider the app settings ask for:
 *   KEY_PROVIDER      local (default) | keyvault
 *   KEYS_DIRECTORY    local: the key folder (default .data/keys)
 *   KEY_VAULT_URL     keyvault: the vault, e.g. https://myvault.vault.azure.net
 *   SIGNING_KEY_NAME  keyvault: EC P-256 checkpoint key (default audit-signing)
 *   WRAPPING_KEY_NAME keyvault: RSA wrapping key (default audit-wrapping)
 * Nothing is contacted here; keys are read (or, locally, created) on first use.
 */
export function keyProviderFromSettings(
  env: NodeJS.ProcessEnv,
  collaborators: KeyProviderCollaborators = {},
): KeyProvider {
  const kind = setting(env, 'KEY_PROVIDER') ?? 'local';
  if (kind === 'local') return new LocalKeyProvider(setting(env, 'KEYS_DIRECTORY') ?? '.data/keys');
  if (kind !== 'keyvault') {
    throw new SettingsError('KEY_PROVIDER', `must be "local" or "keyvault", got "${kind}"`);
  }
  const vaultUrl = setting(env, 'KEY_VAULT_URL');
  if (vaultUrl === undefined) {
    throw new SettingsError('KEY_VAULT_URL', 'is required with KEY_PROVIDER=keyvault');
  }
  if (!/^https:\/\//.test(vaultUrl)) {
    throw new SettingsError('KEY_VAULT_URL', `must be an https URL, got "${vaultUrl}"`);
  }
  if (collaborators.wrappedKeyStore === undefined) {
    throw new SettingsError(
      'KEY_PROVIDER',
      'keyvault needs a wrapped key store for its HMAC keys; pass wrappedKeyStore',
    );
  }
  return new KeyVaultKeyProvider({
    vaultUrl,
    credential: collaborators.credential ?? new DefaultAzureCredential(),
    signingKeyName: setting(env, 'SIGNING_KEY_NAME') ?? 'audit-signing',
    wrappingKeyName: setting(env, 'WRAPPING_KEY_NAME') ?? 'audit-wrapping',
    wrappedKeyStore: collaborators.wrappedKeyStore,
  });
}

function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
