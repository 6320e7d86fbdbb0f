import {
  BadSignatureError,
  ecdsaKeyHash,
  ecdsaNoteVerifier,
  ecdsaVerifierKey,
  formatSignatureLine,
  MalformedNoteError,
  noteVerifierFromKey,
  openSignedNote,
  parseSignedNote,
  UnknownKeyError,
} from '../../src/integrity/note';
import { readJson } from './support/vectors';

const rekor = readJson<{
  keyName: string;
  spki: string;
  keyHash: string;
  logId: string;
  notes: string[];
}>('rekor-checkpoints.json');
const rekorSpki = Buffer.from(rekor.spki, 'base64');
const rekorVerifier = ecdsaNoteVerifier(rekor.keyName, rekorSpki);
const malformed = readJson<{ cases: { desc: string; note: string; message: string }[] }>(
  'note-malformed.json',
).cases;

describe('signed notes: interoperability with Sigstore Rekor checkpoints', () => {
  it('derives the type 0x02 key ID from SHA-256 of the DER public key', () => {
    expect(ecdsaKeyHash(rekorSpki).toString(16)).toBe(rekor.keyHash);
    expect(rekor.logId.startsWith(rekor.keyHash)).toBe(true);
  });

  it.each(rekor.notes.map((note, i) => [i, note]))(
    'verifies published checkpoint %i',
    (_i, note) => {
      const { text, verifiedBy } = openSignedNote(note as string, [rekorVerifier]);
      expect(text.startsWith('rekor.sigstore.dev - 1193050959916656506\n')).toBe(true);
      expect(verifiedBy).toEqual([rekorVerifier]);
    },
  );

  it('rejects a published checkpoint whose tree size was changed', () => {
    const altered = (rekor.notes[0] as string).replace('\n25232885\n', '\n25232886\n');
    expect(() => openSignedNote(altered, [rekorVerifier])).toThrow(
      new BadSignatureError(rekor.keyName, 0xc0d23d6a),
    );
    expect(() => openSignedNote(altered, [rekorVerifier])).toThrow(
      new Error('signature by rekor.sigstore.dev+c0d23d6a does not verify'),
    );
  });

  it('ignores the signature when the verifier knows the key under another name', () => {
    const other = ecdsaNoteVerifier('rekor.example', rekorSpki);
    expect(() => openSignedNote(rekor.notes[0] as string, [other])).toThrow(UnknownKeyError);
    expect(() => openSignedNote(rekor.notes[0] as string, [other])).toThrow(
      new Error('no signature by a known key; signatures present: rekor.sigstore.dev+c0d23d6a'),
    );
  });

  it('writes the verifier key that Go note verifiers read', () => {
    expect(ecdsaVerifierKey(rekor.keyName, rekorSpki)).toBe(
      `rekor.sigstore.dev+c0d23d6a+${Buffer.concat([Buffer.from([2]), rekorSpki]).toString('base64')}`,
    );
  });

  it('reads a verifier key back into a working verifier', () => {
    const verifier = noteVerifierFromKey(ecdsaVerifierKey(rekor.keyName, rekorSpki));
    expect(openSignedNote(rekor.notes[1] as string, [verifier]).verifiedBy).toEqual([verifier]);
  });

  it('refuses a verifier key whose key ID does not match its key', () => {
    const typed = Buffer.concat([Buffer.from([2]), rekorSpki]).toString('base64');
    expect(() => noteVerifierFromKey(`rekor.sigstore.dev+12345678+${typed}`)).toThrow(
      new Error(
        'malformed signed note: the verifier key says key ID 12345678, its key hashes to c0d23d6a',
      ),
    );
  });

  it('refuses a verifier key of another signature type', () => {
    const typed = Buffer.concat([Buffer.from([1]), Buffer.alloc(32)]).toString('base64');
    expect(() => noteVerifierFromKey(`example.org+00000000+${typed}`)).toThrow(
      new Error('malformed signed note: signature type 1 is not ECDSA (0x02)'),
    );
  });
});

describe('parseSignedNote', () => {
  it('splits the text (with its final newline) from the signatures', () => {
    const note = 'a\n\nb\n\n\u2014 k1 AAAAAQI=\n\u2014 k2 AAAAAgME\n';
    expect(parseSignedNote(note)).toEqual({
      text: 'a\n\nb\n',
      signatures: [
        { keyName: 'k1', keyHash: 1, signature: Buffer.from([2]) },
        { keyName: 'k2', keyHash: 2, signature: Buffer.from([3, 4]) },
      ],
    });
  });

  it.each(malformed.map((c) => [c.desc, c.note, c.message]))(
    'rejects a note with %s',
    (_desc, note, message) => {
      expect(() => parseSignedNote(note as string)).toThrow(MalformedNoteError);
      expect(() => parseSignedNote(note as string)).toThrow(new Error(message as string));
    },
  );

  it('accepts 100 signatures and refuses 101', () => {
    const line = formatSignatureLine('k', 1, Buffer.from([1]));
    expect(parseSignedNote(`t\n\n${line.repeat(100)}`).signatures).toHaveLength(100);
    expect(() => parseSignedNote(`t\n\n${line.repeat(101)}`)).toThrow(
      new Error('malformed signed note: 101 signatures, at most 100'),
    );
  });

  it('formats a signature line with a big-endian key ID', () => {
    expect(formatSignatureLine('example.org/log', 0xc0d23d6a, Buffer.from([0xff]))).toBe(
      '\u2014 example.org/log wNI9av8=\n',
    );
  });
});
