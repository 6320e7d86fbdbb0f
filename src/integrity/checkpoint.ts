import { createHash } from 'node:crypto';
import { rawSignatureToDer } from '../keys/ecdsa-encoding';
import { spkiFromJwk } from '../keys/jwk';
import type { JsonWebKeySet, Signer } from '../keys/types';
import { bytesEqual, EncodingError, fromBase64, toBase64 } from './encoding';
import {
  ecdsaKeyHash,
  ecdsaNoteVerifier,
  formatSignatureLine,
  isValidKeyName,
  MalformedNoteError,
  openSignedNote,
  parseSignedNote,
  UnknownKeyError,
} from './note';
import { HASH_SIZE } from './tree-math';

/**
 * Checkpoints of one partition's Merkle log, as c2sp.org/tlog-checkpoint bodies inside
 * c2sp.org/signed-note notes. The three standard lines (origin, tree size, base64 root) are
 * followed by four extension lines in fixed order, the last one only after the first checkpoint:
 *
 *   partition <Event Hubs partition id>
 *   time <seal time, ISO 8601 UTC with milliseconds>
 *   key <versioned id of the signing key>
 *   previous <base64 SHA-256 of the previous checkpoint's body>
 *
 * The note is signed by the log under the key name = origin (as tlog-checkpoint recommends), so
 * an origin must also be a valid key name: no spaces, no '+'.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly partition: string;
  readonly time: Date;
  readonly keyId: string;
  /** SHA-256 of the previous checkpoint's body; absent on a partition's first checkpoint. */
  readonly previousHash?: Uint8Array;
}

export class MalformedCheckpointError extends MalformedNoteError {
  override readonly name = 'MalformedCheckpointError';
  constructor(
    /** 1-based line of the checkpoint body, or 0 for the body as a whole. */
    readonly line: number,
    reason: string,
  ) {
    super(reason, line === 0 ? `checkpoint: ${reason}` : `checkpoint line ${line}: ${reason}`);
  }
}

/** signCheckpoint was handed a body that names another key than the signer's. */
export class SignerMismatchError extends Error {
  override readonly name = 'SignerMismatchError';
  constructor(
    readonly bodyKeyId: string,
    readonly signerKeyId: string,
  ) {
    super(`checkpoint names key ${bodyKeyId} but the signer is ${signerKeyId}`);
  }
}

const PARTITION_PATTERN = /^[0-9A-Za-z._-]{1,64}$/;
const TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SIZE_PATTERN = /^(0|[1-9][0-9]*)$/;

/** The checkpoint body (the signed note text), ending in a newline. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, partition, time, keyId, previousHash } = checkpoint;
  if (!isValidKeyName(origin))
    fail(1, `origin ${JSON.stringify(origin)} is empty or has a space or '+'`);
  if (!Number.isSafeInteger(size) || size < 0)
    fail(2, `size ${size} is not a non-negative integer`);
  if (rootHash.length !== HASH_SIZE) fail(3, `root hash is ${rootHash.length} bytes, expected 32`);
  if (!PARTITION_PATTERN.test(partition))
    fail(4, `partition ${JSON.stringify(partition)} is not 1-64 of [0-9A-Za-z._-]`);
  if (Number.isNaN(time.getTime())) fail(5, 'time is not a valid date');
  if (!isValidKeyName(keyId))
    fail(6, `key id ${JSON.stringify(keyId)} is empty or has a space or '+'`);
  if (previousHash !== undefined && previousHash.length !== HASH_SIZE) {
    fail(7, `previous hash is ${previousHash.length} bytes, expected 32`);
  }
  const lines = [
    origin,
    String(size),
    toBase64(rootHash),
    `partition ${partition}`,
    `time ${time.toISOString()}`,
    `key ${keyId}`,
  ];
  if (previousHash !== undefined) lines.push(`previous ${toBase64(previousHash)}`);
  return `${lines.join('\n')}\n`;
}

/** Parses a checkpoint body strictly: parseCheckpoint(text) formats back to exactly text. */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith('\n')) fail(0, 'does not end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 6 || lines.length > 7) fail(0, `has ${lines.length} lines, expected 6 or 7`);
  const [origin, sizeText, rootText, partitionLine, timeLine, keyLine, previousLine] = lines as [
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (!isValidKeyName(origin))
    fail(1, `origin ${JSON.stringify(origin)} is empty or has a space or '+'`);
  if (!SIZE_PATTERN.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    fail(2, `tree size ${JSON.stringify(sizeText)} is not a decimal integer without leading zeros`);
  }
  const rootHash = decodeHash(3, 'root hash', rootText);
  const partition = field(4, 'partition', partitionLine);
  if (!PARTITION_PATTERN.test(partition))
    fail(4, `partition ${JSON.stringify(partition)} is not 1-64 of [0-9A-Za-z._-]`);
  const timeText = field(5, 'time', timeLine);
  const time = new Date(timeText);
  if (
    !TIME_PATTERN.test(timeText) ||
    Number.isNaN(time.getTime()) ||
    time.toISOString() !== timeText
  ) {
    fail(5, `time ${JSON.stringify(timeText)} is not YYYY-MM-DDTHH:MM:SS.sssZ`);
  }
  const keyId = field(6, 'key', keyLine);
  if (!isValidKeyName(keyId))
    fail(6, `key id ${JSON.stringify(keyId)} is empty or has a space or '+'`);
  const checkpoint: Checkpoint = {
    origin,
    size: Number(sizeText),
    rootHash,
    partition,
    time,
    keyId,
  };
  if (previousLine === undefined) return checkpoint;
  return {
    ...checkpoint,
    previousHash: decodeHash(7, 'previous hash', field(7, 'previous', previousLine)),
  };
}

function field(line: number, name: string, text: string): string {
  const prefix = `${name} `;
  if (!text.startsWith(prefix))
    fail(line, `expected "${prefix}<value>", found ${JSON.stringify(text)}`);
  return text.slice(prefix.length);
}

function decodeHash(line: number, what: string, text: string): Buffer {
  try {
    return fromBase64(text, what, HASH_SIZE);
  } catch (error) {
    if (error instanceof EncodingError) fail(line, error.message);
    throw error;
  }
}

function fail(line: number, reason: string): never {
  throw new MalformedCheckpointError(line, reason);
}

/** SHA-256 of a checkpoint body: what the next checkpoint's "previous" line holds. */
export function hashCheckpointBody(body: string): Buffer {
  return createHash('sha256').update(body, 'utf8').digest();
}

/**
 * Signs a checkpoint body and returns the signed note. The body must name the signer's key
 * (SignerMismatchError otherwise); the signature line's key name is the origin.
 */
export async function signCheckpoint(body: string, signer: Signer): Promise<string> {
  const checkpoint = parseCheckpoint(body);
  if (checkpoint.keyId !== signer.keyId)
    throw new SignerMismatchError(checkpoint.keyId, signer.keyId);
  const spki = spkiFromJwk(signer.publicKey);
  const raw = await signer.sign(Buffer.from(body, 'utf8'));
  const line = formatSignatureLine(checkpoint.origin, ecdsaKeyHash(spki), rawSignatureToDer(raw));
  return `${body}\n${line}`;
}

/**
 * Verifies a signed checkpoint note against the log's public keys and returns the checkpoint.
 * The key the body names (its "key" line) must be in publicKeys and must have signed under the
 * origin's name (UnknownKeyError otherwise); any signature by a known key that fails rejects the
 * note (BadSignatureError); a malformed note or body throws MalformedNoteError /
 * MalformedCheckpointError. Signatures by other keys (e.g. witnesses) are ignored.
 */
export function verifyCheckpointNote(note: string, publicKeys: JsonWebKeySet): Checkpoint {
  const { text, signatures } = parseSignedNote(note);
  const checkpoint = parseCheckpoint(text);
  const seen = signatures.map(({ keyName, keyHash }) => ({ keyName, keyHash }));
  const named = publicKeys.keys.find((key) => key.kid === checkpoint.keyId);
  if (named === undefined) {
    throw new UnknownKeyError(
      seen,
      `checkpoint names key ${checkpoint.keyId}, which is not in the key set`,
    );
  }
  const verifiers = publicKeys.keys.map((key) =>
    ecdsaNoteVerifier(checkpoint.origin, spkiFromJwk(key)),
  );
  const { verifiedBy } = openSignedNote(note, verifiers);
  const namedHash = ecdsaKeyHash(spkiFromJwk(named));
  if (!verifiedBy.some((verifier) => verifier.keyHash === namedHash)) {
    throw new UnknownKeyError(
      seen,
      `checkpoint names key ${checkpoint.keyId} but has no signature by it`,
    );
  }
  return checkpoint;
}

export class CheckpointChainError extends Error {
  override readonly name = 'CheckpointChainError';
  constructor(readonly reason: string) {
    super(`checkpoint does not follow its predecessor: ${reason}`);
  }
}

/**
 * Checks that next directly follows previous in one partition's chain: same origin and partition,
 * a "previous" line holding the hash of previous's body, no shrinking and no going back in time.
 * That the two roots are consistent is a separate check (verifyConsistency with a proof).
 */
export function checkCheckpointSuccession(previousBody: string, next: Checkpoint): void {
  const previous = parseCheckpoint(previousBody);
  if (next.origin !== previous.origin) {
    throw new CheckpointChainError(`origin ${next.origin} differs from ${previous.origin}`);
  }
  if (next.partition !== previous.partition) {
    throw new CheckpointChainError(
      `partition ${next.partition} differs from ${previous.partition}`,
    );
  }
  const expected = hashCheckpointBody(previousBody);
  if (next.previousHash === undefined) {
    throw new CheckpointChainError(`no previous line, expected ${toBase64(expected)}`);
  }
  if (!bytesEqual(next.previousHash, expected)) {
    throw new CheckpointChainError(
      `previous is ${toBase64(next.previousHash)}, expected ${toBase64(expected)}`,
    );
  }
  if (next.size < previous.size) {
    throw new CheckpointChainError(`size ${next.size} is smaller than ${previous.size}`);
  }
  if (next.time.getTime() < previous.time.getTime()) {
    throw new CheckpointChainError(
      `time ${next.time.toISOString()} is before ${previous.time.toISOString()}`,
    );
  }
}
