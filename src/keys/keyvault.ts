import { createHash } from 'node:crypto';
import { isRestError } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import {
  CryptographyClient,
  KeyClient,
  type KeyClientOptions,
  type KeyVaultKey,
} from '@azure/keyvault-keys';
import { EnvelopeHmacKeys } from './envelope';
import { MissingVaultKeyError, UnexpectedKeyTypeError, UnknownWrappingKeyError } from './errors';
import type {
  EcPublicJwk,
  JsonWebKeySet,
  KeyProvider,
  Signer,
  WrappedKey,
  WrappedKeyStore,
} from './types';

export interface KeyVaultKeyProviderOptions {
  /** e.g. https://myvault.vault.azure.net */
  vaultUrl: string;
  credential: TokenCredential;
  /** EC P-256 key that signs checkpoints. */
  signingKeyName: string;
  /** RSA key that wraps data keys with RSA-OAEP-256. */
  wrappingKeyName: string;
  /** Where the wrapped HMAC keys live (a Blob container in production). */
  wrappedKeyStore: WrappedKeyStore;
  /**
   * Create a missing key instead of failing. Needs the Crypto Officer role; with the usual
   * Crypto User role keep it false and let the infrastructure program create the keys.
   */
  createMissingKeys?: boolean;
  /** Passed to KeyClient and CryptographyClient (retry, transport, challenge verification). */
  clientOptions?: KeyClientOptions;
}

/**
 * Keys in Azure Key Vault. Private keys never leave the vault: signing sends SHA-256(data) to
 * the sign operation, wrapping and unwrapping go to wrapKey/unwrapKey. Every result carries the
 * versioned key id it was made with, so rotation (a new version, e.g. by the vault's rotation
 * policy) never breaks verification or unwrapping of older material.
 *
 * Disabling a key version removes it from publicJwks (Key Vault refuses to read a disabled
 * version): do that only to revoke the checkpoints it signed.
 */
export class KeyVaultKeyProvider implements KeyProvider {
  private readonly keys: KeyClient;
  private readonly cryptoClients = new Map<string, CryptographyClient>();
  private readonly hmacKeys: EnvelopeHmacKeys;

  constructor(private readonly options: KeyVaultKeyProviderOptions) {
    this.keys = new KeyClient(options.vaultUrl, options.credential, { ...options.clientOptions });
    this.hmacKeys = new EnvelopeHmacKeys(this, options.wrappedKeyStore);
  }

  async signer(): Promise<Signer> {
    const key = await this.currentKey(this.options.signingKeyName, 'EC');
    const publicKey = ecJwkOf(key);
    const client = this.cryptoClient(key);
    return {
      keyId: publicKey.kid,
      algorithm: 'ES256',
      publicKey,
      sign: async (data) => {
        const digest = createHash('sha256').update(data).digest();
        const { result } = await client.sign('ES256', digest);
        if (result.length !== 64) {
          throw new Error(
            `Key Vault returned a ${result.length}-byte ES256 signature, expected 64`,
          );
        }
        return result;
      },
    };
  }

  async publicJwks(): Promise<JsonWebKeySet> {
    const name = this.options.signingKeyName;
    const versions: { version: string; created: number }[] = [];
    for await (const properties of this.keys.listPropertiesOfKeyVersions(name)) {
      if (properties.enabled === false || properties.version === undefined) continue;
      versions.push({ version: properties.version, created: properties.createdOn?.getTime() ?? 0 });
    }
    versions.sort((a, b) => b.created - a.created);
    const keys: EcPublicJwk[] = [];
    for (const { version } of versions) {
      keys.push(ecJwkOf(await this.keys.getKey(name, { version })));
    }
    return { keys };
  }

  async hmacKey(name: string): Promise<Uint8Array> {
    return this.hmacKeys.get(name);
  }

  async wrapKey(dataKey: Uint8Array): Promise<WrappedKey> {
    const key = await this.currentKey(this.options.wrappingKeyName, 'RSA');
    const { result } = await this.cryptoClient(key).wrapKey('RSA-OAEP-256', dataKey);
    return {
      keyId: key.id as string,
      algorithm: 'RSA-OAEP-256',
      ciphertext: Buffer.from(result).toString('base64'),
    };
  }

  async unwrapKey(wrapped: WrappedKey): Promise<Uint8Array> {
    // The key id comes from storage: never send a token to a vault other than the configured one.
    const prefix = `${this.options.vaultUrl.replace(/\/+$/, '')}/keys/${this.options.wrappingKeyName}/`;
    if (!wrapped.keyId.startsWith(prefix) || wrapped.algorithm !== 'RSA-OAEP-256') {
      throw new UnknownWrappingKeyError(wrapped.keyId);
    }
    const client = this.cryptoClient(wrapped.keyId);
    const { result } = await client.unwrapKey(
      wrapped.algorithm,
      Buffer.from(wrapped.ciphertext, 'base64'),
    );
    return result;
  }

  /** The newest version of a key, created first if allowed and missing. */
  private async currentKey(name: string, type: 'EC' | 'RSA'): Promise<KeyVaultKey> {
    let key: KeyVaultKey;
    try {
      key = await this.keys.getKey(name);
    } catch (error) {
      if (!isRestError(error) || error.statusCode !== 404) throw error;
      if (this.options.createMissingKeys !== true) {
        throw new MissingVaultKeyError(this.options.vaultUrl, name);
      }
      key =
        type === 'EC'
          ? await this.keys.createEcKey(name, { curve: 'P-256', keyOps: ['sign', 'verify'] })
          : await this.keys.createRsaKey(name, { keySize: 3072, keyOps: ['wrapKey', 'unwrapKey'] });
    }
    const found = `${key.keyType ?? 'unknown'}${key.key?.crv === undefined ? '' : ` ${key.key.crv}`}`;
    const expected = type === 'EC' ? 'EC P-256' : 'RSA';
    const matches =
      type === 'EC'
        ? (key.keyType === 'EC' || key.keyType === 'EC-HSM') && key.key?.crv === 'P-256'
        : key.keyType === 'RSA' || key.keyType === 'RSA-HSM';
    if (!matches) throw new UnexpectedKeyTypeError(key.id ?? name, found, expected);
    return key;
  }

  /** One client per key version, so the vault's auth challenge is answered once per key. */
  private cryptoClient(key: KeyVaultKey | string): CryptographyClient {
    const id = typeof key === 'string' ? key : (key.id as string);
    let client = this.cryptoClients.get(id);
    if (client === undefined) {
      client = new CryptographyClient(key, this.options.credential, {
        ...this.options.clientOptions,
      });
      this.cryptoClients.set(id, client);
    }
    return client;
  }
}

function ecJwkOf(key: KeyVaultKey): EcPublicJwk {
  const { x, y } = key.key ?? {};
  if (key.id === undefined || x === undefined || y === undefined || key.key?.crv !== 'P-256') {
    throw new UnexpectedKeyTypeError(key.id ?? key.name, key.keyType ?? 'unknown', 'EC P-256');
  }
  return {
    kty: 'EC',
    crv: 'P-256',
    x: coordinate(x),
    y: coordinate(y),
    kid: key.id,
    alg: 'ES256',
    use: 'sig',
  };
}

/** JWK coordinates are exactly 32 bytes for P-256; restore any leading zeros a sender dropped. */
function coordinate(value: Uint8Array): string {
  const padded = Buffer.alloc(32);
  padded.set(value.subarray(Math.max(0, value.length - 32)), 32 - Math.min(32, value.length));
  return padded.toString('base64url');
}
