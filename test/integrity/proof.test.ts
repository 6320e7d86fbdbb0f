import fc from 'fast-check';
import { IndexOutOfRangeError, SizeOrderError } from '../../src/integrity/errors';
import { MissingNodeError, nodeKey, type NodeId, type NodeStore } from '../../src/integrity/nodes';
import {
  buildConsistencyProof,
  buildInclusionProof,
  buildRoot,
  consistencyProofPlan,
  inclusionProofPlan,
  planNodeIds,
} from '../../src/integrity/proof';
import {
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceRoot,
} from '../../src/integrity/reference';
import { hashLeaf } from '../../src/integrity/rfc6962';
import { buildTree, seededLeafHashes } from './support/trees';
import { hex, unhex, vectors } from './support/vectors';

const testTree = buildTree(vectors.leaves.map((leaf) => hashLeaf(unhex(leaf))));

/** A store that answers any node with a fixed hash and records what was asked. */
class CountingStore implements NodeStore {
  requests: NodeId[][] = [];
  async getNodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
    this.requests.push([...ids]);
    return new Map(ids.map((id) => [nodeKey(id), Buffer.alloc(32, id.level)]));
  }
}

describe('inclusion proofs from stored nodes', () => {
  it.each(vectors.inclusion.map((v) => [v.index, v.size, v.proof]))(
    'builds the known proof of leaf %i in size %i',
    async (index, size, proof) => {
      const actual = await buildInclusionProof(testTree.store, index as number, size as number);
      expect(actual.map(hex)).toEqual(proof);
    },
  );

  it('plans the leaf ranges of RFC 6962 PATH (leaf 5 of 7)', () => {
    expect(inclusionProofPlan(5, 7)).toEqual([
      { begin: 4, end: 5 },
      { begin: 6, end: 7 },
      { begin: 0, end: 4 },
    ]);
  });

  it('matches the reference proof for random trees and leaves', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 200 })
          .chain((size) =>
            fc.tuple(
              fc.constant(size),
              fc.integer({ min: 0, max: size - 1 }),
              fc.integer({ min: size, max: 260 }),
            ),
          ),
        async ([size, index, stored]) => {
          const leaves = seededLeafHashes(stored, size);
          const { store } = buildTree(leaves);
          const proof = await buildInclusionProof(store, index, size);
          expect(proof.map(hex)).toEqual(
            referenceInclusionProof(leaves.slice(0, size), index).map(hex),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fetches O(log n) nodes in one round trip, even for a tree of 2^40 + 12345 leaves', async () => {
    const store = new CountingStore();
    await buildInclusionProof(store, 2 ** 39 + 77, 2 ** 40 + 12345);
    expect(store.requests).toHaveLength(1);
    expect(store.requests[0]?.length).toBeLessThanOrEqual(2 * 41);
  });

  it('rejects an index outside the tree', async () => {
    await expect(buildInclusionProof(testTree.store, 8, 8)).rejects.toThrow(
      new IndexOutOfRangeError(8, 8),
    );
    await expect(buildInclusionProof(testTree.store, 8, 8)).rejects.toThrow(
      new Error('leaf index 8 is outside a tree of size 8'),
    );
  });

  it('reports the nodes a store is missing', async () => {
    const { store } = buildTree(seededLeafHashes(4, 1));
    await expect(buildInclusionProof(store, 0, 5)).rejects.toThrow(MissingNodeError);
    await expect(buildInclusionProof(store, 0, 5)).rejects.toThrow(
      new Error('node store has no hash for 0/4'),
    );
  });
});

describe('consistency proofs from stored nodes', () => {
  it.each(vectors.consistency.map((v) => [v.size1, v.size2, v.proof]))(
    'builds the known proof from size %i to %i',
    async (size1, size2, proof) => {
      const actual = await buildConsistencyProof(testTree.store, size1 as number, size2 as number);
      expect(actual.map(hex)).toEqual(proof);
    },
  );

  it('plans the leaf ranges of RFC 6962 PROOF (3 to 7)', () => {
    expect(consistencyProofPlan(3, 7)).toEqual([
      { begin: 2, end: 3 },
      { begin: 3, end: 4 },
      { begin: 0, end: 2 },
      { begin: 4, end: 7 },
    ]);
  });

  it('is empty from the empty tree and between equal sizes', () => {
    expect(consistencyProofPlan(0, 9)).toEqual([]);
    expect(consistencyProofPlan(9, 9)).toEqual([]);
  });

  it('matches the reference proof for random size pairs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 0, max: 200 })
          .chain((size2) => fc.tuple(fc.integer({ min: 0, max: size2 }), fc.constant(size2))),
        async ([size1, size2]) => {
          const leaves = seededLeafHashes(size2, size1);
          const { store } = buildTree(leaves);
          const proof = await buildConsistencyProof(store, size1, size2);
          expect(proof.map(hex)).toEqual(referenceConsistencyProof(leaves, size1).map(hex));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fetches O(log n) nodes, even between trees of 2^40 + 3 and 2^45 + 12345 leaves', () => {
    const ids = planNodeIds(consistencyProofPlan(2 ** 40 + 3, 2 ** 45 + 12345));
    expect(ids.length).toBeLessThanOrEqual(2 * 46);
  });

  it('rejects a tree that shrank', async () => {
    await expect(buildConsistencyProof(testTree.store, 5, 4)).rejects.toThrow(
      new SizeOrderError(5, 4),
    );
    await expect(buildConsistencyProof(testTree.store, 5, 4)).rejects.toThrow(
      new Error('size1 5 is larger than size2 4'),
    );
  });
});

describe('buildRoot', () => {
  it.each(vectors.roots.map((root, size) => [size, root]))(
    'rebuilds the known root of size %i',
    async (size, root) => {
      expect(hex(await buildRoot(testTree.store, size as number))).toBe(root);
    },
  );

  it('rebuilds past roots of a larger tree', async () => {
    const leaves = seededLeafHashes(300, 7);
    const { store } = buildTree(leaves);
    for (const size of [1, 2, 3, 100, 255, 256, 257, 299, 300]) {
      expect(hex(await buildRoot(store, size))).toBe(hex(referenceRoot(leaves.slice(0, size))));
    }
  });
});
