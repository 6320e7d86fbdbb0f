import type { StorageClients } from '../../src/store/clients';
import { readLogState } from '../../src/store/log-state';
import { plainRow, recordBytesOf } from '../../src/store/hot-entity';
import { decodeSegment } from '../../src/store/segment-format';
import { decodeRecord } from '../../src/pipeline/record';
import { recordLeafHash } from '../../src/pipeline/record';
import type { DeadLetterDocument } from '../../src/store/deadletter';

export interface PartitionContents {
  /** Hot-store rows of the partition by log index: sequence number and record bytes. */
  hot: Map<number, { sequenceNumber: number; bytes: Buffer; leafHash: string; eventId: string }>;
  /** Archived records of the partition by log index. */
  archived: Map<number, Buffer>;
  archivedCount: number;
  deadLettered: Map<number, DeadLetterDocument>;
  state: Awaited<ReturnType<typeof readLogState>>;
}

export async function readPartition(
  clients: StorageClients,
  partitionId: string,
): Promise<PartitionContents> {
  const hot: PartitionContents['hot'] = new Map();
  for await (const entity of clients.tables.events.listEntities()) {
    const row = plainRow(entity as Record<string, unknown>);
    if (row.ehPartition !== partitionId) continue;
    const index = Number(row.logIndex);
    if (hot.has(index)) throw new Error(`two hot rows hold log index ${index}`);
    hot.set(index, {
      sequenceNumber: Number(row.sequenceNumber),
      bytes: recordBytesOf(row),
      leafHash: String(row.leafHash),
      eventId: String(row.eventId),
    });
  }
  const archived = new Map<number, Buffer>();
  let archivedCount = 0;
  for await (const blob of clients.containers.archive.listBlobsFlat()) {
    if (blob.name.split('/')[1] !== partitionId) continue;
    const segment = await clients.containers.archive
      .getBlockBlobClient(blob.name)
      .downloadToBuffer();
    for (const frame of decodeSegment(segment)) {
      for (const bytes of frame.records) {
        archivedCount++;
        archived.set(decodeRecord(bytes).log.index, Buffer.from(bytes));
      }
    }
  }
  const deadLettered = new Map<number, DeadLetterDocument>();
  for await (const blob of clients.containers.deadletter.listBlobsFlat()) {
    const document = JSON.parse(
      (
        await clients.containers.deadletter.getBlockBlobClient(blob.name).downloadToBuffer()
      ).toString('utf8'),
    ) as DeadLetterDocument;
    if (document.partitionId === partitionId) deadLettered.set(document.sequenceNumber, document);
  }
  return {
    hot,
    archived,
    archivedCount,
    deadLettered,
    state: await readLogState(clients.tables.state, partitionId),
  };
}

/**
 * The design's invariants for one partition: log indexes 0..n-1 each held exactly once in the hot store
 * and in the archive with identical bytes and matching leaf hashes; every delivered sequence number is
 * accepted, dead-lettered, or a duplicate (`duplicates`); the state's counters agree.
 */
export function expectPartitionInvariants(
  contents: PartitionContents,
  delivered: readonly number[],
  duplicates: ReadonlySet<number> = new Set(),
): void {
  const { hot, archived, archivedCount, deadLettered, state } = contents;
  const n = state.nextIndex;
  expect([...hot.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(archivedCount).toBe(n);
  for (const [index, row] of hot) {
    const archivedBytes = archived.get(index);
    expect(archivedBytes?.equals(row.bytes)).toBe(true);
    expect(recordLeafHash(row.bytes).toString('hex')).toBe(row.leafHash);
  }
  const acceptedSequences = new Set([...hot.values()].map((row) => row.sequenceNumber));
  for (const sequenceNumber of delivered) {
    const places =
      Number(acceptedSequences.has(sequenceNumber)) +
      Number(deadLettered.has(sequenceNumber)) +
      Number(duplicates.has(sequenceNumber));
    if (places !== 1)
      throw new Error(
        `sequence number ${sequenceNumber} is in ${places} places (accepted, dead-lettered, duplicate)`,
      );
  }
  expect(state.accepted).toBe(n);
  expect(state.deadLettered).toBe(deadLettered.size);
  expect(state.accepted + state.deadLettered + state.duplicates).toBe(new Set(delivered).size);
  const eventIds = [...hot.values()].map((row) => row.eventId);
  expect(new Set(eventIds).size).toBe(eventIds.length);
}
