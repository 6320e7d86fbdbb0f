import type { TableClient } from '@azure/data-tables';
import { ConcurrentWriteError, statusOf } from './errors';

const STATE_PARTITION = 'log';

/** The serialized frontier of the empty tree (src/integrity frontierToJson of emptyFrontier()). */
export const EMPTY_FRONTIER = '{"size":0,"hashes":[]}';

/** A run of sequence numbers this consumer never received, kept so every gap is explained. */
export interface SequenceGap {
  from: number;
  to: number;
  detectedAt: string;
}

/**
 * The log of one Event Hubs partition. It advances only after the records it counts are durable, under the
 * entity's ETag, so two hosts racing on one partition cannot fork it.
 */
export interface PartitionLogState {
  partitionId: string;
  /** Log index the next accepted event gets; equals the number of accepted events (the tree size). */
  nextIndex: number;
  /** Highest Event Hubs sequence number fully handled (accepted, duplicate or dead-lettered); -1 before any. */
  lastSequenceNumber: number;
  accepted: number;
  duplicates: number;
  deadLettered: number;
  gaps: SequenceGap[];
  /** Serialized Merkle frontier (compact range) over the leaves [0, nextIndex). */
  frontier: string;
  lastIngestAt: string | undefined;
  etag: string | undefined;
}

export function initialLogState(partitionId: string): PartitionLogState {
  return {
    partitionId,
    nextIndex: 0,
    lastSequenceNumber: -1,
    accepted: 0,
    duplicates: 0,
    deadLettered: 0,
    gaps: [],
    frontier: EMPTY_FRONTIER,
    lastIngestAt: undefined,
    etag: undefined,
  };
}

interface StateEntity {
  partitionKey: string;
  rowKey: string;
  nextIndex: number;
  lastSequenceNumber: number;
  accepted: number;
  duplicates: number;
  deadLettered: number;
  gaps: string;
  frontier: string;
  lastIngestAt?: string;
  etag?: string;
}

export async function readLogState(
  table: TableClient,
  partitionId: string,
): Promise<PartitionLogState> {
  try {
    const entity = await table.getEntity<StateEntity>(STATE_PARTITION, partitionId);
    return {
      partitionId,
      nextIndex: Number(entity.nextIndex),
      lastSequenceNumber: Number(entity.lastSequenceNumber),
      accepted: Number(entity.accepted),
      duplicates: Number(entity.duplicates),
      deadLettered: Number(entity.deadLettered),
      gaps: JSON.parse(entity.gaps) as SequenceGap[],
      frontier: entity.frontier,
      lastIngestAt: entity.lastIngestAt,
      etag: entity.etag,
    };
  } catch (error) {
    if (statusOf(error) === 404) return initialLogState(partitionId);
    throw error;
  }
}

export async function listLogStates(table: TableClient): Promise<PartitionLogState[]> {
  const states: PartitionLogState[] = [];
  for await (const entity of table.listEntities<StateEntity>({
    queryOptions: { filter: `PartitionKey eq '${STATE_PARTITION}'` },
  })) {
    states.push(await readLogState(table, entity.rowKey));
  }
  return states;
}

/**
 * Writes the next state if nobody else wrote since `previous` was read.
 * Throws ConcurrentWriteError when the ETag no longer matches (or the row appeared meanwhile).
 */
export async function writeLogState(
  table: TableClient,
  previous: PartitionLogState,
  next: PartitionLogState,
): Promise<void> {
  const entity = {
    partitionKey: STATE_PARTITION,
    rowKey: next.partitionId,
    // Doubles are exact to 2^53, well beyond any Event Hubs sequence number or log size.
    nextIndex: { value: String(next.nextIndex), type: 'Double' as const },
    lastSequenceNumber: { value: String(next.lastSequenceNumber), type: 'Double' as const },
    accepted: { value: String(next.accepted), type: 'Double' as const },
    duplicates: { value: String(next.duplicates), type: 'Double' as const },
    deadLettered: { value: String(next.deadLettered), type: 'Double' as const },
    gaps: JSON.stringify(next.gaps),
    frontier: next.frontier,
    ...(next.lastIngestAt === undefined ? {} : { lastIngestAt: next.lastIngestAt }),
  };
  try {
    if (previous.etag === undefined) {
      await table.createEntity(entity);
    } else {
      await table.updateEntity(entity, 'Replace', { etag: previous.etag });
    }
  } catch (error) {
    const status = statusOf(error);
    if (status === 409 || status === 412)
      throw new ConcurrentWriteError(`log state of partition ${next.partitionId}`);
    throw error;
  }
}
