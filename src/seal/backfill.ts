import type { ContainerClient } from '@azure/storage-blob';
import {
  appendLeaves,
  bytesEqual,
  emptyFrontier,
  frontierFromJson,
  hashLeaf,
  rootOf,
  type Frontier,
} from '../integrity';
import { decodeRecord } from '../pipeline/record';
import type { PartitionLogState } from '../store/log-state';
import { decodeSegment } from '../store/segment-format';
import { readCheckpointHead } from './checkpoint-store';
import type { LogIdentity } from './layout';
import type { IntegrityStores } from './stores';
import { writeTiles } from './tile-store';

/** The archive cannot rebuild the tree the log state describes. */
export class BackfillError extends Error {
  override readonly name = 'BackfillError';
  constructor(
    readonly partition: string,
    readonly reason: string,
  ) {
    super(
      `partition ${partition}: cannot rebuild the tiles from the archive: ${reason}; run mcp-audit verify`,
    );
  }
}

/**
 * Builds the tree of a partition's log from its archived records and writes its tiles, returning its
 * frontier: for a log that grew before its tiles were written (data from before the signed log). When
 * the log state tracks a frontier, the archive's records of indexes [0, state.nextIndex) must rebuild
 * exactly it; a log state that never tracked one (its frontier is still empty) is adopted from the
 * archive, but only while no checkpoint of the partition exists, since a signed log never loses its
 * frontier. Holds one leaf hash per record in memory: a one-time migration, not a path a running log
 * takes.
 */
export async function backfillTiles(
  archive: ContainerClient,
  stores: IntegrityStores,
  log: LogIdentity,
  state: PartitionLogState,
): Promise<Frontier> {
  const partition = state.partitionId;
  const tracked = frontierFromJson(JSON.parse(state.frontier));
  if (tracked.size !== state.nextIndex) {
    const head = await readCheckpointHead(stores.state, partition);
    if (tracked.size !== 0 || head !== undefined) {
      throw new BackfillError(
        partition,
        `the log state's frontier covers ${tracked.size} leaves, its next index is ${state.nextIndex}` +
          (head === undefined ? '' : `, and checkpoint ${head.size} was signed`),
      );
    }
  }
  const leaves: (Buffer | undefined)[] = new Array(state.nextIndex);
  for await (const blob of archive.listBlobsFlat()) {
    if (blob.name.split('/')[1] !== partition) continue;
    for (const frame of decodeSegment(
      await archive.getBlockBlobClient(blob.name).downloadToBuffer(),
    )) {
      for (const bytes of frame.records) {
        const index = decodeRecord(bytes).log?.index;
        if (typeof index !== 'number' || index >= state.nextIndex) continue;
        if (leaves[index] !== undefined)
          throw new BackfillError(partition, `two records claim index ${index}`);
        leaves[index] = hashLeaf(bytes);
      }
    }
  }
  const missing = leaves.findIndex((leaf) => leaf === undefined);
  if (missing >= 0) throw new BackfillError(partition, `no archived record holds index ${missing}`);
  const { frontier, completed } = appendLeaves(emptyFrontier(), leaves as Buffer[]);
  if (tracked.size === state.nextIndex && !bytesEqual(rootOf(frontier), rootOf(tracked))) {
    throw new BackfillError(
      partition,
      `the records of indexes 0..${state.nextIndex - 1} do not give the log state's frontier`,
    );
  }
  await writeTiles(stores, log, partition, state, completed);
  return frontier;
}
