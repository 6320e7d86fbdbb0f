import { odata, type TableClient } from '@azure/data-tables';
import { statusOf } from '../store/errors';
import { WEBHOOK_PARTITIONS } from '../store/names';

/**
 * How far the dispatcher has matched one tenant's records of one Event Hubs partition: every record of
 * the tenant with a log index below `next` has its deliveries in the outbox.
 */
export interface MatchCursor {
  tenant: string;
  partition: string;
  next: number;
  /**
   * The enqueued hour (`yyyy/mm/dd/hh`) of the newest archive segment of the tenant and partition that
   * holds a record below `next`; records at or above `next` are archived in this hour or later. Undefined
   * until the first such segment is seen.
   */
  floor?: string;
  etag?: string;
}

type CursorEntity = {
  partitionKey: string;
  rowKey: string;
  next: number | { value: string; type: 'Double' };
  floor?: string;
  etag?: string;
};

export function cursorKey(tenant: string, partition: string): string {
  return `${tenant}|${partition}`;
}

/** Every cursor, by `cursorKey`. */
export async function readCursors(table: TableClient): Promise<Map<string, MatchCursor>> {
  const cursors = new Map<string, MatchCursor>();
  for await (const entity of table.listEntities<CursorEntity>({
    queryOptions: { filter: odata`PartitionKey eq ${WEBHOOK_PARTITIONS.cursors}` },
  })) {
    const split = entity.rowKey.lastIndexOf('|');
    const cursor: MatchCursor = {
      tenant: entity.rowKey.slice(0, split),
      partition: entity.rowKey.slice(split + 1),
      next: Number(entity.next),
      ...(entity.floor ? { floor: entity.floor } : {}),
      ...(entity.etag === undefined ? {} : { etag: entity.etag }),
    };
    cursors.set(entity.rowKey, cursor);
  }
  return cursors;
}

/**
 * Moves a cursor forward, conditioned on the ETag it was read with (created when it had none).
 * Resolves false when another dispatcher moved it first: that one matched the same records, and the
 * deliveries this one enqueued are the same rows, so nothing is lost or doubled.
 */
export async function advanceCursor(table: TableClient, next: MatchCursor): Promise<boolean> {
  const entity: CursorEntity = {
    partitionKey: WEBHOOK_PARTITIONS.cursors,
    rowKey: cursorKey(next.tenant, next.partition),
    next: { value: String(next.next), type: 'Double' },
    floor: next.floor ?? '',
  };
  try {
    if (next.etag === undefined) await table.createEntity(entity);
    else await table.updateEntity(entity, 'Replace', { etag: next.etag });
    return true;
  } catch (error) {
    const status = statusOf(error);
    if (status === 409 || status === 412) return false;
    throw error;
  }
}
