import fc from 'fast-check';
import { ProofError } from '../../src/integrity/errors';
import {
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceRoot,
} from '../../src/integrity/reference';
import { verifyConsistency, verifyInclusion } from '../../src/integrity/verify';
import { seededLeafHashes } from './support/trees';

/**
 * Fuzzing of the verifiers: start from a valid proof, alter the hashes in one of many ways, and
 * require a ProofError, never acceptance and never another kind of exception. Sizes and indices
 * are altered only in the tests that also change what they are checked against, because a size
 * on its own is not authenticated: it comes from the same signed checkpoint as the root.
 */

type Hashes = Uint8Array[];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), position: fc.nat(), bit: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('drop' as const), position: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    position: fc.nat(),
    hash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  }),
  fc.record({ kind: fc.constant('duplicate' as const), position: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    kind: fc.constant('truncateHash' as const),
    position: fc.nat(),
    length: fc.nat({ max: 31 }),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** Applies the mutation to the list; returns undefined when it would leave the list unchanged. */
function mutate(hashes: Hashes, m: Mutation): Hashes | undefined {
  const out: Uint8Array[] = hashes.map((h) => Uint8Array.from(h));
  const at = (n: number) => n % Math.max(out.length, 1);
  switch (m.kind) {
    case 'flip': {
      if (out.length === 0) return undefined;
      const hash = out[at(m.position)] as Uint8Array;
      hash[m.bit >> 3] = (hash[m.bit >> 3] as number) ^ (1 << (m.bit & 7));
      return out;
    }
    case 'drop':
      if (out.length === 0) return undefined;
      out.splice(at(m.position), 1);
      return out;
    case 'insert':
      out.splice(m.position % (out.length + 1), 0, m.hash);
      return out;
    case 'duplicate':
      if (out.length === 0) return undefined;
      out.splice(at(m.position), 0, out[at(m.position)] as Uint8Array);
      return out;
    case 'swap': {
      const [a, b] = [at(m.a), at(m.b)];
      if (out.length < 2 || Buffer.compare(out[a] as Uint8Array, out[b] as Uint8Array) === 0)
        return undefined;
      [out[a], out[b]] = [out[b] as Uint8Array, out[a] as Uint8Array];
      return out;
    }
    case 'truncateHash':
      if (out.length === 0) return undefined;
      out[at(m.position)] = (out[at(m.position)] as Uint8Array).subarray(0, m.length);
      return out;
  }
}

function expectRejected(action: () => void): void {
  let error: unknown;
  try {
    action();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ProofError);
}

const inclusionCase = fc
  .integer({ min: 1, max: 200 })
  .chain((size) => fc.tuple(fc.constant(size), fc.nat({ max: size - 1 }), fc.integer()));

const consistencyCase = fc
  .integer({ min: 1, max: 200 })
  .chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2), fc.integer()));

describe('verifier fuzzing', () => {
  it('never accepts an altered inclusion proof', () => {
    fc.assert(
      fc.property(inclusionCase, mutation, ([size, index, seed], m) => {
        const leaves = seededLeafHashes(size, seed);
        const proof = mutate(referenceInclusionProof(leaves, index), m);
        fc.pre(proof !== undefined);
        expectRejected(() =>
          verifyInclusion(
            leaves[index] as Buffer,
            index,
            size,
            proof as Hashes,
            referenceRoot(leaves),
          ),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('never accepts an altered leaf or root', () => {
    fc.assert(
      fc.property(
        inclusionCase,
        fc.boolean(),
        fc.nat({ max: 255 }),
        ([size, index, seed], alterLeaf, bit) => {
          const leaves = seededLeafHashes(size, seed);
          const [leaf, root] = mutate([leaves[index] as Buffer, referenceRoot(leaves)], {
            kind: 'flip',
            position: alterLeaf ? 0 : 1,
            bit,
          }) as Hashes;
          expectRejected(() =>
            verifyInclusion(
              leaf as Uint8Array,
              index,
              size,
              referenceInclusionProof(leaves, index),
              root as Uint8Array,
            ),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never accepts a proof for another index of the same tree', () => {
    fc.assert(
      fc.property(inclusionCase, fc.nat(), ([size, index, seed], other) => {
        fc.pre(size > 1);
        const claimed = (index + 1 + (other % (size - 1))) % size;
        const leaves = seededLeafHashes(size, seed);
        const proof = referenceInclusionProof(leaves, index);
        expectRejected(() =>
          verifyInclusion(leaves[index] as Buffer, claimed, size, proof, referenceRoot(leaves)),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('never accepts an altered consistency proof', () => {
    fc.assert(
      fc.property(consistencyCase, mutation, ([size1, size2, seed], m) => {
        const leaves = seededLeafHashes(size2, seed);
        const proof = mutate(referenceConsistencyProof(leaves, size1), m);
        fc.pre(proof !== undefined);
        expectRejected(() =>
          verifyConsistency(
            size1,
            size2,
            referenceRoot(leaves.slice(0, size1)),
            referenceRoot(leaves),
            proof as Hashes,
          ),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('never accepts altered roots', () => {
    fc.assert(
      fc.property(
        consistencyCase,
        fc.nat({ max: 1 }),
        fc.nat({ max: 255 }),
        ([size1, size2, seed], which, bit) => {
          const leaves = seededLeafHashes(size2, seed);
          const [root1, root2] = mutate(
            [referenceRoot(leaves.slice(0, size1)), referenceRoot(leaves)],
            { kind: 'flip', position: which, bit },
          ) as Hashes;
          expectRejected(() =>
            verifyConsistency(
              size1,
              size2,
              root1 as Uint8Array,
              root2 as Uint8Array,
              referenceConsistencyProof(leaves, size1),
            ),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never accepts a consistency proof from a different tree of the same sizes', () => {
    fc.assert(
      fc.property(consistencyCase, ([size1, size2, seed]) => {
        fc.pre(size1 < size2);
        const honest = seededLeafHashes(size2, seed);
        const forged = honest.slice();
        forged[size1 - 1] = seededLeafHashes(1, seed + 1)[0] as Buffer;
        // The forged log rewrote an entry the old checkpoint already covered.
        expectRejected(() =>
          verifyConsistency(
            size1,
            size2,
            referenceRoot(honest.slice(0, size1)),
            referenceRoot(forged),
            referenceConsistencyProof(forged, size1),
          ),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('throws only ProofErrors on arbitrary input', () => {
    const hash = fc.uint8Array({ minLength: 0, maxLength: 40 });
    const number = fc.oneof(
      fc.nat({ max: 300 }),
      fc.integer(),
      fc.double(),
      fc.constant(Number.MAX_SAFE_INTEGER),
    );
    fc.assert(
      fc.property(
        number,
        number,
        hash,
        hash,
        fc.array(hash, { maxLength: 60 }),
        (a, b, x, y, proof) => {
          expectRejected(() => verifyInclusion(x, a, b, proof, y));
          expectRejected(() => verifyConsistency(a, b, x, y, proof.length === 0 ? [x] : proof));
        },
      ),
      { numRuns: 500 },
    );
  });
});
