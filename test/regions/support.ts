import type { DeliveredEvent, EventOutcome } from '../../src/pipeline/delivered';
import { ingestPartitionBatch, type IngestDependencies } from '../../src/pipeline/ingest';

/**
 * One region's Event Hub as the drill needs it: partitions that give each published event its sequence
 * number and enqueued time (never earlier than the previous one), and a trigger position per partition
 * that only moves when a batch has been ingested (what the Functions trigger's retry policy gives:
 * a failed batch is delivered again, never skipped).
 */
export class SimulatedHub {
  private readonly partitions = new Map<string, { events: DeliveredEvent[]; ingested: number }>();
  private lastEnqueued = 0;
  /** While false, publishing fails as an unreachable namespace would. */
  reachable = true;

  constructor(
    readonly name: string,
    private readonly partitionCount: number,
  ) {}

  /** Publishes one event; returns its coordinates in this hub. */
  publish(body: Uint8Array, partitionKey: string, at: Date): DeliveredEvent {
    if (!this.reachable) throw new Error(`hub ${this.name} is unreachable`);
    const partitionId = String(hashOf(partitionKey) % this.partitionCount);
    const partition = this.partitionOf(partitionId);
    this.lastEnqueued = Math.max(at.getTime(), this.lastEnqueued + 1);
    const event: DeliveredEvent = {
      body,
      partitionId,
      sequenceNumber: partition.events.length,
      offset: String(partition.events.length * 1000),
      enqueuedTime: new Date(this.lastEnqueued),
      partitionKey,
    };
    partition.events.push(event);
    return event;
  }

  /** Events of the partition not yet ingested, oldest first, at most `max`. */
  pending(partitionId: string, max = Infinity): DeliveredEvent[] {
    const partition = this.partitionOf(partitionId);
    return partition.events.slice(partition.ingested, partition.ingested + max);
  }

  /** Events ever published to the partition. */
  publishedCount(partitionId: string): number {
    return this.partitionOf(partitionId).events.length;
  }

  partitionIds(): string[] {
    return [...this.partitions.keys()].sort();
  }

  /**
   * Delivers the next batch of the partition to ingest. The trigger position moves only when ingest
   * returns; when it throws, the same batch is delivered next time.
   */
  async deliverNext(
    ingest: IngestDependencies,
    partitionId: string,
    max: number,
  ): Promise<EventOutcome[]> {
    const batch = this.pending(partitionId, max);
    if (batch.length === 0) return [];
    const outcomes = await ingestPartitionBatch(ingest, partitionId, batch);
    this.partitionOf(partitionId).ingested += batch.length;
    return outcomes;
  }

  /** Delivers every pending event of every partition, in batches of `max`. */
  async drain(ingest: IngestDependencies, max: number): Promise<EventOutcome[]> {
    const outcomes: EventOutcome[] = [];
    for (const partitionId of this.partitionIds()) {
      while (this.pending(partitionId).length > 0)
        outcomes.push(...(await this.deliverNext(ingest, partitionId, max)));
    }
    return outcomes;
  }

  private partitionOf(partitionId: string): { events: DeliveredEvent[]; ingested: number } {
    let partition = this.partitions.get(partitionId);
    if (partition === undefined) {
      partition = { events: [], ingested: 0 };
      this.partitions.set(partitionId, partition);
    }
    return partition;
  }
}

function hashOf(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash;
}

/** Ingests events with the given coordinates straight through the ingest pipeline. */
export function deliverAt(
  ingest: IngestDependencies,
  partitionId: string,
  items: readonly { sequenceNumber: number; body: Uint8Array; enqueuedTime: Date }[],
): Promise<EventOutcome[]> {
  return ingestPartitionBatch(
    ingest,
    partitionId,
    items.map((item) => ({
      body: item.body,
      partitionId,
      sequenceNumber: item.sequenceNumber,
      offset: String(item.sequenceNumber * 1000),
      enqueuedTime: item.enqueuedTime,
    })),
  );
}
