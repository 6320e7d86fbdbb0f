import type { ContainerClient } from '@azure/storage-blob';
import {
  appendLeaves,
  frontierFromJson,
  frontierToJson,
  type CompletedNode,
  type Frontier,
  type NodeStore,
} from '../integrity';
import {
  TILE_WIDTH,
  TileDataError,
  TileNodeStore,
  tileAppends,
  tileKey,
  tileWidthAt,
  type TileAppend,
  type TileId,
  type TileReader,
  type TileRequest,
} from '../integrity/tiles';
import { HASH_SIZE } from '../integrity/tree-math';
import { ConcurrentWriteError, statusOf } from '../store/errors';
import { readLogState, type PartitionLogState } from '../store/log-state';
import { partialTilePrefix, tileBlobName, type LogIdentity } from './layout';
import { createBlobIfAbsent, downloadIfExists, type IntegrityStores } from './stores';

const TILE_CONTENT_TYPE = 'application/octet-stream';

/** The ingest path's appendLeaves hook (IngestDependencies.appendLeaves). */
export type LeafAppender = (
  partitionId: string,
  state: PartitionLogState,
  leafHashes: Buffer[],
) => Promise<string>;

/** The log state's frontier does not cover the leaves its nextIndex says the log has. */
export class FrontierStateError extends Error {
  override readonly name = 'FrontierStateError';
  constructor(
    readonly partition: string,
    readonly frontierSize: number,
    readonly nextIndex: number,
  ) {
    super(
      `partition ${partition}: the log state's frontier covers ${frontierSize} leaves but its next index is ${nextIndex}`,
    );
  }
}

/** A tile the stored tree must have is not in the tiles container. */
export class MissingTileError extends Error {
  override readonly name = 'MissingTileError';
  constructor(
    readonly partition: string,
    readonly tile: TileId,
    readonly width: number,
    readonly blobName: string,
  ) {
    super(
      `partition ${partition}: tile ${tileKey(tile)} with ${width} hashes is missing (${blobName}); ` +
        'the tiles of this partition are incomplete, so proofs cannot be served: run mcp-audit verify',
    );
  }
}

/**
 * The appendLeaves hook of the ingest path: extends the partition's frontier with a batch's leaf
 * hashes and writes every tile the batch changes, before the log state advances. A tile of width W
 * is written once, under its c2sp.org/tlog-tiles name, create-if-absent: a rerun of the batch after a
 * crash, or a second host racing on the partition, writes the same names with the same hashes, which
 * is a no-op. Costs one read (the tile's previous width) and one write per tile touched, about two
 * per batch. When the tiles of the leaves before the batch are missing (a log that grew before its
 * tiles were written), `backfill` writes them first, if given.
 */
export function createLeafAppender(
  stores: IntegrityStores,
  log: LogIdentity,
  backfill?: (state: PartitionLogState) => Promise<Frontier>,
): LeafAppender {
  return async (partitionId, state, leafHashes) => {
    let frontier = frontierFromJson(JSON.parse(state.frontier));
    if (frontier.size !== state.nextIndex) {
      // A log state that never tracked its frontier: the log grew before the signed log did.
      if (frontier.size !== 0 || backfill === undefined) {
        throw new FrontierStateError(partitionId, frontier.size, state.nextIndex);
      }
      frontier = await backfill(state);
    }
    const { frontier: next, completed } = appendLeaves(frontier, leafHashes);
    try {
      await writeTiles(stores, log, partitionId, state, completed);
    } catch (error) {
      if (!(error instanceof MissingTileError) || backfill === undefined) throw error;
      await backfill(state);
      await writeTiles(stores, log, partitionId, state, completed);
    }
    return JSON.stringify(frontierToJson(next));
  };
}

/** Persists the tiles that the completed nodes of one append change. */
export async function writeTiles(
  stores: IntegrityStores,
  log: LogIdentity,
  partition: string,
  state: PartitionLogState,
  completed: readonly CompletedNode[],
): Promise<void> {
  await Promise.all(
    tileAppends(completed).map((append) => writeTile(stores, log, partition, state, append)),
  );
}

async function writeTile(
  stores: IntegrityStores,
  log: LogIdentity,
  partition: string,
  state: PartitionLogState,
  append: TileAppend,
): Promise<void> {
  const width = append.offset + append.hashes.length;
  const before =
    append.offset === 0
      ? Buffer.alloc(0)
      : await readTileExactly(stores.tiles, log, partition, append, append.offset);
  const data = Buffer.concat([before, ...append.hashes]);
  const blob = stores.tiles.getBlockBlobClient(tileBlobName(log, partition, append, width));
  if (await createBlobIfAbsent(blob, data, TILE_CONTENT_TYPE)) return;

  const existing = await downloadIfExists(blob);
  if (existing !== undefined && existing.data.equals(data)) return;
  // Same positions, other hashes. The batch that wrote them either committed (the log state moved
  // on: this batch lost a race and must re-read the state) or never did (its tile is debris the
  // log does not count, and this batch, extending the same state, replaces it).
  const current = await readLogState(stores.state, partition);
  if (current.etag !== state.etag)
    throw new ConcurrentWriteError(`tiles of partition ${partition}`);
  try {
    await blob.upload(data, data.length, {
      conditions: existing?.etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: existing.etag },
      blobHTTPHeaders: { blobContentType: TILE_CONTENT_TYPE },
    });
  } catch (error) {
    const status = statusOf(error);
    if (status === 409 || status === 412) {
      throw new ConcurrentWriteError(`tiles of partition ${partition}`);
    }
    throw error;
  }
}

async function readTileExactly(
  container: ContainerClient,
  log: LogIdentity,
  partition: string,
  tile: TileId,
  width: number,
): Promise<Buffer> {
  const name = tileBlobName(log, partition, tile, width);
  const found = await downloadIfExists(container.getBlockBlobClient(name));
  if (found === undefined) throw new MissingTileError(partition, tile, width, name);
  if (found.data.length !== width * HASH_SIZE) {
    throw new TileDataError(tile, `${name} is ${found.data.length} bytes, expected ${width * 32}`);
  }
  return found.data;
}

/** Tiles already read, by blob name. Tile contents never change, so entries never go stale. */
export class TileCache {
  private readonly entries = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 1024) {}

  get(name: string): Buffer | undefined {
    const data = this.entries.get(name);
    if (data !== undefined) {
      this.entries.delete(name);
      this.entries.set(name, data);
    }
    return data;
  }

  set(name: string, data: Buffer): void {
    this.entries.set(name, data);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

/**
 * Reads the tiles of one partition's tree as it was at treeSize leaves. Precondition: treeSize is a
 * size the log state once had (every checkpoint size is), so each tile exists at exactly the width
 * it had then; a wider version (the full tile, or a later partial one) serves as well.
 */
export class BlobTileReader implements TileReader {
  constructor(
    private readonly container: ContainerClient,
    private readonly log: LogIdentity,
    private readonly partition: string,
    private readonly treeSize: number,
    private readonly cache: TileCache = new TileCache(),
  ) {}

  async readTiles(requests: readonly TileRequest[]): Promise<Map<string, Uint8Array>> {
    const tiles = new Map<string, Uint8Array>();
    await Promise.all(
      requests.map(async (request) => {
        const width = tileWidthAt(request, this.treeSize);
        if (request.width > width) {
          throw new TileDataError(
            request,
            `needs ${request.width} hashes; in the tree of ${this.treeSize} leaves it has ${width}`,
          );
        }
        tiles.set(tileKey(request), await this.readTile(request, width));
      }),
    );
    return tiles;
  }

  /** The hashes of the tile at the width it has in this tree. */
  async readTile(tile: TileId, width: number): Promise<Buffer> {
    const name = tileBlobName(this.log, this.partition, tile, width);
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const data =
      (await this.download(name)) ??
      (width < TILE_WIDTH
        ? await this.download(tileBlobName(this.log, this.partition, tile, TILE_WIDTH))
        : undefined) ??
      (await this.widerPartial(tile, width));
    if (data === undefined) throw new MissingTileError(this.partition, tile, width, name);
    if (data.length % HASH_SIZE !== 0 || data.length < width * HASH_SIZE) {
      throw new TileDataError(tile, `${name} is ${data.length} bytes, expected ${width * 32}`);
    }
    this.cache.set(name, data);
    return data;
  }

  private async download(name: string): Promise<Buffer | undefined> {
    return (await downloadIfExists(this.container.getBlockBlobClient(name)))?.data;
  }

  /** The narrowest partial version of the tile at least `width` wide, if any. */
  private async widerPartial(tile: TileId, width: number): Promise<Buffer | undefined> {
    const prefix = partialTilePrefix(this.log, this.partition, tile);
    let best: number | undefined;
    for await (const blob of this.container.listBlobsFlat({ prefix })) {
      const found = Number(blob.name.slice(prefix.length));
      if (Number.isInteger(found) && found >= width && (best === undefined || found < best)) {
        best = found;
      }
    }
    return best === undefined
      ? undefined
      : this.download(tileBlobName(this.log, this.partition, tile, best));
  }
}

/** The NodeStore over a partition's stored tiles, for the tree of treeSize leaves. */
export function tileNodeStore(
  stores: IntegrityStores,
  log: LogIdentity,
  partition: string,
  treeSize: number,
  cache?: TileCache,
): NodeStore {
  return new TileNodeStore(new BlobTileReader(stores.tiles, log, partition, treeSize, cache));
}
