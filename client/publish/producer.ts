import type { EventHubProducerClient, RetryOptions } from '@azure/event-hubs';
import type { AuditEvent } from '../../src/schema/types';
import { encodeEvent } from '../events/encode';
import { describeError } from '../shared/describe-error';
import { SerialLane } from '../shared/serial-lane';
import { SpoolCorruptError } from '../spool/errors';
import { Spool, type SpooledRecord, type SpoolOptions, type SpoolRecovery } from '../spool/spool';
import { backoffDelay, type BackoffOptions } from './backoff';
import { sendInBatches, SendInterruptedError, type OutgoingEvent } from './batches';
import { createProducerClient, type EventHubsConnection } from './connection';
import { AuditEventTooLargeError, EventHubsUnavailableError, ProducerClosedError } from './errors';
import { gapReasonOf, ProducerMetrics, type AuditGap } from './telemetry';

/** The SDK retry policy the producer uses unless told otherwise: short, since the spool takes over. */
export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxRetries: 3,
  retryDelayInMs: 200,
  maxRetryDelayInMs: 5_000,
  timeoutInMs: 10_000,
};

export interface AuditProducerOptions {
  connection: EventHubsConnection;
  /** The partition key of an event. Default its tenant, so each tenant's events stay in order. */
  partitionKey?: (event: AuditEvent) => string;
  /** Where events wait while Event Hubs cannot be reached. Without one, such events fail. */
  spool?: SpoolOptions;
  /** The SDK's retry policy for each operation. Default DEFAULT_RETRY_OPTIONS. */
  retryOptions?: RetryOptions;
  /**
   * Longest one createBatch or sendBatch may take, SDK retries included, before the producer
   * gives up on it and spools the events. Default 30 s.
   */
  sendTimeoutMs?: number;
  /** Delays between attempts to replay the spool. Default 250 ms doubling to 30 s. */
  replayBackoff?: BackoffOptions;
  /** Most events taken into one send cycle or replay window. Default 1000. */
  maxEventsPerSend?: number;
  /** Called for each event recorded with record() that will never be recorded. */
  onGap?: (gap: AuditGap) => void;
  /** Called when the producer goes offline (spooling) or back online. */
  onStateChange?: (state: ProducerState, cause?: unknown) => void;
  /** Called when replay finds the spool changed under it; replay stops. */
  onSpoolCorrupt?: (error: SpoolCorruptError) => void;
  /** Builds the SDK client; the default builds an EventHubProducerClient from `connection`. */
  createClient?: (
    connection: EventHubsConnection,
    retryOptions: RetryOptions,
  ) => EventHubProducerClient;
}

/** online: events go straight to Event Hubs. offline: they go to the spool, which is being replayed. */
export type ProducerState = 'online' | 'offline' | 'closed';

/** How a published event was made durable. */
export interface PublishReceipt {
  eventId: string;
  partitionKey: string;
  /** 'sent': Event Hubs accepted it. 'spooled': it is in the spool and will be replayed. */
  delivery: 'sent' | 'spooled';
}

/** Counters since the producer opened. */
export interface ProducerStats {
  state: ProducerState;
  /** Events Event Hubs accepted directly. */
  sent: number;
  /** Events written to the spool. */
  spooled: number;
  /** Spooled events Event Hubs accepted on replay (including ones spooled by an earlier run). */
  replayed: number;
  /** publish() calls that failed. */
  rejected: number;
  /** Events passed to record() (or reported with reportGap) that will never be recorded. */
  gaps: number;
  /** Events waiting to be sent or spooled. */
  queued: number;
  /** Spooled events not yet replayed. */
  spoolPending: number;
  spoolBytes: number;
  /** The last failure to reach Event Hubs, while offline. */
  lastError?: string;
}

/** Whether a new event can be made durable now, as far as the producer knows. */
export type Readiness = { ready: true } | { ready: false; reason: string };

interface Pending extends OutgoingEvent {
  event: AuditEvent;
  partitionKey: string;
  resolve(receipt: PublishReceipt): void;
  reject(error: unknown): void;
}

interface Replayed extends OutgoingEvent {
  record: SpooledRecord;
}

const REPLAY_WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * Publishes audit events to Event Hubs, and to a local spool while Event Hubs cannot be reached.
 *
 * Each event is validated with the ingest pipeline's parser before it is queued. Queued events go
 * out in SDK-sized batches per partition key (the tenant by default). When a send fails after the
 * SDK's retries (or sendTimeoutMs), the producer goes offline: that send's events and every later
 * one are appended to the spool, and a replayer sends the spool in order, backing off between
 * attempts, until it is empty; then the producer is online again. Spooling everything while the
 * spool is not empty keeps each partition key's events in order.
 *
 * Delivery is at least once: a send whose acknowledgement was lost is sent again, with the same
 * bytes and id, and the ingest pipeline records it once (same source and id).
 */
export class AuditProducer {
  private readonly metrics = new ProducerMetrics();
  private readonly lane = new SerialLane();
  private readonly queue: Pending[] = [];
  private readonly onlineWaiters: Array<() => void> = [];
  private state: 'online' | 'offline' = 'online';
  private pumping: Promise<void> | undefined;
  private replaying: Promise<void> | undefined;
  private wakeReplay: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private spoolBlocked: Error | undefined;
  private spoolCorrupt: SpoolCorruptError | undefined;
  private lastError: unknown;
  private readonly counts = { sent: 0, spooled: 0, replayed: 0, rejected: 0, gaps: 0 };
  private readonly partitionKeyOf: (event: AuditEvent) => string;
  private readonly sendTimeoutMs: number;
  private readonly maxEventsPerSend: number;

  private constructor(
    private readonly options: AuditProducerOptions,
    private readonly client: EventHubProducerClient,
    private readonly spool: Spool | undefined,
  ) {
    this.partitionKeyOf = options.partitionKey ?? ((event) => event.tenantid);
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
    this.maxEventsPerSend = options.maxEventsPerSend ?? 1000;
    if (spool !== undefined && spool.pendingCount > 0) {
      this.state = 'offline';
      this.startReplay();
    }
  }

  /**
   * Opens the spool (recovering or refusing a damaged one, see SpoolOptions.onCorrupt) and creates
   * the Event Hubs client. Events a previous run left in the spool start replaying at once.
   */
  static async open(options: AuditProducerOptions): Promise<AuditProducer> {
    const retryOptions = options.retryOptions ?? DEFAULT_RETRY_OPTIONS;
    const client = (
      options.createClient ?? ((c, r) => createProducerClient(c, { retryOptions: r }))
    )(options.connection, retryOptions);
    let spool: Spool | undefined;
    try {
      spool = options.spool === undefined ? undefined : await Spool.open(options.spool);
    } catch (error) {
      await client.close();
      throw error;
    }
    return new AuditProducer(options, client, spool);
  }

  /** What opening the spool found, when there is a spool. */
  get spoolRecovery(): SpoolRecovery | undefined {
    return this.spool?.recovery;
  }

  /**
   * Publishes one event and resolves once it is durable: accepted by Event Hubs, or fsync'd to the
   * spool. Rejects at once, before anything is queued, with InvalidAuditEventError (the ingest
   * pipeline's rejection) for an event the pipeline would refuse. Otherwise rejects with
   * AuditEventTooLargeError, EventHubsUnavailableError (no spool), SpoolFullError, SpoolWriteError,
   * SpoolCorruptError or ProducerClosedError.
   */
  async publish(event: AuditEvent): Promise<PublishReceipt> {
    try {
      if (this.closing !== undefined) throw new ProducerClosedError();
      const encoded = encodeEvent(event);
      const partitionKey = this.partitionKeyOf(encoded.event);
      return await new Promise<PublishReceipt>((resolve, reject) => {
        this.queue.push({
          id: encoded.event.id,
          body: encoded.body,
          event: encoded.event,
          partitionKey,
          resolve,
          reject,
        });
        this.pump();
      });
    } catch (error) {
      this.counts.rejected += 1;
      this.metrics.rejection(gapReasonOf(error));
      throw error;
    }
  }

  /**
   * Publishes without waiting (fail-open): an event that is never made durable is counted as a gap
   * and reported to onGap instead of failing the caller.
   */
  record(event: AuditEvent): void {
    this.publish(event).catch((error: unknown) => this.reportGap(error, event));
  }

  /** Counts and reports an audit event that will never be recorded. */
  reportGap(error: unknown, event?: { id?: string; type?: string }): void {
    const reason = gapReasonOf(error);
    this.counts.gaps += 1;
    this.metrics.gap(reason);
    this.options.onGap?.({
      reason,
      error: error instanceof Error ? error : new Error(String(error)),
      ...(event?.id === undefined ? {} : { eventId: event.id }),
      ...(event?.type === undefined ? {} : { eventType: event.type }),
      at: new Date(),
    });
  }

  /**
   * Whether an event published now can be made durable as far as the producer knows: not when it is
   * closed, when its spool is corrupt, or when it is offline and its last spool write failed (full
   * or unwritable). Fail-closed callers use it to refuse work before doing it.
   */
  readiness(): Readiness {
    if (this.closing !== undefined) return { ready: false, reason: 'the audit producer is closed' };
    if (this.spoolCorrupt !== undefined) {
      return { ready: false, reason: this.spoolCorrupt.message };
    }
    if (this.state === 'offline' && this.spoolBlocked !== undefined) {
      return {
        ready: false,
        reason: `Event Hubs is unreachable and the spool cannot take more events (${this.spoolBlocked.message})`,
      };
    }
    return { ready: true };
  }

  stats(): ProducerStats {
    return {
      state: this.closing === undefined ? this.state : 'closed',
      ...this.counts,
      queued: this.queue.length,
      spoolPending: this.spool?.pendingCount ?? 0,
      spoolBytes: this.spool?.sizeBytes ?? 0,
      ...(this.state === 'offline' && this.lastError !== undefined
        ? { lastError: messageOf(this.lastError) }
        : {}),
    };
  }

  /** Resolves once every event published so far is durable or has failed. */
  async flush(): Promise<void> {
    while (this.pumping !== undefined) await this.pumping;
  }

  /**
   * Resolves once every event published so far has reached Event Hubs (the spool is replayed and
   * empty); rejects after `timeoutMs`.
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.flush();
    while (this.state === 'offline' || this.queue.length > 0) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `the spool still holds ${this.spool?.pendingCount ?? 0} events after ${timeoutMs} ms (last error: ${messageOf(this.lastError)})`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.onlineWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await this.flush();
    }
  }

  /**
   * Stops taking events, makes the queued ones durable, stops replaying (the spool keeps what is
   * left for the next run) and closes the Event Hubs client and the spool.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      this.wakeReplay?.();
      await this.replaying;
      await this.client.close();
      await this.spool?.close();
    })();
    return this.closing;
  }

  private pump(): void {
    this.pumping ??= (async () => {
      try {
        // Let a burst of publish() calls made in one turn of the event loop join the first batch.
        await Promise.resolve();
        while (this.queue.length > 0) {
          const taken = this.queue.splice(0, this.maxEventsPerSend);
          // Deciding to spool and appending happen in the lane, so the replayer cannot switch back
          // online between the decision and the append and leave these events behind.
          const spooled = await this.lane.run(async () => {
            if (this.state !== 'offline') return false;
            await this.spoolOrReject(taken);
            return true;
          });
          if (!spooled) await this.sendDirect(taken);
        }
      } finally {
        this.pumping = undefined;
      }
    })();
  }

  private async sendDirect(taken: Pending[]): Promise<void> {
    const unsent: Pending[] = [];
    let failure: unknown;
    for (const [key, events] of groupByKey(taken, (p) => p.partitionKey)) {
      if (failure !== undefined) {
        unsent.push(...events);
        continue;
      }
      const settled = new Set<Pending>();
      try {
        await sendInBatches(this.client, key, events, {
          onSent: (sent) => {
            for (const pending of sent) {
              settled.add(pending);
              pending.resolve({ eventId: pending.id, partitionKey: key, delivery: 'sent' });
            }
            this.counts.sent += sent.length;
            this.metrics.delivered('sent', sent.length);
          },
          onTooLarge: (pending, maxBatchBytes) => {
            settled.add(pending);
            pending.reject(
              new AuditEventTooLargeError(pending.id, pending.body.length, maxBatchBytes),
            );
          },
          withTimeout: (operation) => this.withTimeout(operation),
        });
      } catch (error) {
        failure = error instanceof SendInterruptedError ? error.cause : error;
        unsent.push(...events.filter((pending) => !settled.has(pending)));
      }
    }
    if (failure === undefined) return;
    if (this.spool === undefined) {
      for (const pending of unsent) pending.reject(new EventHubsUnavailableError(failure));
      return;
    }
    await this.lane.run(async () => {
      this.lastError = failure;
      this.setState('offline', failure);
      await this.spoolOrReject(unsent);
    });
  }

  /** Appends events to the spool, settling each; runs in the lane, with the producer offline. */
  private async spoolOrReject(events: Pending[]): Promise<void> {
    const spool = this.spool as Spool;
    if (this.spoolCorrupt !== undefined) {
      for (const pending of events) pending.reject(this.spoolCorrupt);
      return;
    }
    let results;
    try {
      results = await spool.append(
        events.map((p) => ({ partitionKey: p.partitionKey, body: p.body })),
      );
    } catch (error) {
      this.spoolBlocked = error as Error;
      for (const pending of events) pending.reject(error);
      // The replayer is what brings the producer back online, even with nothing spooled.
      this.startReplay();
      return;
    }
    let stored = 0;
    results.forEach((result, i) => {
      const pending = events[i] as Pending;
      if (result.ok) {
        stored += 1;
        pending.resolve({
          eventId: pending.id,
          partitionKey: pending.partitionKey,
          delivery: 'spooled',
        });
      } else {
        pending.reject(result.error);
      }
    });
    const last = results[results.length - 1];
    this.spoolBlocked = last !== undefined && !last.ok ? last.error : undefined;
    this.counts.spooled += stored;
    this.metrics.delivered('spooled', stored);
    this.startReplay();
  }

  private startReplay(): void {
    if (this.replaying !== undefined || this.closing !== undefined || this.spool === undefined)
      return;
    this.replaying = this.replay().finally(() => {
      this.replaying = undefined;
    });
  }

  /** Sends the spool in order, window by window, until it is empty or the producer closes. */
  private async replay(): Promise<void> {
    const spool = this.spool as Spool;
    // Records of the current window that Event Hubs already accepted: after a failure part-way
    // through a window only the rest is sent again.
    const delivered = new Set<number>();
    let attempt = 0;
    while (this.closing === undefined && this.spoolCorrupt === undefined) {
      try {
        const records = await spool.readPending({
          maxRecords: this.maxEventsPerSend,
          maxBytes: REPLAY_WINDOW_BYTES,
        });
        if (records.length === 0) {
          const drained = await this.lane.run(async () => {
            if (spool.pendingCount > 0) return false;
            await spool.resetIfDrained();
            this.spoolBlocked = undefined;
            this.setState('online');
            return true;
          });
          if (drained) return;
          continue;
        }
        await this.replayWindow(records, delivered);
        await spool.acknowledge(records[records.length - 1] as SpooledRecord);
        delivered.clear();
        attempt = 0;
      } catch (error) {
        if (error instanceof SpoolCorruptError) {
          this.spoolCorrupt = error;
          this.options.onSpoolCorrupt?.(error);
          return;
        }
        this.lastError = error instanceof SendInterruptedError ? error.cause : error;
        await this.sleep(backoffDelay(attempt, this.options.replayBackoff));
        attempt += 1;
      }
    }
  }

  private async replayWindow(records: SpooledRecord[], delivered: Set<number>): Promise<void> {
    const outgoing: Replayed[] = records
      .filter((record) => !delivered.has(record.index))
      .map((record) => ({ id: spooledIdentity(record.body).id, body: record.body, record }));
    for (const [key, events] of groupByKey(outgoing, (r) => r.record.partitionKey)) {
      await sendInBatches(this.client, key, events, {
        onSent: (sent) => {
          for (const replayed of sent) delivered.add(replayed.record.index);
          this.counts.replayed += sent.length;
          this.metrics.delivered('replayed', sent.length);
        },
        onTooLarge: (replayed, maxBatchBytes) => {
          // It can never be sent; holding it back would stop the whole spool behind it.
          delivered.add(replayed.record.index);
          this.reportGap(
            new AuditEventTooLargeError(replayed.id, replayed.body.length, maxBatchBytes),
            spooledIdentity(replayed.body),
          );
        },
        withTimeout: (operation) => this.withTimeout(operation),
      });
    }
  }

  private setState(state: 'online' | 'offline', cause?: unknown): void {
    if (this.state === state) return;
    this.state = state;
    if (state === 'online') {
      this.lastError = undefined;
      for (const wake of this.onlineWaiters.splice(0)) wake();
    }
    this.options.onStateChange?.(state, cause);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      // The spool keeps what is waiting, so a pending retry need not keep the process alive.
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeReplay = done;
    });
  }

  private async withTimeout<R>(operation: (signal: AbortSignal) => Promise<R>): Promise<R> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.sendTimeoutMs);
    try {
      return await operation(controller.signal);
    } catch (error) {
      if (controller.signal.aborted) {
        throw new Error(`Event Hubs did not answer within ${this.sendTimeoutMs} ms`, {
          cause: error,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Groups items by key, keeping first-seen key order and the items' order within each key. */
function groupByKey<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

/** The id and type inside a spooled body, which was validated when it was published. */
function spooledIdentity(body: Buffer): { id: string; type: string } {
  const event = JSON.parse(body.toString('utf8')) as { id: unknown; type: unknown };
  return { id: String(event.id), type: String(event.type) };
}

function messageOf(error: unknown): string {
  return error === undefined ? 'none' : describeError(error);
}
