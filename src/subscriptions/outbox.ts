import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { statusOf } from '../store/errors';
import { deleteRows } from '../store/table-batch';
import { padNumber, WEBHOOK_PARTITIONS } from '../store/names';

/**
 * The delivery outbox: one entity per (subscription, matched record), written before the match cursor
 * moves past the record, removed once the receiver answered 2xx, moved to `failed` after the last attempt.
 * Each subscription's deliveries share a partition, so moving one to `failed` is a single transaction.
 */
export type DeliveryState = 'pending' | 'failed';

export interface Delivery {
  subscriptionId: string;
  tenant: string;
  /** `<subscription id>.<partition>.<log index>`: the same on every attempt; receivers de-duplicate on it. */
  deliveryId: string;
  eventId: string;
  /** Event Hubs partition and log index of the record. */
  partition: string;
  logIndex: number;
  /** The archive segment holding the record (src/store/names.ts segmentBlobName). */
  segment: string;
  state: DeliveryState;
  /** Attempts made so far. */
  attempts: number;
  createdAt: string;
  /** When the next attempt is due (pending deliveries). */
  nextAttemptAt: string;
  lastAttemptAt?: string;
  /** HTTP status of the last attempt, when the receiver answered at all. */
  lastStatus?: number | undefined;
  lastError?: string;
  failedAt?: string;
  etag?: string;
}

// A type, not an interface: Table entity parameters take only types with an implicit index signature.
type DeliveryEntity = {
  partitionKey: string;
  rowKey: string;
  tenant: string;
  deliveryId: string;
  eventId: string;
  partition: string;
  logIndex: number | { value: string; type: 'Double' };
  segment: string;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  lastAttemptAt?: string;
  lastStatus?: number;
  lastError?: string;
  failedAt?: string;
  etag?: string;
};

/** Longer error texts are cut: the outbox keeps a hint, not a transcript. */
const MAX_ERROR_CHARS = 512;
const TRANSACTION_LIMIT = 100;

export function outboxPartition(subscriptionId: string): string {
  return `${WEBHOOK_PARTITIONS.outboxPrefix}${subscriptionId}`;
}

export function deliveryIdOf(subscriptionId: string, partition: string, logIndex: number): string {
  return `${subscriptionId}.${partition}.${logIndex}`;
}

function rowKeyOf(state: DeliveryState, partition: string, logIndex: number): string {
  return `${state}|${partition.padStart(4, '0')}|${padNumber(logIndex, 16)}`;
}

/**
 * Adds deliveries that are not pending yet. A delivery already pending is left as it is, so a match run
 * repeated after a crash neither doubles it nor resets its attempts. A repeated match can re-add a delivery
 * that was completed (or failed) in between: deliveries are at least once, and receivers de-duplicate on
 * the delivery id.
 */
export async function enqueueDeliveries(
  table: TableClient,
  deliveries: readonly Delivery[],
): Promise<number> {
  const byPartition = new Map<string, Delivery[]>();
  for (const delivery of deliveries) {
    const key = outboxPartition(delivery.subscriptionId);
    byPartition.set(key, [...(byPartition.get(key) ?? []), delivery]);
  }
  let created = 0;
  for (const group of byPartition.values()) {
    for (let at = 0; at < group.length; at += TRANSACTION_LIMIT) {
      const chunk = group.slice(at, at + TRANSACTION_LIMIT);
      try {
        await table.submitTransaction(chunk.map((d): TransactionAction => ['create', toEntity(d)]));
        created += chunk.length;
      } catch (error) {
        // One of them exists already (a repeated match): add the others one by one.
        if (statusOf(error) !== 409) throw error;
        for (const delivery of chunk) {
          try {
            await table.createEntity(toEntity(delivery));
            created++;
          } catch (inner) {
            if (statusOf(inner) !== 409) throw inner;
          }
        }
      }
    }
  }
  return created;
}

/** Pending deliveries of a subscription due at `now`, oldest log position first, at most `limit`. */
export async function dueDeliveries(
  table: TableClient,
  subscriptionId: string,
  now: Date,
  limit: number,
): Promise<Delivery[]> {
  const filter =
    odata`PartitionKey eq ${outboxPartition(subscriptionId)} and RowKey ge 'pending|' and RowKey lt 'pending}'` +
    odata` and nextAttemptAt le ${now.toISOString()}`;
  const pages = table
    .listEntities<DeliveryEntity>({ queryOptions: { filter } })
    .byPage({ maxPageSize: limit });
  const found: Delivery[] = [];
  for await (const page of pages) {
    for (const entity of page) found.push(fromEntity(entity, subscriptionId));
    if (found.length >= limit) break;
  }
  return found.slice(0, limit);
}

/** The receiver accepted it: the delivery leaves the outbox. */
export async function completeDelivery(table: TableClient, delivery: Delivery): Promise<void> {
  try {
    await table.deleteEntity(
      outboxPartition(delivery.subscriptionId),
      rowKeyOf('pending', delivery.partition, delivery.logIndex),
    );
  } catch (error) {
    // Already gone: the subscription was deleted meanwhile.
    if (statusOf(error) !== 404) throw error;
  }
}

export interface AttemptFailure {
  at: Date;
  status?: number;
  error: string;
}

/**
 * Records a failed attempt: the delivery stays pending until `retryAt`, or, when `retryAt` is undefined,
 * moves to `failed` (kept and listable) in one transaction with the removal of its pending row.
 */
export async function failAttempt(
  table: TableClient,
  delivery: Delivery,
  failure: AttemptFailure,
  retryAt: Date | undefined,
): Promise<Delivery> {
  const next: Delivery = {
    ...delivery,
    attempts: delivery.attempts + 1,
    lastAttemptAt: failure.at.toISOString(),
    lastError: failure.error.slice(0, MAX_ERROR_CHARS),
    lastStatus: failure.status,
  };
  if (retryAt !== undefined) {
    next.nextAttemptAt = retryAt.toISOString();
    try {
      await table.updateEntity(toEntity(next), 'Replace', { etag: delivery.etag ?? '*' });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    return next;
  }
  const failed: Delivery = { ...next, state: 'failed', failedAt: failure.at.toISOString() };
  try {
    await table.submitTransaction([
      [
        'delete',
        {
          partitionKey: outboxPartition(delivery.subscriptionId),
          rowKey: rowKeyOf('pending', delivery.partition, delivery.logIndex),
        },
      ],
      ['upsert', toEntity(failed), 'Replace'],
    ]);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  return failed;
}

export interface FailedPage {
  deliveries: Delivery[];
  continuationToken?: string;
}

/** Failed deliveries of a subscription, by log position, a page at a time. */
export async function listFailedDeliveries(
  table: TableClient,
  subscriptionId: string,
  limit: number,
  continuationToken: string | undefined,
): Promise<FailedPage> {
  const filter = odata`PartitionKey eq ${outboxPartition(subscriptionId)} and RowKey ge 'failed|' and RowKey lt 'failed}'`;
  const pages = table.listEntities<DeliveryEntity>({ queryOptions: { filter } }).byPage({
    maxPageSize: limit,
    ...(continuationToken === undefined ? {} : { continuationToken }),
  });
  for await (const page of pages) {
    return {
      deliveries: page.map((entity) => fromEntity(entity, subscriptionId)),
      ...(page.continuationToken === undefined
        ? {}
        : { continuationToken: page.continuationToken }),
    };
  }
  return { deliveries: [] };
}

/** Removes every delivery of a subscription, pending and failed (it is being deleted). */
export async function clearOutbox(table: TableClient, subscriptionId: string): Promise<void> {
  const partitionKey = outboxPartition(subscriptionId);
  const keys: string[] = [];
  for await (const entity of table.listEntities({
    queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ['RowKey'] },
  })) {
    keys.push(entity.rowKey as string);
  }
  // A row may go away meanwhile (a delivery completed): deleteRows tolerates that.
  await deleteRows(
    table,
    keys.map((rowKey) => ({ partitionKey, rowKey })),
  );
}

function toEntity(delivery: Delivery): DeliveryEntity {
  return {
    partitionKey: outboxPartition(delivery.subscriptionId),
    rowKey: rowKeyOf(delivery.state, delivery.partition, delivery.logIndex),
    tenant: delivery.tenant,
    deliveryId: delivery.deliveryId,
    eventId: delivery.eventId,
    partition: delivery.partition,
    // Doubles are exact to 2^53, beyond any log size; Int32 would not be.
    logIndex: { value: String(delivery.logIndex), type: 'Double' },
    segment: delivery.segment,
    attempts: delivery.attempts,
    createdAt: delivery.createdAt,
    nextAttemptAt: delivery.nextAttemptAt,
    ...(delivery.lastAttemptAt === undefined ? {} : { lastAttemptAt: delivery.lastAttemptAt }),
    ...(delivery.lastStatus === undefined ? {} : { lastStatus: delivery.lastStatus }),
    ...(delivery.lastError === undefined ? {} : { lastError: delivery.lastError }),
    ...(delivery.failedAt === undefined ? {} : { failedAt: delivery.failedAt }),
  };
}

function fromEntity(entity: DeliveryEntity, subscriptionId: string): Delivery {
  return {
    subscriptionId,
    tenant: entity.tenant,
    deliveryId: entity.deliveryId,
    eventId: entity.eventId,
    partition: entity.partition,
    logIndex: Number(entity.logIndex),
    segment: entity.segment,
    state: entity.rowKey.startsWith('failed|') ? 'failed' : 'pending',
    attempts: Number(entity.attempts),
    createdAt: entity.createdAt,
    nextAttemptAt: entity.nextAttemptAt,
    ...(entity.lastAttemptAt === undefined ? {} : { lastAttemptAt: entity.lastAttemptAt }),
    ...(entity.lastStatus === undefined ? {} : { lastStatus: Number(entity.lastStatus) }),
    ...(entity.lastError === undefined ? {} : { lastError: entity.lastError }),
    ...(entity.failedAt === undefined ? {} : { failedAt: entity.failedAt }),
    ...(entity.etag === undefined ? {} : { etag: entity.etag }),
  };
}
