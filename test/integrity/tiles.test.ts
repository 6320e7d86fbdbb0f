import { appendLeaves, emptyFrontier } from '../../src/integrity/compact';
import { buildConsistencyProof, buildInclusionProof, buildRoot } from '../../src/integrity/proof';
import { referenceRoot } from '../../src/integrity/reference';
import { verifyInclusion } from '../../src/integrity/verify';
import {
  tileAppends,
  tileForNode,
  tileKey,
  TileNodeStore,
  tilePath,
  tileWidthAt,
  type TileAppend,
  type TileReader,
  type TileRequest,
} from '../../src/integrity/tiles';
import { buildTree, seededLeafHashes } from './support/trees';
import { hex } from './support/vectors';

/** Tiles kept in memory the way a blob store would keep them: each append must extend the tile. */
class MemoryTiles implements TileReader {
  readonly tiles = new Map<string, Buffer>();
  readonly requests: TileRequest[][] = [];

  apply(appends: readonly TileAppend[]): void {
    for (const append of appends) {
      const current = this.tiles.get(tileKey(append)) ?? Buffer.alloc(0);
      if (current.length !== append.offset * 32)
        throw new Error(`tile ${tileKey(append)} append out of order`);
      this.tiles.set(tileKey(append), Buffer.concat([current, ...append.hashes]));
    }
  }

  widths(): Record<string, number> {
    return Object.fromEntries([...this.tiles].map(([key, data]) => [key, data.length / 32]));
  }

  async readTiles(requests: readonly TileRequest[]): Promise<Map<string, Uint8Array>> {
    this.requests.push([...requests]);
    return new Map(
      requests.map((r) => [tileKey(r), this.tiles.get(tileKey(r)) ?? Buffer.alloc(0)]),
    );
  }
}

function tiledTree(leaves: readonly Buffer[], batch: number): MemoryTiles {
  const tiles = new MemoryTiles();
  let frontier = emptyFrontier();
  for (let start = 0; start < leaves.length; start += batch) {
    const appended = appendLeaves(frontier, leaves.slice(start, start + batch));
    frontier = appended.frontier;
    tiles.apply(tileAppends(appended.completed));
  }
  return tiles;
}

describe('tile paths (c2sp.org/tlog-tiles)', () => {
  it('encodes the index in x-prefixed 3-digit groups', () => {
    expect(tilePath({ level: 0, index: 1234067 }, 256)).toBe('tile/0/x001/x234/067');
  });

  it('pads small indices to three digits', () => {
    expect(tilePath({ level: 2, index: 5 }, 256)).toBe('tile/2/005');
  });

  it('marks partial tiles with their width', () => {
    expect(tilePath({ level: 1, index: 1000 }, 17)).toBe('tile/1/x001/000.p/17');
  });
});

describe('tileWidthAt', () => {
  it('counts the leaves of a level 0 tile', () => {
    expect(
      [0, 1, 255, 256, 300, 600].map((size) => tileWidthAt({ level: 0, index: 1 }, size)),
    ).toEqual([0, 0, 0, 0, 44, 256]);
  });

  it('counts the complete level 8 nodes of a level 1 tile', () => {
    expect([255, 256, 70_000].map((size) => tileWidthAt({ level: 1, index: 0 }, size))).toEqual([
      0, 1, 256,
    ]);
  });
});

describe('tileForNode', () => {
  it('finds a leaf hash in its level 0 tile', () => {
    expect(tileForNode({ level: 0, index: 600 })).toEqual({
      tile: { level: 0, index: 2 },
      first: 88,
      count: 1,
    });
  });

  it('computes an intermediate node from the tile hashes below it', () => {
    expect(tileForNode({ level: 3, index: 33 })).toEqual({
      tile: { level: 0, index: 1 },
      first: 8,
      count: 8,
    });
  });

  it('finds a level 8 node in a level 1 tile', () => {
    expect(tileForNode({ level: 9, index: 3 })).toEqual({
      tile: { level: 1, index: 0 },
      first: 6,
      count: 2,
    });
  });
});

const leaves = seededLeafHashes(70000, 1);
const tiles = tiledTree(leaves, 1000);

describe('tileAppends', () => {
  it('lays out a tree of 70,000 leaves as the tlog-tiles specification describes', () => {
    const widths = tiles.widths();
    const level0 = Object.entries(widths).filter(([key]) => key.startsWith('0/'));
    expect(level0.filter(([, width]) => width === 256)).toHaveLength(273);
    expect(widths['0/273']).toBe(112);
    expect(widths['1/0']).toBe(256);
    expect(widths['1/1']).toBe(17);
    expect(widths['2/0']).toBe(1);
    expect(Object.keys(widths)).toHaveLength(277);
  });

  it('represents a tree of 256 leaves as a full level 0 tile and a level 1 tile of width 1', () => {
    expect(tiledTree(seededLeafHashes(256, 2), 100).widths()).toEqual({ '0/0': 256, '1/0': 1 });
  });

  it('refuses completed nodes that leave a gap in a tile', () => {
    const { completed } = appendLeaves(emptyFrontier(), seededLeafHashes(3, 3));
    const withGap = completed.filter((node) => !(node.level === 0 && node.index === 1));
    expect(() => tileAppends(withGap)).toThrow(
      new Error('tile 0/0: completed nodes are not contiguous: position 2 follows 0'),
    );
  });
});

describe('TileNodeStore', () => {
  const store = new TileNodeStore(tiles);
  const everyNode = buildTree(leaves).store;

  it.each([
    [0, 1],
    [5, 1000],
    [999, 1000],
    [12345, 69999],
    [69999, 70000],
  ])(
    'builds the same inclusion proof for leaf %i of %i as a store of every node',
    async (index, size) => {
      const proof = await buildInclusionProof(store, index, size);
      expect(proof.map(hex)).toEqual((await buildInclusionProof(everyNode, index, size)).map(hex));
      verifyInclusion(
        leaves[index] as Buffer,
        index,
        size,
        proof,
        await buildRoot(everyNode, size),
      );
    },
  );

  it.each([1, 255, 256, 257])('rebuilds the reference root of size %i', async (size) => {
    expect(hex(await buildRoot(store, size))).toBe(hex(referenceRoot(leaves.slice(0, size))));
  });

  it.each([65535, 65536, 65537, 70000])('rebuilds the root of size %i', async (size) => {
    expect(hex(await buildRoot(store, size))).toBe(hex(await buildRoot(everyNode, size)));
  });

  it.each([
    [300, 700],
    [256, 65536],
    [65000, 70000],
  ])(
    'builds the same consistency proof from %i to %i as a store of every node',
    async (size1, size2) => {
      const proof = await buildConsistencyProof(store, size1, size2);
      expect(proof.map(hex)).toEqual(
        (await buildConsistencyProof(everyNode, size1, size2)).map(hex),
      );
    },
  );

  it('reads each tile at most once per proof', async () => {
    tiles.requests.length = 0;
    await buildInclusionProof(store, 40000, 70000);
    const keys = tiles.requests.flat().map(tileKey);
    expect(tiles.requests).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('rejects a tile shorter than the node it must hold', async () => {
    const short = new TileNodeStore({
      readTiles: async () => new Map([['0/0', Buffer.alloc(64)]]),
    });
    await expect(short.getNodes([{ level: 0, index: 5 }])).rejects.toThrow(
      new Error('tile 0/0: has 2 hashes, node 0/5 needs 6'),
    );
  });

  it('rejects a tile that is not a whole number of hashes', async () => {
    const ragged = new TileNodeStore({
      readTiles: async () => new Map([['0/0', Buffer.alloc(40)]]),
    });
    await expect(ragged.getNodes([{ level: 0, index: 0 }])).rejects.toThrow(
      new Error('tile 0/0: 40 bytes is not a whole number of hashes'),
    );
  });

  it('rejects a reader that leaves a tile out', async () => {
    const forgetful = new TileNodeStore({ readTiles: async () => new Map() });
    await expect(forgetful.getNodes([{ level: 8, index: 0 }])).rejects.toThrow(
      new Error('tile 1/0: the tile reader did not return it'),
    );
  });
});
