import { randomBytes } from 'node:crypto';
import { BlobWrappedKeyStore } from '../../src/keys/blob-wrapped-key-store';
import { InvalidKeyNameError } from '../../src/keys/errors';
import type { WrappedKey } from '../../src/keys/types';
import { freshStorage } from '../support/storage';

const wrapped = (id: string): WrappedKey => ({
  keyId: `https://vault.example/keys/audit-wrapping/${id}`,
  algorithm: 'RSA-OAEP-256',
  ciphertext: Buffer.from(id).toString('base64'),
});

async function store(): Promise<BlobWrappedKeyStore> {
  const clients = await freshStorage();
  const container = clients.blobService.getContainerClient(
    `keys-${randomBytes(4).toString('hex')}`,
  );
  await container.create();
  return new BlobWrappedKeyStore(container);
}

describe('BlobWrappedKeyStore', () => {
  it('has no key before one is created', async () => {
    expect(await (await store()).get('redaction')).toBeUndefined();
  });

  it('keeps the first of two keys created under one name', async () => {
    const keys = await store();
    const [first, second] = await Promise.all([
      keys.create('redaction', wrapped('a')),
      keys.create('redaction', wrapped('b')),
    ]);
    const kept = await keys.get('redaction');
    expect([
      [first, second].sort(),
      kept?.keyId === wrapped('a').keyId || kept?.keyId === wrapped('b').keyId,
    ]).toEqual([[false, true], true]);
  });

  it('refuses a key name that is not a plain file name', async () => {
    await expect((await store()).get('../x')).rejects.toThrow(new InvalidKeyNameError('../x'));
  });
});
