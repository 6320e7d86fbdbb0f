import type { DecodedEvent } from './event-decoding';
import type { ReceivedEvent } from './types';

export interface PartitionRuntimeState {
  readonly partitionId: string;
  readonly beginningSequenceNumber: number;
  /** -1 when the partition is empty. */
  readonly lastEnqueuedSequenceNumber: number;
  /** "-1" when the partition is empty. */
  readonly lastEnqueuedOffset: string;
  /** Epoch 0 when unknown: empty, or numbered by initialSequenceNumbers before this process started. */
  readonly lastEnqueuedTimeUtc: Date;
  readonly isEmpty: boolean;
}

/**
 * One partition's numbering and its hand-off to the durable store.
 * Appends run one at a time in arrival order. Sequence numbers are taken from the committed
 * counter when an append starts and committed only when the store resolves, so a failed append
 * leaves no gap: the next append reuses its numbers.
 */
export class PartitionLog {
  private nextSequenceNumber: number;
  private lastEnqueuedTimeUtc = new Date(0);
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly partitionId: string,
    initialSequenceNumber: number,
  ) {
    this.nextSequenceNumber = initialSequenceNumber;
  }

  /** Resolves once `store` has accepted the events; rejects with store's error otherwise. */
  append(
    events: readonly DecodedEvent[],
    store: (batch: ReceivedEvent[]) => Promise<void>,
    now: () => Date,
  ): Promise<void> {
    const run = async (): Promise<void> => {
      const enqueuedTimeUtc = now();
      const first = this.nextSequenceNumber;
      const batch = events.map((event, index): ReceivedEvent => {
        const sequenceNumber = first + index;
        return {
          ...event,
          partitionId: this.partitionId,
          enqueuedTimeUtc,
          sequenceNumber,
          offset: String(sequenceNumber),
        };
      });
      await store(batch);
      this.nextSequenceNumber = first + events.length;
      this.lastEnqueuedTimeUtc = enqueuedTimeUtc;
    };
    const result = this.tail.then(run);
    // The chain must survive a failed append; the caller still sees the failure through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }

  state(): PartitionRuntimeState {
    const last = this.nextSequenceNumber - 1;
    return {
      partitionId: this.partitionId,
      beginningSequenceNumber: 0,
      lastEnqueuedSequenceNumber: last,
      lastEnqueuedOffset: String(last),
      lastEnqueuedTimeUtc: this.lastEnqueuedTimeUtc,
      isEmpty: this.nextSequenceNumber === 0,
    };
  }
}
