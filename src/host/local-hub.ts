import type { DeliveredEvent, EventOutcome } from '../pipeline/delivered';
import type { EventSink, OutgoingEvent, PublishOutcome } from '../sink/types';
import { partitionForKey } from '../eventhubs-local';

/** Runs one partition's batch through the ingest trigger (with its retry policy) and returns the outcomes. */
export type BatchInvoker = (
  partitionId: string,
  batch: DeliveredEvent[],
) => Promise<EventOutcome[]>;

export interface LocalHubOptions {
  partitionCount: number;
  /** Next sequence number per partition, e.g. one past the last the log state has handled. */
  nextSequenceNumbers: ReadonlyMap<string, number>;
  invoke: BatchInvoker;
  maxBatchSize: number;
  clock: () => Date;
  /**
   * Where numbered batches are made durable before the ingest function runs, so a host that stops without
   * finishing them redelivers them at its next start (see HubJournal).
   */
  journal?: {
    append(partitionId: string, batch: readonly DeliveredEvent[]): Promise<void>;
    clear(partitionId: string): Promise<void>;
  };
}

export class HubClosedError extends Error {
  constructor() {
    super('the local hub is shutting down and takes no new events');
    this.name = 'HubClosedError';
  }
}

interface Pending {
  event: OutgoingEvent;
  resolve(outcome: PublishOutcome): void;
  reject(error: unknown): void;
}

/**
 * The local stand-in for an Event Hub: assigns each event a partition by a stable hash of its partition
 * key, then a sequence number, offset and enqueued time, and feeds each partition's events, in order and
 * in batches, to the same ingest handler the Event Hubs trigger runs. One batch per partition at a time,
 * as a partition's lease guarantees in Azure.
 */
export class LocalHub implements EventSink {
  private readonly queues = new Map<string, Pending[]>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly nextSequence = new Map<string, number>();
  private closed = false;
  /** Events taken off the queues into a batch that is being ingested. */
  private ingesting = 0;
  /** Partitions with a batch that failed for good: their journal keeps it for the next start. */
  private readonly unfinished = new Set<string>();

  constructor(private readonly options: LocalHubOptions) {
    for (let p = 0; p < options.partitionCount; p++) {
      const id = String(p);
      this.nextSequence.set(id, options.nextSequenceNumbers.get(id) ?? 0);
    }
  }

  /** Events waiting or being ingested. */
  get inFlight(): number {
    let count = this.ingesting;
    for (const queue of this.queues.values()) count += queue.length;
    return count;
  }

  publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome[]> {
    return this.enqueue(events, (event) => this.partitionOf(event));
  }

  /**
   * Publishes to a partition another front door chose (the local AMQP endpoint, which routes a transfer by
   * its partition key or the link's partition). Numbering stays with the hub, so events arriving through
   * HTTP and AMQP never share a sequence number.
   */
  publishToPartition(
    partitionId: string,
    events: readonly OutgoingEvent[],
  ): Promise<PublishOutcome[]> {
    if (!this.nextSequence.has(partitionId)) {
      return Promise.reject(
        new RangeError(
          `partition "${partitionId}" does not exist; the hub has ${this.options.partitionCount}`,
        ),
      );
    }
    return this.enqueue(events, () => partitionId);
  }

  private enqueue(
    events: readonly OutgoingEvent[],
    partitionOf: (event: OutgoingEvent) => string,
  ): Promise<PublishOutcome[]> {
    if (this.closed) return Promise.reject(new HubClosedError());
    const outcomes = events.map(
      (event) =>
        new Promise<PublishOutcome>((resolve, reject) => {
          const partitionId = partitionOf(event);
          const queue = this.queues.get(partitionId) ?? [];
          queue.push({ event, resolve, reject });
          this.queues.set(partitionId, queue);
        }),
    );
    this.pump();
    return Promise.all(outcomes);
  }

  /** Starts a drain for every partition that has queued events and none running. */
  private pump(): void {
    for (const [partitionId, queue] of this.queues) {
      if (queue.length > 0 && !this.running.has(partitionId)) {
        const run = this.drain(partitionId).finally(() => {
          this.running.delete(partitionId);
          this.pump();
        });
        this.running.set(partitionId, run);
      }
    }
  }

  /** Stops taking events and waits for every queued and running batch to finish. */
  async close(): Promise<void> {
    this.closed = true;
    this.pump();
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private partitionOf(event: OutgoingEvent): string {
    const key = event.partitionKey;
    return String(key === undefined ? 0 : partitionForKey(key, this.options.partitionCount));
  }

  private async drain(partitionId: string): Promise<void> {
    const queue = this.queues.get(partitionId) ?? [];
    while (queue.length > 0) {
      const taken = queue.splice(0, this.options.maxBatchSize);
      const now = this.options.clock();
      let sequence = this.nextSequence.get(partitionId) ?? 0;
      const batch: DeliveredEvent[] = taken.map((pending) => {
        const sequenceNumber = sequence++;
        return {
          body: pending.event.body,
          partitionId,
          sequenceNumber,
          offset: String(sequenceNumber),
          enqueuedTime: now,
          ...(pending.event.partitionKey === undefined
            ? {}
            : { partitionKey: pending.event.partitionKey }),
        };
      });
      // Sequence numbers are spent once assigned, as in Event Hubs: a batch that fails for good keeps its
      // numbers (the journal redelivers it under them at the next start; without one they are a gap).
      this.nextSequence.set(partitionId, sequence);
      this.ingesting += taken.length;
      try {
        await this.options.journal?.append(partitionId, batch);
        const outcomes = await this.options.invoke(partitionId, batch);
        taken.forEach((pending, i) => {
          const outcome = outcomes[i];
          if (outcome === undefined)
            pending.reject(new Error(`no outcome for sequence number ${batch[i]?.sequenceNumber}`));
          else pending.resolve({ ...outcome, partitionId });
        });
      } catch (error) {
        this.unfinished.add(partitionId);
        for (const pending of taken) pending.reject(error);
      } finally {
        this.ingesting -= taken.length;
      }
      if (queue.length === 0 && !this.unfinished.has(partitionId)) {
        // Everything this partition numbered is handled. A failed truncation only leaves handled events in
        // the journal, which the next start skips (they are at or below the log's last sequence number).
        await this.options.journal?.clear(partitionId).catch(() => undefined);
      }
    }
  }
}
