import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  signCheckpoint,
  verifyCheckpointNote,
  formatCheckpoint,
} from '../../src/integrity/checkpoint';
import { emptyRoot } from '../../src/integrity/rfc6962';
import {
  InsecureKeyFileError,
  InvalidKeyNameError,
  UnknownWrappingKeyError,
} from '../../src/keys/errors';
import { verifySignatureWithJwk } from '../../src/keys/jwk';
import { LocalKeyProvider } from '../../src/keys/local';
import type { WrappedKey } from '../../src/keys/types';

let directory: string;

beforeEach(async () => {
  directory = await fs.mkdtemp(path.join(os.tmpdir(), 'local-keys-'));
});

afterEach(async () => {
  await fs.rm(directory, { recursive: true, force: true });
});

const mode = async (file: string): Promise<string> =>
  ((await fs.stat(file)).mode & 0o777).toString(8);

describe('LocalKeyProvider', () => {
  it('creates the signing key and owner-only folders on first start', async () => {
    await LocalKeyProvider.open(directory);
    expect((await fs.readdir(directory)).sort()).toEqual(['hmac', 'signing', 'wrapping']);
    expect(await fs.readdir(path.join(directory, 'signing'))).toEqual(['0001.pem']);
    expect(await mode(path.join(directory, 'signing'))).toBe('700');
    expect(await mode(path.join(directory, 'hmac'))).toBe('700');
    expect(await mode(path.join(directory, 'signing', '0001.pem'))).toBe('600');
  });

  it('names key versions by sequence and public key fingerprint', async () => {
    const signer = await (await LocalKeyProvider.open(directory)).signer();
    expect(signer.keyId).toMatch(/^local\/checkpoint-signing\/0001-[0-9a-f]{8}$/);
    expect(signer.publicKey.kid).toBe(signer.keyId);
  });

  it('keeps the same keys across restarts', async () => {
    const first = await LocalKeyProvider.open(directory);
    const firstSigner = await first.signer();
    const firstHmac = await first.hmacKey('redaction');
    const second = await LocalKeyProvider.open(directory);
    expect((await second.signer()).keyId).toBe(firstSigner.keyId);
    expect(Buffer.from(await second.hmacKey('redaction')).toString('hex')).toBe(
      Buffer.from(firstHmac).toString('hex'),
    );
  });

  it('generates keys on first use when constructed directly', async () => {
    const provider = new LocalKeyProvider(directory);
    expect((await provider.publicJwks()).keys).toHaveLength(1);
  });

  it('signs ES256 over the data, verifiable with the published key', async () => {
    const provider = await LocalKeyProvider.open(directory);
    const signer = await provider.signer();
    const data = Buffer.from('hello');
    const signature = await signer.sign(data);
    expect(signature).toHaveLength(64);
    const [jwk] = (await provider.publicJwks()).keys;
    expect(verifySignatureWithJwk(jwk as NonNullable<typeof jwk>, data, signature)).toBe(true);
  });

  it('rotates to a new signing key and keeps the old one in the JWKS, newest first', async () => {
    const provider = await LocalKeyProvider.open(directory);
    const old = await provider.signer();
    const rotated = await provider.rotate();
    expect(rotated.keyId).toMatch(/^local\/checkpoint-signing\/0002-[0-9a-f]{8}$/);
    expect((await provider.signer()).keyId).toBe(rotated.keyId);
    expect((await provider.publicJwks()).keys.map((key) => key.kid)).toEqual([
      rotated.keyId,
      old.keyId,
    ]);
  });

  it('verifies a checkpoint signed before a rotation with the JWKS after it', async () => {
    const provider = await LocalKeyProvider.open(directory);
    const old = await provider.signer();
    const body = formatCheckpoint({
      origin: 'localhost/audit/0',
      size: 0,
      rootHash: emptyRoot(),
      partition: '0',
      time: new Date('2025-01-01T00:00:00.000Z'),
      keyId: old.keyId,
    });
    const note = await signCheckpoint(body, old);
    await provider.rotate();
    expect(verifyCheckpointNote(note, await provider.publicJwks()).keyId).toBe(old.keyId);
  });

  it('sees a rotation made by another process sharing the folder', async () => {
    const here = await LocalKeyProvider.open(directory);
    const rotated = await (await LocalKeyProvider.open(directory)).rotate();
    expect((await here.signer()).keyId).toBe(rotated.keyId);
  });

  it('gives concurrent rotations distinct versions', async () => {
    const provider = await LocalKeyProvider.open(directory);
    const [a, b] = await Promise.all([provider.rotate(), provider.rotate()]);
    expect(new Set([a.keyId.slice(0, 29), b.keyId.slice(0, 29)])).toEqual(
      new Set(['local/checkpoint-signing/0002', 'local/checkpoint-signing/0003']),
    );
  });

  it('refuses to unwrap before any wrapping key exists', async () => {
    const provider = await LocalKeyProvider.open(directory);
    const wrapped = {
      keyId: 'local/data-key-wrapping/0001-00000000',
      algorithm: 'RSA-OAEP-256' as const,
      ciphertext: 'AA==',
    };
    await expect(provider.unwrapKey(wrapped)).rejects.toThrow(
      new Error('no wrapping key local/data-key-wrapping/0001-00000000'),
    );
  });

  it('creates distinct 32-byte HMAC keys per name, owner-only', async () => {
    const provider = await LocalKeyProvider.open(directory);
    const redaction = await provider.hmacKey('redaction');
    const other = await provider.hmacKey('pseudonyms');
    expect(redaction).toHaveLength(32);
    expect(Buffer.from(redaction).equals(Buffer.from(other))).toBe(false);
    expect(await mode(path.join(directory, 'hmac', 'redaction.key'))).toBe('600');
  });

  it('creates one signing key when two processes start on an empty folder at once', async () => {
    const [a, b] = await Promise.all([
      new LocalKeyProvider(directory).signer(),
      new LocalKeyProvider(directory).signer(),
    ]);
    expect(a.keyId).toBe(b.keyId);
    expect(await fs.readdir(path.join(directory, 'signing'))).toEqual(['0001.pem']);
  });

  it('agrees on one HMAC key when two processes create it at once', async () => {
    const [a, b] = await Promise.all([
      new LocalKeyProvider(directory).hmacKey('redaction'),
      new LocalKeyProvider(directory).hmacKey('redaction'),
    ]);
    expect(Buffer.from(a).toString('hex')).toBe(Buffer.from(b).toString('hex'));
  });

  it('refuses HMAC key names that are not plain file names', async () => {
    const provider = await LocalKeyProvider.open(directory);
    await expect(provider.hmacKey('../escape')).rejects.toThrow(
      new InvalidKeyNameError('../escape'),
    );
    await expect(provider.hmacKey('')).rejects.toThrow(
      new Error('key name "" is not 1-64 of [A-Za-z0-9._-]'),
    );
  });

  it('refuses a key file others can read', async () => {
    const provider = await LocalKeyProvider.open(directory);
    const file = path.join(directory, 'signing', '0001.pem');
    await fs.chmod(file, 0o644);
    await expect(provider.signer()).rejects.toThrow(new InsecureKeyFileError(file, 0o644));
    await expect(provider.signer()).rejects.toThrow(
      new Error(
        `key file ${file} has mode 0644; run chmod 600 on it (keys must be readable by their owner only)`,
      ),
    );
  });
});

describe('LocalKeyProvider wrapping', () => {
  // One RSA 3072 key for the whole block: generating one takes seconds.
  let folder: string;
  let provider: LocalKeyProvider;
  let wrappedInParallel: WrappedKey[];
  const dataKey = Buffer.alloc(32, 7);

  beforeAll(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'local-wrap-'));
    provider = await LocalKeyProvider.open(folder);
    wrappedInParallel = await Promise.all([provider.wrapKey(dataKey), provider.wrapKey(dataKey)]);
  });

  afterAll(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('creates one owner-only wrapping key on first use, even for parallel calls', async () => {
    expect(await fs.readdir(path.join(folder, 'wrapping'))).toEqual(['0001.pem']);
    expect(await mode(path.join(folder, 'wrapping', '0001.pem'))).toBe('600');
    expect(wrappedInParallel[0]?.keyId).toBe(wrappedInParallel[1]?.keyId);
  });

  it('wraps with RSA-OAEP-256 under a versioned key id', () => {
    const [wrapped] = wrappedInParallel as [WrappedKey];
    expect(wrapped.algorithm).toBe('RSA-OAEP-256');
    expect(wrapped.keyId).toMatch(/^local\/data-key-wrapping\/0001-[0-9a-f]{8}$/);
    expect(Buffer.from(wrapped.ciphertext, 'base64')).toHaveLength(384);
  });

  it('unwraps what it wrapped', async () => {
    const [wrapped] = wrappedInParallel as [WrappedKey];
    expect(Buffer.from(await provider.unwrapKey(wrapped)).toString('hex')).toBe(
      dataKey.toString('hex'),
    );
  });

  it('unwraps after a restart', async () => {
    const [wrapped] = wrappedInParallel as [WrappedKey];
    const restarted = await LocalKeyProvider.open(folder);
    expect(Buffer.from(await restarted.unwrapKey(wrapped)).toString('hex')).toBe(
      dataKey.toString('hex'),
    );
  });

  it('refuses a key id with its sequence number but another fingerprint', async () => {
    const [wrapped] = wrappedInParallel as [WrappedKey];
    // What a wiped and regenerated folder would hold under the same sequence number.
    const unknown = { ...wrapped, keyId: wrapped.keyId.replace(/-[0-9a-f]{8}$/, '-00000000') };
    await expect(provider.unwrapKey(unknown)).rejects.toThrow(
      new UnknownWrappingKeyError(unknown.keyId),
    );
  });

  it('refuses a key id from another provider', async () => {
    const [wrapped] = wrappedInParallel as [WrappedKey];
    await expect(
      provider.unwrapKey({ ...wrapped, keyId: 'https://vault/keys/x/1' }),
    ).rejects.toThrow(new Error('no wrapping key https://vault/keys/x/1'));
  });
});
