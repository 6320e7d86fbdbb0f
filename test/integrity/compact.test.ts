import fc from 'fast-check';
import {
  appendLeaf,
  appendLeaves,
  emptyFrontier,
  frontierFromJson,
  frontierNodeIds,
  frontierToJson,
  rootOf,
} from '../../src/integrity/compact';
import { HashLengthError } from '../../src/integrity/errors';
import { nodeKey } from '../../src/integrity/nodes';
import { referenceRoot } from '../../src/integrity/reference';
import { hashLeaf } from '../../src/integrity/rfc6962';
import { seededLeafHashes } from './support/trees';
import { hex, unhex, vectors } from './support/vectors';

const leafHashes = vectors.leaves.map((leaf) => hashLeaf(unhex(leaf)));

describe('frontier (compact range)', () => {
  it('has the empty-tree root before any leaf', () => {
    expect(hex(rootOf(emptyFrontier()))).toBe(vectors.emptyRoot);
  });

  it.each(vectors.roots.map((root, size) => [size, root]).slice(1))(
    'reaches the known root after appending %i test leaves',
    (size, root) => {
      const { frontier } = appendLeaves(emptyFrontier(), leafHashes.slice(0, size as number));
      expect(hex(rootOf(frontier))).toBe(root);
    },
  );

  it('keeps one hash per complete subtree, largest first (size 7 = 4 + 2 + 1)', () => {
    const { frontier } = appendLeaves(emptyFrontier(), leafHashes.slice(0, 7));
    expect(frontier.hashes.map(hex)).toEqual([
      vectors.nodes[2]?.[0],
      vectors.nodes[1]?.[2],
      vectors.nodes[0]?.[6],
    ]);
    expect(frontierNodeIds(7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });

  it('reports every node of the 8-leaf tree exactly once, as it completes', () => {
    const { completed } = appendLeaves(emptyFrontier(), leafHashes);
    const expected = vectors.nodes.flatMap((level, l) =>
      level.map((hash, i) => `${l}/${i} ${hash}`),
    );
    expect(completed.map((node) => `${nodeKey(node)} ${hex(node.hash)}`).sort()).toEqual(
      expected.sort(),
    );
  });

  it('reports the leaf first and then each parent it closes', () => {
    const { frontier } = appendLeaves(emptyFrontier(), leafHashes.slice(0, 7));
    const completed: string[] = [];
    appendLeaf(frontier, leafHashes[7] as Buffer, (node) => completed.push(nodeKey(node)));
    expect(completed).toEqual(['0/7', '1/3', '2/1', '3/0']);
  });

  it('does not modify the frontier it appends to', () => {
    const { frontier } = appendLeaves(emptyFrontier(), leafHashes.slice(0, 3));
    const before = frontierToJson(frontier);
    appendLeaf(frontier, leafHashes[3] as Buffer);
    expect(frontierToJson(frontier)).toEqual(before);
  });

  it('rejects a leaf hash that is not 32 bytes', () => {
    expect(() => appendLeaf(emptyFrontier(), Buffer.alloc(31))).toThrow(
      new HashLengthError('leaf hash', 31),
    );
    expect(() => appendLeaf(emptyFrontier(), Buffer.alloc(31))).toThrow(
      new Error('leaf hash is 31 bytes, expected 32'),
    );
  });

  it('agrees with the reference root on random sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (size, seed) => {
        const leaves = seededLeafHashes(size, seed);
        const { frontier } = appendLeaves(emptyFrontier(), leaves);
        expect(frontier.size).toBe(size);
        expect(hex(rootOf(frontier))).toBe(hex(referenceRoot(leaves)));
      }),
      { numRuns: 60 },
    );
  });

  it('continues identically after a JSON round trip', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 40 }),
        (first, more) => {
          const leaves = seededLeafHashes(first + more, first);
          const head = appendLeaves(emptyFrontier(), leaves.slice(0, first)).frontier;
          const stored = JSON.parse(JSON.stringify(frontierToJson(head))) as unknown;
          const resumed = appendLeaves(frontierFromJson(stored), leaves.slice(first)).frontier;
          expect(hex(rootOf(resumed))).toBe(hex(referenceRoot(leaves)));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('frontierToJson / frontierFromJson', () => {
  it('stores the size and lower-case hex hashes', () => {
    const { frontier } = appendLeaves(emptyFrontier(), leafHashes.slice(0, 3));
    expect(frontierToJson(frontier)).toEqual({
      size: 3,
      hashes: [vectors.nodes[1]?.[0], vectors.nodes[0]?.[2]],
    });
  });

  it.each([
    [null, 'invalid frontier: not an object'],
    [{ size: -1, hashes: [] }, 'invalid frontier: size -1 is not a non-negative safe integer'],
    [{ size: 1.5, hashes: [] }, 'invalid frontier: size 1.5 is not a non-negative safe integer'],
    [{ size: '3', hashes: [] }, 'invalid frontier: size "3" is not a non-negative safe integer'],
    [{ size: 1, hashes: 'ab' }, 'invalid frontier: hashes is not an array of strings'],
    [{ size: 3, hashes: ['00'.repeat(32)] }, 'invalid frontier: size 3 needs 2 hashes, found 1'],
    [
      { size: 1, hashes: ['AB'.repeat(32)] },
      `hashes[0] "${'AB'.repeat(32)}" is not lower-case hex of 32 bytes`,
    ],
    [
      { size: 1, hashes: ['ab'.repeat(31)] },
      `hashes[0] "${'ab'.repeat(31)}" is not lower-case hex of 32 bytes`,
    ],
  ])('rejects %j', (json, message) => {
    expect(() => frontierFromJson(json)).toThrow(new Error(message));
  });
});
