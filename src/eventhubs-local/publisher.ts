import type { Delivery, Message, Receiver } from 'rhea';
import { settle } from './amqp-links';
import { decodeTransfer, TransferDecodeError, type DecodedTransfer } from './event-decoding';
import { PartitionLog, type PartitionRuntimeState } from './partition-log';
import { partitionForKey } from './partition-key';
import type { ReceivedEvent } from './types';

/** Standard-tier limit for one event or batch; advertised on every publishing link. */
export const MAX_MESSAGE_SIZE_BYTES = 1024 * 1024;

export const SHUTTING_DOWN =
  'The local Event Hubs endpoint is shutting down; retry against the next instance.';

export interface PublisherOptions {
  readonly partitionIds: readonly string[];
  readonly initialSequenceNumbers: ReadonlyMap<string, number>;
  readonly onEvents: (batch: ReceivedEvent[]) => Promise<void>;
}

/**
 * Takes transfers from publishing links to the durable store: decodes them, picks the
 * partition, has the partition's log number and store them, and settles each delivery with
 * the outcome. Tracks what is in flight so a shutdown can let it finish.
 */
export class Publisher {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly inFlight = new Set<Promise<void>>();
  private roundRobin = 0;
  private accepting = true;

  constructor(private readonly options: PublisherOptions) {
    for (const partitionId of options.partitionIds) {
      const first = options.initialSequenceNumbers.get(partitionId) ?? 0;
      this.logs.set(partitionId, new PartitionLog(partitionId, first));
    }
  }

  hasPartition(partitionId: string): boolean {
    return this.logs.has(partitionId);
  }

  partitionState(partitionId: string): PartitionRuntimeState | undefined {
    return this.logs.get(partitionId)?.state();
  }

  /**
   * Handles one transfer. `payload` and `format` are as rhea delivers them (a decoded Message
   * for format 0, raw bytes otherwise); `linkPartitionId` is set for `<hub>/Partitions/<id>` links.
   */
  publish(
    receiver: Receiver,
    delivery: Delivery,
    payload: Message | Buffer,
    format: number,
    linkPartitionId: string | undefined,
  ): void {
    if (!this.accepting) {
      settle(receiver, delivery, {
        condition: 'com.microsoft:server-busy',
        description: SHUTTING_DOWN,
      });
      return;
    }
    if (Buffer.isBuffer(payload) && payload.length > MAX_MESSAGE_SIZE_BYTES) {
      settle(receiver, delivery, {
        condition: 'amqp:link:message-size-exceeded',
        description: `The transfer is ${payload.length} bytes; this endpoint accepts at most ${MAX_MESSAGE_SIZE_BYTES} bytes per event or batch.`,
      });
      return;
    }
    let transfer: DecodedTransfer;
    try {
      transfer = decodeTransfer(format, payload);
    } catch (error) {
      if (error instanceof TransferDecodeError) {
        settle(receiver, delivery, { condition: error.condition, description: error.message });
        return;
      }
      throw error;
    }
    const partitionId = linkPartitionId ?? this.choosePartition(transfer.partitionKey);
    const log = this.logs.get(partitionId);
    if (log === undefined || transfer.events.length === 0) {
      settle(receiver, delivery, undefined);
      return;
    }
    const stored = log
      .append(
        transfer.events,
        (batch) => this.options.onEvents(batch),
        () => new Date(),
      )
      .then(
        () => settle(receiver, delivery, undefined),
        (error: unknown) =>
          settle(receiver, delivery, {
            condition: 'amqp:internal-error',
            description: `The events were not stored (partition ${partitionId}): ${error instanceof Error ? error.message : String(error)}`,
          }),
      );
    this.inFlight.add(stored);
    void stored.finally(() => this.inFlight.delete(stored));
  }

  /** Rejects transfers from now on and resolves when those already handed to onEvents are settled. */
  async drain(): Promise<void> {
    this.accepting = false;
    await Promise.allSettled([...this.inFlight]);
  }

  /** A whole transfer goes to one partition, as in Event Hubs: by key hash, else round-robin. */
  private choosePartition(partitionKey: string | undefined): string {
    const count = this.options.partitionIds.length;
    if (partitionKey !== undefined) return partitionForKey(partitionKey, count);
    const partitionId = String(this.roundRobin);
    this.roundRobin = (this.roundRobin + 1) % count;
    return partitionId;
  }
}
