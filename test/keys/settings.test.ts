import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { KeyVaultKeyProvider } from '../../src/keys/keyvault';
import { LocalKeyProvider } from '../../src/keys/local';
import { keyProviderFromSettings } from '../../src/keys/settings';
import { MemoryWrappedKeyStore } from './support/memory-wrapped-key-store';

const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 'unused', expiresOnTimestamp: 0 }),
};

describe('keyProviderFromSettings', () => {
  it('defaults to local keys', () => {
    expect(keyProviderFromSettings({})).toBeInstanceOf(LocalKeyProvider);
  });

  it('keeps local keys in KEYS_DIRECTORY', async () => {
    const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'settings-keys-'));
    try {
      const keys = keyProviderFromSettings({ KEY_PROVIDER: 'local', KEYS_DIRECTORY: directory });
      await keys.signer();
      expect(await fs.readdir(path.join(directory, 'signing'))).toEqual(['0001.pem']);
    } finally {
      await fs.rm(directory, { recursive: true, force: true });
    }
  });

  it('builds a Key Vault provider from the vault settings', () => {
    const keys = keyProviderFromSettings(
      { KEY_PROVIDER: 'keyvault', KEY_VAULT_URL: 'https://audit-weu.vault.azure.net' },
      { wrappedKeyStore: new MemoryWrappedKeyStore(), credential },
    );
    expect(keys).toBeInstanceOf(KeyVaultKeyProvider);
  });

  it.each([
    [{ KEY_PROVIDER: 'hsm' }, 'KEY_PROVIDER: must be "local" or "keyvault", got "hsm"'],
    [{ KEY_PROVIDER: 'keyvault' }, 'KEY_VAULT_URL: is required with KEY_PROVIDER=keyvault'],
    [
      { KEY_PROVIDER: 'keyvault', KEY_VAULT_URL: 'http://audit.vault.azure.net' },
      'KEY_VAULT_URL: must be an https URL, got "http://audit.vault.azure.net"',
    ],
    [
      { KEY_PROVIDER: 'keyvault', KEY_VAULT_URL: 'https://audit.vault.azure.net' },
      'KEY_PROVIDER: keyvault needs a wrapped key store for its HMAC keys; pass wrappedKeyStore',
    ],
  ])('rejects %j', (env, message) => {
    expect(() => keyProviderFromSettings(env, { credential })).toThrow(new Error(message));
  });
});
