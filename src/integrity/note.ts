import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { derSignatureToRaw, SignatureEncodingError } from '../keys/ecdsa-encoding';
import { EncodingError, fromBase64, toBase64 } from './encoding';

/**
 * c2sp.org/signed-note: a UTF-8 text ending in a newline, a blank line, then signature lines
 * "— <key name> <base64(4-byte key ID || signature)>". Only signature type 0x02 is implemented:
 * "ECDSA signatures as implemented by github.com/transparency-dev/witness", i.e. ECDSA over
 * SHA-256(text), ASN.1 DER encoded, with key ID = first 4 bytes of SHA-256(DER SPKI public key).
 * (The spec's general key-ID recipe, SHA-256(name || 0x0A || type || key), is the one it
 * RECOMMENDS for other types; for 0x02 it names the SPKI hash.)
 */

export const ECDSA_SIGNATURE_TYPE = 0x02;

/** Go's note package stops at 100 signatures; the spec requires accepting at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

const EM_DASH = '\u2014';

export interface NoteSignature {
  readonly keyName: string;
  /** Key ID as an unsigned 32-bit integer (big-endian in the encoding). */
  readonly keyHash: number;
  /** The signature bytes after the key ID. */
  readonly signature: Uint8Array;
}

export interface SignedNote {
  /** The signed text, including its final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface NoteVerifier {
  readonly keyName: string;
  readonly keyHash: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

export abstract class NoteError extends Error {}

export class MalformedNoteError extends NoteError {
  override readonly name: string = 'MalformedNoteError';
  constructor(
    readonly reason: string,
    message = `malformed signed note: ${reason}`,
  ) {
    super(message);
  }
}

/** No signature by a trusted key: every signature line was from a key the verifier does not know. */
export class UnknownKeyError extends NoteError {
  override readonly name = 'UnknownKeyError';
  constructor(
    readonly seen: readonly { keyName: string; keyHash: number }[],
    detail = 'no signature by a known key',
  ) {
    super(`${detail}; signatures present: ${seen.map(describeKey).join(', ') || 'none'}`);
  }
}

/** A signature by a trusted key does not verify: the text or the signature was altered. */
export class BadSignatureError extends NoteError {
  override readonly name = 'BadSignatureError';
  constructor(
    readonly keyName: string,
    readonly keyHash: number,
  ) {
    super(`signature by ${describeKey({ keyName, keyHash })} does not verify`);
  }
}

function describeKey(key: { keyName: string; keyHash: number }): string {
  return `${key.keyName}+${formatKeyHash(key.keyHash)}`;
}

export function formatKeyHash(keyHash: number): string {
  return keyHash.toString(16).padStart(8, '0');
}

/** Key names must be non-empty and contain no Unicode space and no '+'. */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\s+]/u.test(name) && !hasControlCharacter(name);
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return true;
  }
  return false;
}

/** Parses the note's structure; signatures are not checked here. */
export function parseSignedNote(note: string): SignedNote {
  if (hasControlCharacter(note)) {
    throw new MalformedNoteError('contains a control character other than newline');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new MalformedNoteError('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '') throw new MalformedNoteError('no signature lines');
  if (!block.endsWith('\n')) throw new MalformedNoteError('the last signature line has no newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new MalformedNoteError(`${lines.length} signatures, at most ${MAX_NOTE_SIGNATURES}`);
  }
  return { text, signatures: lines.map(parseSignatureLine) };
}

function parseSignatureLine(line: string, index: number): NoteSignature {
  const where = `signature line ${index + 1}`;
  if (!line.startsWith(`${EM_DASH} `)) {
    throw new MalformedNoteError(`${where} does not start with an em dash and a space`);
  }
  const parts = line.slice(2).split(' ');
  if (parts.length !== 2) throw new MalformedNoteError(`${where} is not "— <name> <signature>"`);
  const [keyName, encoded] = parts as [string, string];
  if (!isValidKeyName(keyName)) throw new MalformedNoteError(`${where} has an invalid key name`);
  let bytes: Buffer;
  try {
    bytes = fromBase64(encoded, 'signature');
  } catch (error) {
    if (error instanceof EncodingError) {
      throw new MalformedNoteError(`${where} is not canonical base64`);
    }
    throw error;
  }
  if (bytes.length < 5)
    throw new MalformedNoteError(`${where} is shorter than a key ID and a signature`);
  return { keyName, keyHash: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
}

export function formatSignatureLine(
  keyName: string,
  keyHash: number,
  signature: Uint8Array,
): string {
  if (!isValidKeyName(keyName))
    throw new MalformedNoteError(`invalid key name ${JSON.stringify(keyName)}`);
  const bytes = Buffer.alloc(4 + signature.length);
  bytes.writeUInt32BE(keyHash, 0);
  bytes.set(signature, 4);
  return `${EM_DASH} ${keyName} ${toBase64(bytes)}\n`;
}

/** Key ID of an ECDSA (type 0x02) key: the first 4 bytes of SHA-256 of its DER SPKI. */
export function ecdsaKeyHash(spki: Uint8Array): number {
  return createHash('sha256').update(spki).digest().readUInt32BE(0);
}

/**
 * The verifier-key string other note implementations read (Go's transparency-dev/witness
 * note.NewVerifier): "<name>+<8 hex key ID>+<base64(0x02 || DER SPKI)>".
 */
export function ecdsaVerifierKey(keyName: string, spki: Uint8Array): string {
  if (!isValidKeyName(keyName))
    throw new MalformedNoteError(`invalid key name ${JSON.stringify(keyName)}`);
  const typed = Buffer.concat([Buffer.from([ECDSA_SIGNATURE_TYPE]), spki]);
  return `${keyName}+${formatKeyHash(ecdsaKeyHash(spki))}+${toBase64(typed)}`;
}

/** Parses a verifier-key string made by ecdsaVerifierKey (or by another 0x02 implementation). */
export function noteVerifierFromKey(vkey: string): NoteVerifier {
  // Split at the first two '+' only: base64 has '+' in its alphabet.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) {
    throw new MalformedNoteError('a verifier key is "<name>+<key ID>+<base64 key>"');
  }
  const keyName = vkey.slice(0, first);
  const hashText = vkey.slice(first + 1, second);
  const encoded = vkey.slice(second + 1);
  let typed: Buffer;
  try {
    typed = fromBase64(encoded, 'verifier key');
  } catch {
    throw new MalformedNoteError('the verifier key is not canonical base64');
  }
  if (typed[0] !== ECDSA_SIGNATURE_TYPE) {
    throw new MalformedNoteError(`signature type ${typed[0]} is not ECDSA (0x02)`);
  }
  const verifier = ecdsaNoteVerifier(keyName, typed.subarray(1));
  if (hashText !== formatKeyHash(verifier.keyHash)) {
    throw new MalformedNoteError(
      `the verifier key says key ID ${hashText}, its key hashes to ${formatKeyHash(verifier.keyHash)}`,
    );
  }
  return verifier;
}

/** Verifier for type 0x02 signatures by the P-256 key with this DER SPKI under keyName. */
export function ecdsaNoteVerifier(keyName: string, spki: Uint8Array): NoteVerifier {
  if (!isValidKeyName(keyName))
    throw new MalformedNoteError(`invalid key name ${JSON.stringify(keyName)}`);
  const key: KeyObject = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new MalformedNoteError('only ECDSA P-256 keys are supported');
  }
  return {
    keyName,
    keyHash: ecdsaKeyHash(spki),
    verify(text, signature) {
      let raw: Buffer;
      try {
        // Strict DER first: node would accept some non-canonical encodings of the same (r, s).
        raw = derSignatureToRaw(signature);
      } catch (error) {
        if (error instanceof SignatureEncodingError) return false;
        throw error;
      }
      return verify('sha256', text, { key, dsaEncoding: 'ieee-p1363' }, raw);
    },
  };
}

/**
 * Verifies a signed note against trusted keys, following the spec: signatures from unknown
 * (name, key ID) pairs are ignored; a signature from a known key that fails rejects the whole
 * note (BadSignatureError); a note with no verified signature is rejected (UnknownKeyError).
 * Returns the text and the verifiers whose signatures verified.
 */
export function openSignedNote(
  note: string,
  verifiers: readonly NoteVerifier[],
): { text: string; verifiedBy: NoteVerifier[] } {
  const { text, signatures } = parseSignedNote(note);
  const textBytes = Buffer.from(text, 'utf8');
  const verifiedBy: NoteVerifier[] = [];
  for (const signature of signatures) {
    const known = verifiers.filter(
      (v) => v.keyName === signature.keyName && v.keyHash === signature.keyHash,
    );
    for (const verifier of known) {
      if (!verifier.verify(textBytes, signature.signature)) {
        throw new BadSignatureError(signature.keyName, signature.keyHash);
      }
      if (!verifiedBy.includes(verifier)) verifiedBy.push(verifier);
    }
  }
  if (verifiedBy.length === 0) {
    throw new UnknownKeyError(signatures.map(({ keyName, keyHash }) => ({ keyName, keyHash })));
  }
  return { text, verifiedBy };
}
