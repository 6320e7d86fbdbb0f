import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { eventViewOf, type EventView } from '../http/event-view';
import { listLogStates, type PartitionLogState } from '../store/log-state';
import type { CallbackPolicy } from './callback-url';
import { advanceCursor, cursorKey, readCursors, type MatchCursor } from './cursors';
import { nodeTransport, postWebhook, type WebhookTransport } from './delivery-client';
import { readArchivedRecord, readTenantRange, rowOf, type ArchivedRecord } from './feed';
import { filterMatches, parseSubscriptionFilter, type SubscriptionFilter } from './filter';
import {
  completeDelivery,
  deliveryIdOf,
  dueDeliveries,
  enqueueDeliveries,
  failAttempt,
  type Delivery,
} from './outbox';
import { webhookHeaders } from './signature';
import { listSubscriptions, type Subscription } from './store';

/** When a failed delivery is tried again, and how often at most. */
export interface RetrySchedule {
  /** Attempts in all, the first included; after the last failed one the delivery is failed for good. */
  maxAttempts: number;
  /** Wait after the first failure; each further failure doubles it, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Up to this fraction is added at random, so receivers coming back are not hit by every retry at once. */
  jitter: number;
}

/** 12 attempts over about five hours: 30 s, 1, 2, 4, 8, 16, 32 min, then hourly. */
export const DEFAULT_RETRY: RetrySchedule = {
  maxAttempts: 12,
  firstDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  jitter: 0.1,
};

/** The wait after `failedAttempts` (>= 1) failed attempts; `random` in [0, 1). */
export function retryDelayMs(
  schedule: RetrySchedule,
  failedAttempts: number,
  random: number,
): number {
  const base = Math.min(schedule.maxDelayMs, schedule.firstDelayMs * 2 ** (failedAttempts - 1));
  return Math.round(base * (1 + schedule.jitter * random));
}

export interface DispatcherDependencies {
  /** The state table: log states, subscriptions, cursors and the outbox. */
  state: TableClient;
  archive: ContainerClient;
  clock: () => Date;
  policy: CallbackPolicy;
  transport?: WebhookTransport;
  retry?: RetrySchedule;
  /** How long a receiver has to answer one attempt. Default 10 s. */
  timeoutMs?: number;
  /** No new attempt starts after this long since the run began. Default 4 minutes. */
  budgetMs?: number;
  /** Due deliveries taken per subscription and run. Default 50. */
  batchPerSubscription?: number;
  random?: () => number;
}

/** The body of every delivery (application/json). */
export interface WebhookDelivery {
  subscriptionId: string;
  deliveryId: string;
  tenant: string;
  /** The event as GET /api/events/{id} returns it. */
  event: EventView;
}

export interface DispatchSummary {
  /** Records read from the archive and matched against subscription filters. */
  matched: number;
  /** Deliveries added to the outbox. */
  enqueued: number;
  delivered: number;
  /** Attempts that failed and will be retried. */
  retrying: number;
  /** Deliveries that failed their last attempt and were kept as failed. */
  failed: number;
  /** Per tenant and partition, what could not be matched this run (it is retried next run). */
  errors: string[];
}

/** Every event ingest accepts is read once per tenant, so an hour of margin covers clock differences. */
const ENQUEUE_MARGIN_MS = 3600_000;
const SEND_CONCURRENCY = 4;

/**
 * One dispatcher run: finds the records accepted since the last run and enqueues a delivery for each
 * subscription that matches one, then sends what is due.
 *
 * Matching never loses a record: for each tenant with subscriptions and each partition, the records in
 * [cursor, log size) are read from the archive (src/subscriptions/feed.ts), their deliveries written, and
 * only then does the cursor move to the log size. A crash in between repeats the match, which finds the
 * deliveries already there. The log states are read before the subscriptions: a subscription this run does
 * not see was created after the log sizes it reads, so it starts at or above them and nothing it should
 * get is passed by.
 *
 * Sending is at least once: a delivery leaves the outbox only after a 2xx. A failed attempt is retried
 * with exponential backoff; after `maxAttempts` it is kept as failed (GET /api/subscriptions/{id}/deadletters).
 * After a failure, the run sends nothing more to that subscription, sparing a receiver that is down.
 */
export async function dispatchOnce(deps: DispatcherDependencies): Promise<DispatchSummary> {
  const started = deps.clock();
  const summary: DispatchSummary = {
    matched: 0,
    enqueued: 0,
    delivered: 0,
    retrying: 0,
    failed: 0,
    errors: [],
  };
  const states = await listLogStates(deps.state);
  const subscriptions = await listSubscriptions(deps.state, undefined);
  const cursors = await readCursors(deps.state);
  const read = new Map<string, ArchivedRecord>();

  const byTenant = new Map<string, Subscription[]>();
  for (const subscription of subscriptions) {
    byTenant.set(subscription.tenant, [...(byTenant.get(subscription.tenant) ?? []), subscription]);
  }
  for (const [tenant, tenantSubscriptions] of byTenant) {
    let filters: Map<string, SubscriptionFilter>;
    try {
      filters = new Map(
        tenantSubscriptions.map((s) => [s.id, parseSubscriptionFilter(s.filter, started)]),
      );
    } catch (error) {
      summary.errors.push(
        `tenant ${tenant}: a subscription filter no longer parses: ${(error as Error).message}`,
      );
      continue;
    }
    for (const state of states) {
      try {
        await matchPartition(
          deps,
          tenant,
          tenantSubscriptions,
          filters,
          state,
          cursors,
          started,
          summary,
          read,
        );
      } catch (error) {
        summary.errors.push(
          `tenant ${tenant}, partition ${state.partitionId}: ${(error as Error).message}`,
        );
      }
    }
  }

  const queue = [...subscriptions];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      await sendDue(deps, next, started, summary, read);
    }
  };
  await Promise.all(Array.from({ length: SEND_CONCURRENCY }, worker));
  return summary;
}

async function matchPartition(
  deps: DispatcherDependencies,
  tenant: string,
  subscriptions: readonly Subscription[],
  filters: ReadonlyMap<string, SubscriptionFilter>,
  state: PartitionLogState,
  cursors: ReadonlyMap<string, MatchCursor>,
  now: Date,
  summary: DispatchSummary,
  read: Map<string, ArchivedRecord>,
): Promise<void> {
  const partition = state.partitionId;
  const end = state.nextIndex;
  const cursor = cursors.get(cursorKey(tenant, partition)) ?? { tenant, partition, next: 0 };
  const startOf = (s: Subscription): number => s.startIndexes[partition] ?? 0;
  // Records below every subscription's start are no one's: a cursor left behind while the tenant had no
  // subscription does not make a new one read the tenant's whole history.
  const from = Math.max(cursor.next, Math.min(...subscriptions.map(startOf)));
  if (from >= end) {
    if (cursor.next < end) await advanceCursor(deps.state, { ...cursor, next: end });
    return;
  }
  const lastIngest = state.lastIngestAt === undefined ? 0 : Date.parse(state.lastIngestAt);
  const { records, floor } = await readTenantRange(deps.archive, {
    tenant,
    partition,
    from,
    to: end,
    ...(cursor.floor === undefined ? {} : { floor: cursor.floor }),
    until: new Date(Math.max(now.getTime(), lastIngest) + ENQUEUE_MARGIN_MS),
  });
  const deliveries: Delivery[] = [];
  for (const item of records) {
    summary.matched++;
    const index = item.record.log.index;
    read.set(`${item.segment}#${index}`, item);
    const row = rowOf(item);
    for (const subscription of subscriptions) {
      const filter = filters.get(subscription.id);
      if (filter === undefined || index < startOf(subscription) || !filterMatches(filter, row))
        continue;
      deliveries.push({
        subscriptionId: subscription.id,
        tenant,
        deliveryId: deliveryIdOf(subscription.id, partition, index),
        eventId: item.record.event.id,
        partition,
        logIndex: index,
        segment: item.segment,
        state: 'pending',
        attempts: 0,
        createdAt: now.toISOString(),
        nextAttemptAt: now.toISOString(),
      });
    }
  }
  summary.enqueued += await enqueueDeliveries(deps.state, deliveries);
  await advanceCursor(deps.state, {
    ...cursor,
    next: end,
    ...(floor === undefined ? {} : { floor }),
  });
}

async function sendDue(
  deps: DispatcherDependencies,
  subscription: Subscription,
  started: Date,
  summary: DispatchSummary,
  read: Map<string, ArchivedRecord>,
): Promise<void> {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const budgetMs = deps.budgetMs ?? 240_000;
  const transport = deps.transport ?? nodeTransport();
  const random = deps.random ?? Math.random;
  const due = await dueDeliveries(
    deps.state,
    subscription.id,
    deps.clock(),
    deps.batchPerSubscription ?? 50,
  );
  for (const delivery of due) {
    if (deps.clock().getTime() - started.getTime() > budgetMs) return;
    const item =
      read.get(`${delivery.segment}#${delivery.logIndex}`) ??
      (await readArchivedRecord(
        deps.archive,
        delivery.segment,
        delivery.tenant,
        delivery.partition,
        delivery.logIndex,
      ));
    const attemptAt = deps.clock();
    let result;
    if (item === undefined) {
      result = {
        ok: false as const,
        error: `record ${delivery.partition}/${delivery.logIndex} is not in archive segment ${delivery.segment}`,
      };
    } else {
      const payload: WebhookDelivery = {
        subscriptionId: subscription.id,
        deliveryId: delivery.deliveryId,
        tenant: subscription.tenant,
        event: eventViewOf(rowOf(item)),
      };
      const body = Buffer.from(JSON.stringify(payload), 'utf8');
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'sql-mcp-audit-webhooks/1',
        ...webhookHeaders(subscription.secret, delivery.deliveryId, body, attemptAt),
      };
      result = await postWebhook(
        subscription.callbackUrl,
        headers,
        body,
        deps.policy,
        transport,
        deps.timeoutMs ?? 10_000,
      );
    }
    if (result.ok) {
      await completeDelivery(deps.state, delivery);
      summary.delivered++;
      continue;
    }
    const failure = {
      at: attemptAt,
      error: result.error,
      ...(result.status === undefined ? {} : { status: result.status }),
    };
    const attempts = delivery.attempts + 1;
    if (attempts >= retry.maxAttempts) {
      await failAttempt(deps.state, delivery, failure, undefined);
      summary.failed++;
    } else {
      const retryAt = new Date(attemptAt.getTime() + retryDelayMs(retry, attempts, random()));
      await failAttempt(deps.state, delivery, failure, retryAt);
      summary.retrying++;
    }
    return;
  }
}
