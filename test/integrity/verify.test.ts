import fc from 'fast-check';
import { RootMismatchError } from '../../src/integrity/errors';
import {
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceRoot,
} from '../../src/integrity/reference';
import { consistencyProofPlan, inclusionProofPlan } from '../../src/integrity/proof';
import { emptyRoot, hashLeaf } from '../../src/integrity/rfc6962';
import {
  consistencyProofLength,
  inclusionProofLength,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/integrity/verify';
import { seededLeafHashes } from './support/trees';
import { hex, readJson, unhex, vectors } from './support/vectors';

const leafHashes = vectors.leaves.map((leaf) => hashLeaf(unhex(leaf)));
const root = (size: number): Buffer => unhex(vectors.roots[size] as string);

interface ExpectedError {
  name: string;
  message: string;
}

const inclusionNegative = readJson<{
  cases: {
    desc: string;
    index: number;
    size: number;
    leafHash: string;
    root: string;
    proof: string[];
    error: ExpectedError;
  }[];
}>('inclusion-negative.json').cases;

const consistencyNegative = readJson<{
  cases: {
    desc: string;
    size1: number;
    size2: number;
    root1: string;
    root2: string;
    proof: string[];
    error: ExpectedError;
  }[];
}>('consistency-negative.json').cases;

function thrown(action: () => void): ExpectedError | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
}

describe('verifyInclusion', () => {
  it.each(vectors.inclusion.map((v) => [v.index, v.size, v.proof]))(
    'accepts the known proof of leaf %i in size %i',
    (index, size, proof) => {
      const i = index as number;
      const n = size as number;
      expect(() =>
        verifyInclusion(leafHashes[i] as Buffer, i, n, (proof as string[]).map(unhex), root(n)),
      ).not.toThrow();
    },
  );

  it.each(inclusionNegative.map((c) => [c.desc, c]))('rejects %s', (_desc, c) => {
    const {
      index,
      size,
      leafHash,
      root: r,
      proof,
      error,
    } = c as (typeof inclusionNegative)[number];
    expect(
      thrown(() => verifyInclusion(unhex(leafHash), index, size, proof.map(unhex), unhex(r))),
    ).toEqual(error);
  });

  it('carries the expected and calculated roots in its error', () => {
    const wrong = Buffer.alloc(32, 7);
    try {
      verifyInclusion(leafHashes[0] as Buffer, 0, 2, [leafHashes[1] as Buffer], wrong);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(RootMismatchError);
      expect(hex((error as RootMismatchError).expected)).toBe(hex(wrong));
      expect(hex((error as RootMismatchError).calculated)).toBe(vectors.roots[2]);
    }
  });

  it('rejects a fractional or negative index', () => {
    expect(thrown(() => rootFromInclusionProof(leafHashes[0] as Buffer, 0.5, 2, []))).toEqual({
      name: 'InvalidTreeNumberError',
      message: 'index 0.5 is not a non-negative safe integer',
    });
    expect(thrown(() => rootFromInclusionProof(leafHashes[0] as Buffer, -1, 2, []))).toEqual({
      name: 'InvalidTreeNumberError',
      message: 'index -1 is not a non-negative safe integer',
    });
  });

  it('rejects any inclusion in the empty tree', () => {
    expect(thrown(() => verifyInclusion(leafHashes[0] as Buffer, 0, 0, [], emptyRoot()))).toEqual({
      name: 'IndexOutOfRangeError',
      message: 'leaf index 0 is outside a tree of size 0',
    });
  });

  it('accepts reference proofs for random trees and leaves', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 300 })
          .chain((size) => fc.tuple(fc.constant(size), fc.nat({ max: size - 1 }))),
        ([size, index]) => {
          const leaves = seededLeafHashes(size, index);
          const proof = referenceInclusionProof(leaves, index);
          verifyInclusion(leaves[index] as Buffer, index, size, proof, referenceRoot(leaves));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('verifyConsistency', () => {
  it.each(vectors.consistency.map((v) => [v.size1, v.size2, v.proof]))(
    'accepts the known proof from size %i to %i',
    (size1, size2, proof) => {
      const [a, b] = [size1 as number, size2 as number];
      expect(() =>
        verifyConsistency(a, b, root(a), root(b), (proof as string[]).map(unhex)),
      ).not.toThrow();
    },
  );

  it.each(consistencyNegative.map((c) => [c.desc, c]))('rejects %s', (_desc, c) => {
    const { size1, size2, root1, root2, proof, error } = c as (typeof consistencyNegative)[number];
    expect(
      thrown(() => verifyConsistency(size1, size2, unhex(root1), unhex(root2), proof.map(unhex))),
    ).toEqual(error);
  });

  it('accepts the empty tree as the start of any tree', () => {
    expect(() => verifyConsistency(0, 8, emptyRoot(), root(8), [])).not.toThrow();
  });

  it('rejects a size-0 start whose root is not the empty-tree root', () => {
    expect(thrown(() => verifyConsistency(0, 8, root(1), root(8), []))).toEqual({
      name: 'RootMismatchError',
      message: `root1 mismatch: expected ${vectors.roots[1]}, calculated ${vectors.emptyRoot}`,
    });
  });

  it('accepts equal sizes with equal roots and an empty proof', () => {
    expect(() => verifyConsistency(5, 5, root(5), root(5), [])).not.toThrow();
  });

  it('rejects equal sizes with different roots', () => {
    expect(thrown(() => verifyConsistency(5, 5, root(5), root(6), []))).toEqual({
      name: 'RootMismatchError',
      message: `root2 mismatch: expected ${vectors.roots[6]}, calculated ${vectors.roots[5]}`,
    });
  });

  it('rejects equal sizes with a non-empty proof', () => {
    expect(thrown(() => verifyConsistency(5, 5, root(5), root(5), [root(5)]))).toEqual({
      name: 'ProofLengthError',
      message: 'proof has 1 hashes, expected 0',
    });
  });

  it('accepts reference proofs for random size pairs', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 300 })
          .chain((size2) => fc.tuple(fc.nat({ max: size2 }), fc.constant(size2))),
        ([size1, size2]) => {
          const leaves = seededLeafHashes(size2, size1);
          const proof = referenceConsistencyProof(leaves, size1);
          verifyConsistency(
            size1,
            size2,
            referenceRoot(leaves.slice(0, size1)),
            referenceRoot(leaves),
            proof,
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('proof lengths', () => {
  it('match the reference inclusion proofs for every leaf of every tree up to 64 leaves', () => {
    const leaves = seededLeafHashes(64, 0);
    for (let size = 1; size <= 64; size++) {
      for (let index = 0; index < size; index++) {
        expect([size, index, inclusionProofLength(index, size)]).toEqual([
          size,
          index,
          referenceInclusionProof(leaves.slice(0, size), index).length,
        ]);
      }
    }
  });

  it('match the reference consistency proofs for every size pair up to 64 leaves', () => {
    const leaves = seededLeafHashes(64, 0);
    for (let size2 = 0; size2 <= 64; size2++) {
      for (let size1 = 0; size1 <= size2; size1++) {
        expect([size1, size2, consistencyProofLength(size1, size2)]).toEqual([
          size1,
          size2,
          referenceConsistencyProof(leaves.slice(0, size2), size1).length,
        ]);
      }
    }
  });

  it('match the RFC 6962 recursion beyond 32 bits', () => {
    const size = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(
        size.chain((n) => fc.tuple(fc.constant(n), fc.nat({ max: n - 1 }))),
        ([n, index]) => {
          expect(inclusionProofLength(index, n)).toBe(inclusionProofPlan(index, n).length);
        },
      ),
    );
    fc.assert(
      fc.property(
        size.chain((n) => fc.tuple(fc.nat({ max: n }), fc.constant(n))),
        ([size1, size2]) => {
          expect(consistencyProofLength(size1, size2)).toBe(
            consistencyProofPlan(size1, size2).length,
          );
        },
      ),
    );
  });
});
