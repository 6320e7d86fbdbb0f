import type { CompletedNode, NodeId, NodeStore } from './nodes';
import { nodeKey } from './nodes';
import { hashChildren } from './rfc6962';
import { HASH_SIZE } from './tree-math';

/**
 * Tile layout of c2sp.org/tlog-tiles: a tile at tile level L and tile index N holds up to 256
 * consecutive node hashes of tree level 8L, starting at node index 256N. The tree levels in
 * between are recomputed from them, so storing tiles stores every node of the tree at an
 * eighth of the node count, in blobs of at most 8 KiB.
 */

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

export interface TileId {
  /** Tile level L: the tile's hashes are nodes of tree level 8L. */
  readonly level: number;
  readonly index: number;
}

/** A tile and how many hashes of it (from the start) the reader must return. */
export interface TileRequest extends TileId {
  readonly width: number;
}

/** Hashes to add to a tile: they go at positions offset, offset + 1, ... of tile (level, index). */
export interface TileAppend extends TileId {
  readonly offset: number;
  readonly hashes: readonly Uint8Array[];
}

export interface TileReader {
  /**
   * Returns, keyed by tileKey, the bytes of each requested tile: concatenated 32-byte hashes, at
   * least `width` of them. A longer (later, wider) version of the tile is fine: tile entries
   * never change once written.
   */
  readTiles(requests: readonly TileRequest[]): Promise<Map<string, Uint8Array>>;
}

export class TileDataError extends Error {
  override readonly name = 'TileDataError';
  constructor(
    readonly tile: TileId,
    readonly reason: string,
  ) {
    super(`tile ${tileKey(tile)}: ${reason}`);
  }
}

export function tileKey(tile: TileId): string {
  return `${tile.level}/${tile.index}`;
}

/**
 * The tlog-tiles resource path of a tile holding width hashes: tile/<L>/<N>[.p/<W>], with N in
 * zero-padded three-digit groups, all but the last prefixed with x (1234067 -> x001/x234/067).
 */
export function tilePath(tile: TileId, width: number): string {
  let index = String(tile.index);
  while (index.length % 3 !== 0) index = `0${index}`;
  const groups = index.match(/\d{3}/g) ?? [];
  const encoded = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  const partial = width < TILE_WIDTH ? `.p/${width}` : '';
  return `tile/${tile.level}/${encoded}${partial}`;
}

/**
 * How many hashes tile (L, N) holds in the tree of treeSize leaves: the complete nodes of tree level 8L
 * from index 256N on, at most 256. Zero when the tree does not reach the tile yet.
 */
export function tileWidthAt(tile: TileId, treeSize: number): number {
  const nodes = Math.floor(treeSize / 2 ** (tile.level * TILE_HEIGHT));
  return Math.max(0, Math.min(TILE_WIDTH, nodes - tile.index * TILE_WIDTH));
}

/** Where a node's hash lives: the tile, and the positions of the tile hashes it is computed from. */
export function tileForNode(id: NodeId): { tile: TileId; first: number; count: number } {
  const level = Math.floor(id.level / TILE_HEIGHT);
  const height = id.level - level * TILE_HEIGHT;
  const start = id.index * 2 ** height;
  return {
    tile: { level, index: Math.floor(start / TILE_WIDTH) },
    first: start % TILE_WIDTH,
    count: 2 ** height,
  };
}

/**
 * Groups the nodes completed by appends (appendLeaf's callback, in order) into the tile writes a
 * store must make. Only nodes of levels 0, 8, 16, ... are stored; the rest follow from them.
 */
export function tileAppends(completed: readonly CompletedNode[]): TileAppend[] {
  const byTile = new Map<string, { tile: TileId; offset: number; hashes: Uint8Array[] }>();
  for (const node of completed) {
    if (node.level % TILE_HEIGHT !== 0) continue;
    const tile = { level: node.level / TILE_HEIGHT, index: Math.floor(node.index / TILE_WIDTH) };
    const position = node.index % TILE_WIDTH;
    const entry = byTile.get(tileKey(tile));
    if (entry === undefined) {
      byTile.set(tileKey(tile), { tile, offset: position, hashes: [node.hash] });
    } else if (position === entry.offset + entry.hashes.length) {
      entry.hashes.push(node.hash);
    } else {
      throw new TileDataError(
        tile,
        `completed nodes are not contiguous: position ${position} follows ${entry.offset + entry.hashes.length - 1}`,
      );
    }
  }
  return [...byTile.values()].map(({ tile, offset, hashes }) => ({ ...tile, offset, hashes }));
}

/** A NodeStore that reads tiles, fetching each needed tile once per call. */
export class TileNodeStore implements NodeStore {
  constructor(private readonly reader: TileReader) {}

  async getNodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
    const placements = ids.map((id) => ({ id, ...tileForNode(id) }));
    const requests = new Map<string, TileRequest>();
    for (const { tile, first, count } of placements) {
      const width = Math.max(first + count, requests.get(tileKey(tile))?.width ?? 0);
      requests.set(tileKey(tile), { ...tile, width });
    }
    const tiles = await this.reader.readTiles([...requests.values()]);
    const nodes = new Map<string, Uint8Array>();
    for (const { id, tile, first, count } of placements) {
      const data = tiles.get(tileKey(tile));
      if (data === undefined) throw new TileDataError(tile, 'the tile reader did not return it');
      if (data.length % HASH_SIZE !== 0) {
        throw new TileDataError(tile, `${data.length} bytes is not a whole number of hashes`);
      }
      if (data.length < (first + count) * HASH_SIZE) {
        throw new TileDataError(
          tile,
          `has ${data.length / HASH_SIZE} hashes, node ${nodeKey(id)} needs ${first + count}`,
        );
      }
      nodes.set(nodeKey(id), subtreeHash(data, first, count));
    }
    return nodes;
  }
}

/** Root of the perfect subtree over tile entries [first, first + count), count a power of two. */
function subtreeHash(data: Uint8Array, first: number, count: number): Uint8Array {
  let level: Uint8Array[] = [];
  for (let i = first; i < first + count; i++) {
    level.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(hashChildren(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    }
    level = next;
  }
  return Buffer.from(level[0] as Uint8Array);
}
