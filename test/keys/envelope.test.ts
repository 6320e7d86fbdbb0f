import { EnvelopeHmacKeys, type KeyWrapper } from '../../src/keys/envelope';
import type { WrappedKey } from '../../src/keys/types';
import { MemoryWrappedKeyStore } from './support/memory-wrapped-key-store';

/** A wrapper that "encrypts" by reversing the bytes: enough to see what was wrapped and unwrapped. */
class ReversingWrapper implements KeyWrapper {
  wraps = 0;
  unwraps = 0;
  failNextUnwrap = false;

  async wrapKey(dataKey: Uint8Array): Promise<WrappedKey> {
    this.wraps++;
    return {
      keyId: 'test/wrap/1',
      algorithm: 'RSA-OAEP-256',
      ciphertext: Buffer.from(dataKey).reverse().toString('base64'),
    };
  }

  async unwrapKey(wrapped: WrappedKey): Promise<Uint8Array> {
    this.unwraps++;
    if (this.failNextUnwrap) {
      this.failNextUnwrap = false;
      throw new Error('vault unreachable');
    }
    return Buffer.from(wrapped.ciphertext, 'base64').reverse();
  }
}

describe('EnvelopeHmacKeys', () => {
  it('creates a random 32-byte key and stores only its wrapped form', async () => {
    const store = new MemoryWrappedKeyStore();
    const key = await new EnvelopeHmacKeys(new ReversingWrapper(), store).get('redaction');
    expect(key).toHaveLength(32);
    const stored = store.entries.get('redaction') as WrappedKey;
    expect(stored.keyId).toBe('test/wrap/1');
    expect(stored.ciphertext).not.toBe(Buffer.from(key).toString('base64'));
  });

  it('unwraps the stored key in a later process', async () => {
    const store = new MemoryWrappedKeyStore();
    const created = await new EnvelopeHmacKeys(new ReversingWrapper(), store).get('redaction');
    const wrapper = new ReversingWrapper();
    const loaded = await new EnvelopeHmacKeys(wrapper, store).get('redaction');
    expect(Buffer.from(loaded).toString('hex')).toBe(Buffer.from(created).toString('hex'));
    expect([wrapper.wraps, wrapper.unwraps]).toEqual([0, 1]);
  });

  it('unwraps once per process and name', async () => {
    const wrapper = new ReversingWrapper();
    const keys = new EnvelopeHmacKeys(wrapper, new MemoryWrappedKeyStore());
    await Promise.all([keys.get('a'), keys.get('a'), keys.get('a')]);
    expect(wrapper.wraps).toBe(1);
  });

  it('adopts the key of an instance that created it first', async () => {
    const store = new MemoryWrappedKeyStore();
    const winner = await new EnvelopeHmacKeys(new ReversingWrapper(), store).get('redaction');
    // A store whose first read still misses, as when two instances start at once.
    let firstRead = true;
    const racing = {
      get: async (name: string) => (firstRead ? ((firstRead = false), undefined) : store.get(name)),
      create: (name: string, wrapped: WrappedKey) => store.create(name, wrapped),
    };
    const loser = await new EnvelopeHmacKeys(new ReversingWrapper(), racing).get('redaction');
    expect(Buffer.from(loser).toString('hex')).toBe(Buffer.from(winner).toString('hex'));
  });

  it('does not remember a failure', async () => {
    const store = new MemoryWrappedKeyStore();
    await new EnvelopeHmacKeys(new ReversingWrapper(), store).get('redaction');
    const wrapper = new ReversingWrapper();
    wrapper.failNextUnwrap = true;
    const keys = new EnvelopeHmacKeys(wrapper, store);
    await expect(keys.get('redaction')).rejects.toThrow(new Error('vault unreachable'));
    expect(await keys.get('redaction')).toHaveLength(32);
  });

  it('rejects a stored key that does not unwrap to 32 bytes', async () => {
    const store = new MemoryWrappedKeyStore();
    await store.create('short', {
      keyId: 'test/wrap/1',
      algorithm: 'RSA-OAEP-256',
      ciphertext: 'AAAA',
    });
    await expect(new EnvelopeHmacKeys(new ReversingWrapper(), store).get('short')).rejects.toThrow(
      new Error('HMAC key short unwrapped to 3 bytes, expected 32'),
    );
  });

  it('refuses names that cannot be blob names', async () => {
    await expect(
      new EnvelopeHmacKeys(new ReversingWrapper(), new MemoryWrappedKeyStore()).get('a/b'),
    ).rejects.toThrow(new Error('key name "a/b" is not 1-64 of [A-Za-z0-9._-]'));
  });
});
