import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildConsistencyProof,
  buildInclusionProof,
  buildRoot,
  emptyFrontier,
  appendLeaves,
  frontierToJson,
  MemoryNodeStore,
  rootOf,
} from '../../src/integrity';
import { TileNodeStore, tileWidthAt } from '../../src/integrity/tiles';
import { LocalKeyProvider } from '../../src/keys/local';
import {
  BackfillError,
  BlobTileReader,
  commitCheckpointHead,
  createIntegrityServices,
  createLeafAppender,
  ensureIntegrityStorage,
  FrontierStateError,
  MissingTileError,
  type IntegrityServices,
} from '../../src/seal';
import { ConcurrentWriteError } from '../../src/store/errors';
import { EMPTY_FRONTIER, writeLogState, type PartitionLogState } from '../../src/store/log-state';
import { freshStorage } from '../support/storage';
import { seededLeafHashes } from '../integrity/support/trees';
import { hex } from '../integrity/support/vectors';

async function services(): Promise<IntegrityServices> {
  const clients = await freshStorage();
  const integrity = createIntegrityServices(
    clients,
    new LocalKeyProvider(path.join(tmpdir(), `keys-${randomBytes(4).toString('hex')}`)),
    { tiles: clients.blobService.getContainerClient(`tiles-${randomBytes(4).toString('hex')}`) },
  );
  await ensureIntegrityStorage(integrity.stores);
  return integrity;
}

function stateAt(leaves: readonly Buffer[], etag?: string): PartitionLogState {
  const frontier = appendLeaves(emptyFrontier(), leaves).frontier;
  return {
    partitionId: '0',
    nextIndex: leaves.length,
    lastSequenceNumber: leaves.length - 1,
    accepted: leaves.length,
    duplicates: 0,
    deadLettered: 0,
    gaps: [],
    frontier: JSON.stringify(frontierToJson(frontier)),
    lastIngestAt: undefined,
    etag,
  };
}

/** Appends the leaves in batches of `batch`, as consecutive ingest batches would. */
async function appendInBatches(
  integrity: IntegrityServices,
  leaves: readonly Buffer[],
  batch: number,
): Promise<string> {
  let frontier = EMPTY_FRONTIER;
  for (let start = 0; start < leaves.length; start += batch) {
    frontier = await integrity.appendLeaves(
      '0',
      stateAt(leaves.slice(0, start)),
      leaves.slice(start, start + batch),
    );
  }
  return frontier;
}

async function tileNames(integrity: IntegrityServices): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of integrity.stores.tiles.listBlobsFlat()) names.push(blob.name);
  return names.sort();
}

describe('the appendLeaves hook (tiles in Blob storage)', () => {
  it('returns the frontier of the extended tree, serialized as the log state keeps it', async () => {
    const integrity = await services();
    const leaves = seededLeafHashes(300, 1);
    const frontier = await appendInBatches(integrity, leaves, 100);
    expect(frontier).toBe(
      JSON.stringify(frontierToJson(appendLeaves(emptyFrontier(), leaves).frontier)),
    );
  });

  it("writes each batch's tiles under their tlog-tiles names, per region and partition", async () => {
    const integrity = await services();
    await appendInBatches(integrity, seededLeafHashes(300, 1), 100);
    expect(await tileNames(integrity)).toEqual([
      'default/0/tile/0/000',
      'default/0/tile/0/000.p/100',
      'default/0/tile/0/000.p/200',
      'default/0/tile/0/001.p/44',
      'default/0/tile/1/000.p/1',
    ]);
  });

  it('serves, at every batch boundary, the roots and proofs of the reference tree', async () => {
    const integrity = await services();
    const leaves = seededLeafHashes(700, 2);
    await appendInBatches(integrity, leaves, 90);
    for (const size of [90, 270, 540, 630, 700]) {
      const reference = appendLeaves(emptyFrontier(), leaves.slice(0, size));
      const memory = new MemoryNodeStore();
      memory.put(reference.completed);
      const tiles = new TileNodeStore(
        new BlobTileReader(integrity.stores.tiles, integrity.log, '0', size),
      );
      expect(hex(await buildRoot(tiles, size))).toBe(hex(rootOf(reference.frontier)));
      expect((await buildInclusionProof(tiles, 17, size)).map(hex)).toEqual(
        (await buildInclusionProof(memory, 17, size)).map(hex),
      );
      expect((await buildConsistencyProof(tiles, 90, size)).map(hex)).toEqual(
        (await buildConsistencyProof(memory, 90, size)).map(hex),
      );
    }
  });

  it('is idempotent: a batch re-run after a crash writes nothing new and returns the same frontier', async () => {
    const integrity = await services();
    const leaves = seededLeafHashes(300, 3);
    await appendInBatches(integrity, leaves.slice(0, 200), 100);
    const before = await tileNames(integrity);
    const again = await integrity.appendLeaves(
      '0',
      stateAt(leaves.slice(0, 100)),
      leaves.slice(100, 200),
    );
    expect([again, await tileNames(integrity)]).toEqual([
      JSON.stringify(frontierToJson(appendLeaves(emptyFrontier(), leaves.slice(0, 200)).frontier)),
      before,
    ]);
  });

  it('lets two hosts racing on the same batch both succeed with the same tiles', async () => {
    const integrity = await services();
    const leaves = seededLeafHashes(260, 4);
    await appendInBatches(integrity, leaves.slice(0, 130), 130);
    const [a, b] = await Promise.all([
      integrity.appendLeaves('0', stateAt(leaves.slice(0, 130)), leaves.slice(130)),
      integrity.appendLeaves('0', stateAt(leaves.slice(0, 130)), leaves.slice(130)),
    ]);
    expect(a).toBe(b);
    const tiles = new TileNodeStore(
      new BlobTileReader(integrity.stores.tiles, integrity.log, '0', 260),
    );
    expect(hex(await buildRoot(tiles, 260))).toBe(
      hex(rootOf(appendLeaves(emptyFrontier(), leaves).frontier)),
    );
  });

  it('replaces a tile left by a batch that never committed (the log state did not move)', async () => {
    const integrity = await services();
    const base = seededLeafHashes(50, 5);
    await appendInBatches(integrity, base, 50);
    await integrity.appendLeaves('0', stateAt(base), seededLeafHashes(10, 99));
    const genuine = seededLeafHashes(10, 6);
    await integrity.appendLeaves('0', stateAt(base), genuine);
    const leaves = [...base, ...genuine];
    const tiles = new TileNodeStore(
      new BlobTileReader(integrity.stores.tiles, integrity.log, '0', 60),
    );
    expect(hex(await buildRoot(tiles, 60))).toBe(
      hex(rootOf(appendLeaves(emptyFrontier(), leaves).frontier)),
    );
  });

  it('tells the loser of a race to re-read the log state when the winner committed other leaves', async () => {
    const integrity = await services();
    const base = seededLeafHashes(50, 7);
    await appendInBatches(integrity, base, 50);
    const winner = stateAt(base);
    await integrity.appendLeaves('0', winner, seededLeafHashes(10, 8));
    await writeLogState(
      integrity.stores.state,
      winner,
      stateAt([...base, ...seededLeafHashes(10, 8)]),
    );
    await expect(integrity.appendLeaves('0', winner, seededLeafHashes(10, 9))).rejects.toThrow(
      new ConcurrentWriteError('tiles of partition 0'),
    );
  });

  it('refuses a log state whose frontier does not cover its next index', async () => {
    const integrity = await services();
    const state = { ...stateAt(seededLeafHashes(5, 1)), nextIndex: 6 };
    await expect(integrity.appendLeaves('0', state, seededLeafHashes(1, 2))).rejects.toThrow(
      new FrontierStateError('0', 5, 6),
    );
    expect(new FrontierStateError('0', 5, 6).message).toBe(
      "partition 0: the log state's frontier covers 5 leaves but its next index is 6",
    );
  });

  it('refuses to extend a tile whose earlier width is missing and cannot be rebuilt from the archive', async () => {
    const integrity = await services();
    const leaves = seededLeafHashes(20, 10);
    await expect(
      integrity.appendLeaves('0', stateAt(leaves.slice(0, 10)), leaves.slice(10)),
    ).rejects.toThrow(new BackfillError('0', 'no archived record holds index 0'));
    expect(new BackfillError('0', 'no archived record holds index 0').message).toBe(
      'partition 0: cannot rebuild the tiles from the archive: no archived record holds index 0; run mcp-audit verify',
    );
  });

  it('does not adopt a lost frontier from the archive once a checkpoint was signed', async () => {
    const integrity = await services();
    await commitCheckpointHead(integrity.stores.state, undefined, {
      partition: '0',
      size: 10,
      note: 'a note',
      time: new Date('2026-11-26T11:00:00.000Z'),
    });
    const lost = { ...stateAt([]), nextIndex: 10 };
    await expect(integrity.appendLeaves('0', lost, seededLeafHashes(1, 1))).rejects.toThrow(
      new BackfillError(
        '0',
        "the log state's frontier covers 0 leaves, its next index is 10, and checkpoint 10 was signed",
      ),
    );
  });

  it('names the missing tile when no backfill is at hand', async () => {
    const integrity = await services();
    const appendLeaves = createLeafAppender(integrity.stores, integrity.log);
    const leaves = seededLeafHashes(20, 10);
    await expect(appendLeaves('0', stateAt(leaves.slice(0, 10)), leaves.slice(10))).rejects.toThrow(
      new MissingTileError('0', { level: 0, index: 0 }, 10, 'default/0/tile/0/000.p/10'),
    );
  });
});

describe('BlobTileReader', () => {
  it('reads a tile at the width it had, else the full tile', async () => {
    const integrity = await services();
    const leaves = seededLeafHashes(300, 11);
    await appendInBatches(integrity, leaves, 150);
    await integrity.stores.tiles.deleteBlob('default/0/tile/0/000.p/150');
    const reader = new BlobTileReader(integrity.stores.tiles, integrity.log, '0', 150);
    const data = await reader.readTile(
      { level: 0, index: 0 },
      tileWidthAt({ level: 0, index: 0 }, 150),
    );
    expect(data.length).toBe(256 * 32);
  });

  it('reads a wider partial version when the exact width is gone', async () => {
    const integrity = await services();
    const leaves = seededLeafHashes(200, 12);
    await appendInBatches(integrity, leaves, 100);
    await integrity.stores.tiles.deleteBlob('default/0/tile/0/000.p/100');
    const reader = new BlobTileReader(integrity.stores.tiles, integrity.log, '0', 100);
    expect((await reader.readTile({ level: 0, index: 0 }, 100)).length).toBe(200 * 32);
  });

  it('names the missing tile when no version of it exists', async () => {
    const integrity = await services();
    const reader = new BlobTileReader(integrity.stores.tiles, integrity.log, '0', 10);
    await expect(reader.readTile({ level: 0, index: 0 }, 10)).rejects.toThrow(
      'partition 0: tile 0/0 with 10 hashes is missing (default/0/tile/0/000.p/10); the tiles of this ' +
        'partition are incomplete, so proofs cannot be served: run mcp-audit verify',
    );
  });
});
