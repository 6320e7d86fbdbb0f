import { createHash } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { MAX_TRANSACTION_OPERATIONS } from '../store/table-batch';
import { statusOf } from '../store/errors';

/**
 * The archive index: which archive segments hold a tenant's handed-off events of each event-time
 * hour. Segments are named by Event Hubs enqueued hour, which trails the event's own time by an
 * amount nobody bounds (a producer may deliver days late), so a query by event time cannot derive
 * its segments from its time range. The hand-off knows both the event's hour and the segment it
 * verified the event in, and records the pair here before it deletes the hot row; the archive reader
 * reads exactly the segments listed for the hours it needs.
 *
 * Kept in the state table (`auditstate`): PartitionKey `archived|<tenant>`, RowKey
 * `<yyyyMMddHH event hour>|<first 32 hex of SHA-256(segment name)>`, column `segment`. Writes are
 * upserts of deterministic keys, so repeating them (a hand-off resumed after a crash) is harmless.
 */

const PARTITION_PREFIX = 'archived|';

export interface ArchiveIndexEntry {
  tenant: string;
  /** yyyyMMddHH (UTC) of the events' own time: the hour bucket of their hot-store partition. */
  hour: string;
  /** Blob name of the segment in the archive container. */
  segment: string;
}

export function archiveIndexPartition(tenant: string): string {
  return `${PARTITION_PREFIX}${tenant}`;
}

function rowKeyOf(hour: string, segment: string): string {
  return `${hour}|${createHash('sha256').update(segment, 'utf8').digest('hex').slice(0, 32)}`;
}

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** Records that `segment` holds events of `hour`. Idempotent; transactions of at most 100 per tenant. */
export async function recordArchived(
  table: TableClient,
  entries: readonly ArchiveIndexEntry[],
  now: Date,
): Promise<void> {
  const byTenant = new Map<string, Map<string, ArchiveIndexEntry>>();
  for (const entry of entries) {
    const rows = byTenant.get(entry.tenant) ?? new Map<string, ArchiveIndexEntry>();
    rows.set(rowKeyOf(entry.hour, entry.segment), entry);
    byTenant.set(entry.tenant, rows);
  }
  const transactions: TransactionAction[][] = [];
  for (const [tenant, rows] of byTenant) {
    const actions = [...rows].map(([rowKey, entry]): TransactionAction => [
      'upsert',
      {
        partitionKey: archiveIndexPartition(tenant),
        rowKey,
        hour: entry.hour,
        segment: entry.segment,
        recordedAt: now.toISOString(),
      },
      'Replace',
    ]);
    for (let at = 0; at < actions.length; at += MAX_TRANSACTION_OPERATIONS) {
      transactions.push(actions.slice(at, at + MAX_TRANSACTION_OPERATIONS));
    }
  }
  for (const actions of transactions) await table.submitTransaction(actions);
}

/**
 * The segments holding a tenant's handed-off events, hour by hour in ascending order, read lazily
 * (a reader that stops early reads no further pages). `fromHour` and `toHour` (yyyyMMddHH, both
 * inclusive) narrow the hours read.
 */
export async function* archivedHours(
  table: TableClient,
  tenant: string,
  fromHour?: string,
  toHour?: string,
): AsyncGenerator<{ hour: string; segments: string[] }> {
  const parts = [`PartitionKey eq ${quote(archiveIndexPartition(tenant))}`];
  if (fromHour !== undefined) parts.push(`RowKey ge ${quote(`${fromHour}|`)}`);
  // '}' sorts after every hex digit: the last row of the hour is below `<hour>|}`.
  if (toHour !== undefined) parts.push(`RowKey lt ${quote(`${toHour}|}`)}`);
  const entities = table.listEntities<{ hour: string; segment: string }>({
    queryOptions: { filter: parts.join(' and ') },
  });
  // Rows come in RowKey order, which starts with the hour: each hour's rows are consecutive.
  let current: { hour: string; segments: string[] } | undefined;
  for await (const entity of entities) {
    if (current !== undefined && current.hour !== entity.hour) {
      yield current;
      current = undefined;
    }
    current ??= { hour: entity.hour, segments: [] };
    if (!current.segments.includes(entity.segment)) current.segments.push(entity.segment);
  }
  if (current !== undefined) yield current;
}

/**
 * Removes every index row naming `segment` (after the segment itself was deleted under retention).
 * Rows already gone are not an error.
 */
export async function forgetSegment(
  table: TableClient,
  tenant: string,
  segment: string,
): Promise<number> {
  const filter = `PartitionKey eq ${quote(archiveIndexPartition(tenant))} and segment eq ${quote(segment)}`;
  let removed = 0;
  for await (const entity of table.listEntities({ queryOptions: { filter } })) {
    try {
      await table.deleteEntity(archiveIndexPartition(tenant), entity.rowKey as string);
      removed++;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
  return removed;
}
