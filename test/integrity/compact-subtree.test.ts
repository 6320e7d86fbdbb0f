import fc from 'fast-check';
import {
  appendLeaves,
  appendSubtree,
  emptyFrontier,
  FrontierFormatError,
  rootOf,
} from '../../src/integrity/compact';
import { HashLengthError } from '../../src/integrity/errors';
import { nodeKey } from '../../src/integrity/nodes';
import { referenceRoot } from '../../src/integrity/reference';
import { rangeNodes } from '../../src/integrity/tree-math';
import { buildTree, seededLeafHashes } from './support/trees';
import { hex } from './support/vectors';

describe('appendSubtree', () => {
  it('appends a level-2 subtree as if its four leaves were appended', async () => {
    const leaves = seededLeafHashes(8, 1);
    const { store } = buildTree(leaves);
    const half = appendLeaves(emptyFrontier(), leaves.slice(0, 4)).frontier;
    const right = (await store.getNodes([{ level: 2, index: 1 }])).get('2/1') as Uint8Array;
    const extended = appendSubtree(half, 2, right);
    expect([extended.size, hex(rootOf(extended))]).toEqual([8, hex(referenceRoot(leaves))]);
  });

  it('gives the root of [0, end) from the frontier of [0, begin) and the nodes of [begin, end)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        (end, cut) => {
          const begin = cut % (end + 1);
          const leaves = seededLeafHashes(end, end);
          const { completed } = appendLeaves(emptyFrontier(), leaves);
          const nodes = new Map(completed.map((node) => [nodeKey(node), node.hash]));
          let frontier = appendLeaves(emptyFrontier(), leaves.slice(0, begin)).frontier;
          for (const id of rangeNodes(begin, end)) {
            frontier = appendSubtree(frontier, id.level, nodes.get(nodeKey(id)) as Uint8Array);
          }
          return frontier.size === end && hex(rootOf(frontier)) === hex(referenceRoot(leaves));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a subtree that would not start at a multiple of its width', () => {
    const frontier = appendLeaves(emptyFrontier(), seededLeafHashes(3, 2)).frontier;
    expect(() => appendSubtree(frontier, 1, seededLeafHashes(1, 3)[0] as Uint8Array)).toThrow(
      new FrontierFormatError('a subtree of level 1 cannot start at leaf 3: not a multiple of 2'),
    );
  });

  it('refuses a subtree hash that is not 32 bytes', () => {
    expect(() => appendSubtree(emptyFrontier(), 0, Buffer.alloc(31))).toThrow(
      new HashLengthError('subtree hash', 31),
    );
  });
});
