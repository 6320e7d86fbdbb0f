import fc from 'fast-check';
import { fromBase64, toBase64 } from '../../src/integrity';
import type { JsonWebKeySet } from '../../src/keys/types';
import { proveEvent, sealPartitions } from '../../src/seal';
import { ProofDocumentError, verifyProofDocument, type ProofDocument } from '../../src/verify';
import { ingestHarness } from '../support/ingest-harness';
import { testBody } from '../support/events';

/**
 * The offline verifier never accepts an altered proof document: every mutation of a genuine document
 * (a bit of the record, the leaf, a proof hash or the note; an index, a size, a name; hashes added,
 * dropped or swapped) is rejected with ProofDocumentError, and nothing else is thrown.
 */

let genuine: ProofDocument;
let publicKeys: JsonWebKeySet;

beforeAll(async () => {
  const harness = await ingestHarness(undefined, undefined, { integrity: true });
  await harness.deliver(
    '0',
    Array.from({ length: 37 }, (_, i) => ({ sequenceNumber: i, body: testBody(i) })),
  );
  await sealPartitions(harness.integrity, new Date('2026-11-26T11:00:00.000Z'));
  const result = await proveEvent(harness.integrity, ['acme'], 'evt-000021');
  if (result.status !== 'proved') throw new Error('no proof');
  genuine = result.document;
  publicKeys = await harness.integrity.keys.publicJwks();
});

function flipBit(base64: string, bit: number): string {
  const bytes = Buffer.from(fromBase64(base64, 'field'));
  const at = bit % (bytes.length * 8);
  bytes[at >> 3] = (bytes[at >> 3] as number) ^ (1 << (at & 7));
  return toBase64(bytes);
}

type Mutate = (doc: ProofDocument) => ProofDocument;

const mutations: fc.Arbitrary<Mutate> = fc.oneof(
  fc.nat().map((bit): Mutate => (doc) => ({ ...doc, record: flipBit(doc.record, bit) })),
  fc.nat().map((bit): Mutate => (doc) => ({ ...doc, leafHash: flipBit(doc.leafHash, bit) })),
  fc.tuple(fc.nat(), fc.nat()).map(([which, bit]): Mutate => (doc) => {
    const proof = [...doc.inclusionProof];
    const at = which % proof.length;
    proof[at] = flipBit(proof[at] as string, bit);
    return { ...doc, inclusionProof: proof };
  }),
  fc.nat().map((which): Mutate => (doc) => ({
    ...doc,
    inclusionProof: doc.inclusionProof.filter((_, i) => i !== which % doc.inclusionProof.length),
  })),
  fc.nat().map((which): Mutate => (doc) => {
    const proof = [...doc.inclusionProof];
    proof.splice(which % (proof.length + 1), 0, toBase64(Buffer.alloc(32, 7)));
    return { ...doc, inclusionProof: proof };
  }),
  fc.nat().map((which): Mutate => (doc) => {
    const proof = [...doc.inclusionProof];
    const at = which % (proof.length - 1);
    [proof[at], proof[at + 1]] = [proof[at + 1] as string, proof[at] as string];
    return { ...doc, inclusionProof: proof };
  }),
  fc
    .integer({ min: -3, max: 40 })
    .filter((d) => d !== 0)
    .map((delta): Mutate => (doc) => ({ ...doc, logIndex: doc.logIndex + delta })),
  fc
    .integer({ min: -36, max: 40 })
    .filter((d) => d !== 0)
    .map((delta): Mutate => (doc) => ({ ...doc, treeSize: doc.treeSize + delta })),
  fc.tuple(fc.nat(), fc.integer({ min: 32, max: 126 })).map(([position, code]): Mutate => (doc) => {
    const at = position % doc.checkpoint.length;
    const replaced = String.fromCharCode(code);
    if (doc.checkpoint[at] === replaced) return { ...doc, checkpoint: `${doc.checkpoint} ` };
    return {
      ...doc,
      checkpoint: doc.checkpoint.slice(0, at) + replaced + doc.checkpoint.slice(at + 1),
    };
  }),
  fc
    .constantFrom<keyof ProofDocument>('eventId', 'tenant', 'region', 'partition')
    .map((field): Mutate => (doc) => ({ ...doc, [field]: `${String(doc[field])}x` })),
  fc.constant<Mutate>((doc) => ({ ...doc, format: 'sql-mcp-audit.inclusion-proof.v2' as never })),
);

describe('verifyProofDocument under mutation', () => {
  it('accepts the genuine document', () => {
    expect(verifyProofDocument(genuine, publicKeys).record.event.id).toBe('evt-000021');
  });

  it('never accepts a mutated document, and rejects it with ProofDocumentError', () => {
    fc.assert(
      fc.property(mutations, (mutate) => {
        const mutated = mutate(genuine);
        if (JSON.stringify(mutated) === JSON.stringify(genuine)) return true;
        try {
          verifyProofDocument(mutated, publicKeys);
          return false;
        } catch (error) {
          return error instanceof ProofDocumentError;
        }
      }),
      { numRuns: 1500 },
    );
  });
});
