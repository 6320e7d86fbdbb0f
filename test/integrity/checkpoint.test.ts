import { createPublicKey, verify } from 'node:crypto';
import {
  checkCheckpointSuccession,
  formatCheckpoint,
  hashCheckpointBody,
  MalformedCheckpointError,
  parseCheckpoint,
  signCheckpoint,
  SignerMismatchError,
  verifyCheckpointNote,
  type Checkpoint,
} from '../../src/integrity/checkpoint';
import {
  BadSignatureError,
  ecdsaKeyHash,
  ecdsaVerifierKey,
  formatSignatureLine,
  MalformedNoteError,
  noteVerifierFromKey,
  openSignedNote,
  parseSignedNote,
  UnknownKeyError,
} from '../../src/integrity/note';
import { rawSignatureToDer } from '../../src/keys/ecdsa-encoding';
import { spkiFromJwk } from '../../src/keys/jwk';
import { testSigner } from './support/signer';
import { readJson } from './support/vectors';

interface CheckpointJson {
  origin: string;
  size: number;
  rootHash: string;
  partition: string;
  time: string;
  keyId: string;
  previousHash?: string;
}

const golden = readJson<{ cases: { desc: string; checkpoint: CheckpointJson; body: string }[] }>(
  'checkpoint-golden.json',
).cases;
const malformed = readJson<{ cases: { desc: string; body: string; message: string }[] }>(
  'checkpoint-malformed.json',
).cases;

function fromJson(json: CheckpointJson): Checkpoint {
  const { previousHash, ...rest } = json;
  const checkpoint = {
    ...rest,
    rootHash: Buffer.from(json.rootHash, 'base64'),
    time: new Date(json.time),
  };
  return previousHash === undefined
    ? checkpoint
    : { ...checkpoint, previousHash: Buffer.from(previousHash, 'base64') };
}

function toJson(checkpoint: Checkpoint): CheckpointJson {
  const { previousHash, ...rest } = checkpoint;
  const json = {
    ...rest,
    rootHash: Buffer.from(checkpoint.rootHash).toString('base64'),
    time: checkpoint.time.toISOString(),
  };
  return previousHash === undefined
    ? json
    : { ...json, previousHash: Buffer.from(previousHash).toString('base64') };
}

const first = golden[0] as (typeof golden)[number];
const second = golden[1] as (typeof golden)[number];
const keyId = first.checkpoint.keyId;

describe('checkpoint format', () => {
  it.each(golden.map((c) => [c.desc, c]))('formats the %s', (_desc, c) => {
    const { checkpoint, body } = c as (typeof golden)[number];
    expect(formatCheckpoint(fromJson(checkpoint))).toBe(body);
  });

  it.each(golden.map((c) => [c.desc, c]))('parses the %s', (_desc, c) => {
    const { checkpoint, body } = c as (typeof golden)[number];
    expect(toJson(parseCheckpoint(body))).toEqual(checkpoint);
  });

  it('chains the golden checkpoints by the hash of the previous body', () => {
    expect(Buffer.from(hashCheckpointBody(first.body)).toString('base64')).toBe(
      second.checkpoint.previousHash,
    );
  });

  it.each(malformed.map((c) => [c.desc, c.body, c.message]))(
    'rejects a body with %s',
    (_desc, body, message) => {
      expect(() => parseCheckpoint(body as string)).toThrow(MalformedCheckpointError);
      expect(() => parseCheckpoint(body as string)).toThrow(new Error(message as string));
    },
  );

  it('refuses to format an origin that cannot be a key name', () => {
    expect(() => formatCheckpoint({ ...fromJson(first.checkpoint), origin: 'a+b' })).toThrow(
      new Error('checkpoint line 1: origin "a+b" is empty or has a space or \'+\''),
    );
  });

  it('refuses to format a root hash that is not 32 bytes', () => {
    expect(() =>
      formatCheckpoint({ ...fromJson(first.checkpoint), rootHash: Buffer.alloc(20) }),
    ).toThrow(new Error('checkpoint line 3: root hash is 20 bytes, expected 32'));
  });

  it('refuses to format an invalid time', () => {
    expect(() =>
      formatCheckpoint({ ...fromJson(first.checkpoint), time: new Date(Number.NaN) }),
    ).toThrow(new Error('checkpoint line 5: time is not a valid date'));
  });
});

describe('signing and verifying checkpoints', () => {
  const signer = testSigner(keyId);
  const jwks = { keys: [signer.publicKey] };

  it('signs under the origin as key name with the type 0x02 key ID', async () => {
    const note = await signCheckpoint(second.body, signer);
    const { text, signatures } = parseSignedNote(note);
    expect(text).toBe(second.body);
    expect(signatures).toHaveLength(1);
    expect(signatures[0]?.keyName).toBe('audit.example.com/weu/audit/3');
    expect(signatures[0]?.keyHash).toBe(ecdsaKeyHash(spkiFromJwk(signer.publicKey)));
  });

  it('puts an ASN.1 DER signature over the body in the note, as other implementations expect', async () => {
    const note = await signCheckpoint(second.body, signer);
    const der = parseSignedNote(note).signatures[0]?.signature as Uint8Array;
    const key = createPublicKey({ key: { ...signer.publicKey }, format: 'jwk' });
    expect(verify('sha256', Buffer.from(second.body), { key, dsaEncoding: 'der' }, der)).toBe(true);
  });

  it('verifies with a generic note verifier built from the published verifier key', async () => {
    const note = await signCheckpoint(second.body, signer);
    const vkey = ecdsaVerifierKey('audit.example.com/weu/audit/3', spkiFromJwk(signer.publicKey));
    expect(openSignedNote(note, [noteVerifierFromKey(vkey)]).text).toBe(second.body);
  });

  it('returns the checkpoint of a note signed by the key it names', async () => {
    const note = await signCheckpoint(second.body, signer);
    expect(toJson(verifyCheckpointNote(note, jwks))).toEqual(second.checkpoint);
  });

  it('rejects a note whose body was altered after signing', async () => {
    const note = (await signCheckpoint(second.body, signer)).replace('\n8\n', '\n7\n');
    const keyHash = ecdsaKeyHash(spkiFromJwk(signer.publicKey));
    expect(() => verifyCheckpointNote(note, jwks)).toThrow(
      new BadSignatureError('audit.example.com/weu/audit/3', keyHash),
    );
  });

  it('rejects a note whose signature was altered', async () => {
    const note = await signCheckpoint(second.body, signer);
    const { signatures } = parseSignedNote(note);
    const signature = Buffer.from(signatures[0]?.signature as Uint8Array);
    signature[signature.length - 1] = (signature[signature.length - 1] as number) ^ 1;
    const forged = `${second.body}\n${formatSignatureLine('audit.example.com/weu/audit/3', signatures[0]?.keyHash as number, signature)}`;
    expect(() => verifyCheckpointNote(forged, jwks)).toThrow(BadSignatureError);
  });

  it('rejects a note whose named key is not in the key set', async () => {
    const note = await signCheckpoint(second.body, signer);
    expect(() => verifyCheckpointNote(note, { keys: [testSigner('other').publicKey] })).toThrow(
      UnknownKeyError,
    );
    expect(() => verifyCheckpointNote(note, { keys: [] })).toThrow(
      new Error(
        `checkpoint names key ${keyId}, which is not in the key set; signatures present: audit.example.com/weu/audit/3+${ecdsaKeyHash(spkiFromJwk(signer.publicKey)).toString(16).padStart(8, '0')}`,
      ),
    );
  });

  it('rejects a note signed only by another trusted key than the one it names', async () => {
    const other = testSigner('https://audit-weu.vault.azure.net/keys/audit-signing/0000');
    // Signed by hand: signCheckpoint itself refuses a body that names another key.
    const der = rawSignatureToDer(await other.sign(Buffer.from(second.body)));
    const otherHash = ecdsaKeyHash(spkiFromJwk(other.publicKey));
    const note = `${second.body}\n${formatSignatureLine('audit.example.com/weu/audit/3', otherHash, der)}`;
    expect(() => verifyCheckpointNote(note, { keys: [signer.publicKey, other.publicKey] })).toThrow(
      new Error(
        `checkpoint names key ${keyId} but has no signature by it; signatures present: audit.example.com/weu/audit/3+${otherHash.toString(16).padStart(8, '0')}`,
      ),
    );
  });

  it('rejects a note where a trusted key fails to verify, even if the named key verifies', async () => {
    const other = testSigner('https://audit-weu.vault.azure.net/keys/audit-signing/0001');
    const note = await signCheckpoint(second.body, signer);
    const bogus = formatSignatureLine(
      'audit.example.com/weu/audit/3',
      ecdsaKeyHash(spkiFromJwk(other.publicKey)),
      Buffer.alloc(70, 1),
    );
    expect(() =>
      verifyCheckpointNote(`${note}${bogus}`, { keys: [signer.publicKey, other.publicKey] }),
    ).toThrow(BadSignatureError);
  });

  it('rejects a note that carries no signature by the named key', async () => {
    const other = testSigner('https://audit-weu.vault.azure.net/keys/audit-signing/1111');
    const otherBody = second.body.replace(`key ${keyId}`, `key ${other.keyId}`);
    const line = (await signCheckpoint(otherBody, other)).slice(otherBody.length + 1);
    const note = `${second.body}\n${line}`;
    // The other key is unknown to this verifier, so its line is ignored and the named key never signed.
    expect(() => verifyCheckpointNote(note, jwks)).toThrow(UnknownKeyError);
  });

  it('ignores a witness signature from an unknown key', async () => {
    const note = await signCheckpoint(second.body, signer);
    const witness = formatSignatureLine('witness.example.org', 0x01020304, Buffer.alloc(64, 9));
    expect(verifyCheckpointNote(`${note}${witness}`, jwks).size).toBe(8);
  });

  it('verifies old checkpoints after rotation when the old key stays in the set', async () => {
    const next = testSigner('https://audit-weu.vault.azure.net/keys/audit-signing/2222');
    const note = await signCheckpoint(second.body, signer);
    expect(verifyCheckpointNote(note, { keys: [next.publicKey, signer.publicKey] }).keyId).toBe(
      keyId,
    );
  });

  it('refuses to sign a body that names another key', async () => {
    const other = testSigner('https://audit-weu.vault.azure.net/keys/audit-signing/3333');
    await expect(signCheckpoint(second.body, other)).rejects.toThrow(
      new SignerMismatchError(keyId, other.keyId),
    );
    await expect(signCheckpoint(second.body, other)).rejects.toThrow(
      new Error(`checkpoint names key ${keyId} but the signer is ${other.keyId}`),
    );
  });

  it('rejects a note that is not a signed note', () => {
    expect(() => verifyCheckpointNote(second.body, jwks)).toThrow(MalformedNoteError);
  });
});

describe('checkCheckpointSuccession', () => {
  const next = fromJson(second.checkpoint);

  it('accepts the golden chain', () => {
    expect(() => checkCheckpointSuccession(first.body, next)).not.toThrow();
  });

  it.each([
    [
      'a missing previous line',
      { previousHash: undefined },
      `no previous line, expected ${second.checkpoint.previousHash}`,
    ],
    [
      'a wrong previous hash',
      { previousHash: Buffer.alloc(32) },
      `previous is ${Buffer.alloc(32).toString('base64')}, expected ${second.checkpoint.previousHash}`,
    ],
    ['another partition', { partition: '4' }, 'partition 4 differs from 3'],
    [
      'another origin',
      { origin: 'audit.example.com/weu/audit/4' },
      'origin audit.example.com/weu/audit/4 differs from audit.example.com/weu/audit/3',
    ],
    [
      'an earlier time',
      { time: new Date('2025-03-01T11:59:59.999Z') },
      'time 2025-03-01T11:59:59.999Z is before 2025-03-01T12:00:00.000Z',
    ],
  ])('rejects %s', (_desc, change, reason) => {
    expect(() =>
      checkCheckpointSuccession(first.body, { ...next, ...(change as Partial<Checkpoint>) }),
    ).toThrow(new Error(`checkpoint does not follow its predecessor: ${reason}`));
  });

  it('rejects a tree that shrank', () => {
    const shrunk = {
      ...fromJson(first.checkpoint),
      time: new Date('2025-03-01T12:02:00.000Z'),
      previousHash: hashCheckpointBody(second.body),
    };
    expect(() => checkCheckpointSuccession(second.body, shrunk)).toThrow(
      new Error('checkpoint does not follow its predecessor: size 0 is smaller than 8'),
    );
  });
});
