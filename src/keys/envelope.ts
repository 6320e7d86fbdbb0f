import { randomBytes } from 'node:crypto';
import { assertKeyName } from './errors';
import type { WrappedKey, WrappedKeyStore } from './types';

export interface KeyWrapper {
  wrapKey(dataKey: Uint8Array): Promise<WrappedKey>;
  unwrapKey(wrapped: WrappedKey): Promise<Uint8Array>;
}

export const HMAC_KEY_SIZE = 32;

/**
 * HMAC keys by envelope encryption: a random 32-byte data key, kept only wrapped (by a Key Vault
 * RSA key) in a WrappedKeyStore, unwrapped once per process and cached. Creation is a race
 * between instances that the store's atomic create settles: the loser adopts the winner's key.
 */
export class EnvelopeHmacKeys {
  private readonly cache = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly wrapper: KeyWrapper,
    private readonly store: WrappedKeyStore,
  ) {}

  async get(name: string): Promise<Uint8Array> {
    assertKeyName(name);
    let key = this.cache.get(name);
    if (key === undefined) {
      key = this.loadOrCreate(name);
      this.cache.set(name, key);
      // A failure (vault unreachable) must not be cached: the next call tries again.
      key.catch(() => this.cache.delete(name));
    }
    return key;
  }

  private async loadOrCreate(name: string): Promise<Uint8Array> {
    let wrapped = await this.store.get(name);
    if (wrapped === undefined) {
      const fresh = randomBytes(HMAC_KEY_SIZE);
      if (await this.store.create(name, await this.wrapper.wrapKey(fresh))) return fresh;
      wrapped = await this.store.get(name);
      if (wrapped === undefined) {
        throw new Error(`wrapped key store reported ${name} as existing but returned nothing`);
      }
    }
    const key = await this.wrapper.unwrapKey(wrapped);
    if (key.length !== HMAC_KEY_SIZE) {
      throw new Error(
        `HMAC key ${name} unwrapped to ${key.length} bytes, expected ${HMAC_KEY_SIZE}`,
      );
    }
    return key;
  }
}
