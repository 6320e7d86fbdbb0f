import type { EventDataBatch, EventHubProducerClient } from '@azure/event-hubs';

/** One event on its way out: its id (sent as the AMQP message id) and its exact body. */
export interface OutgoingEvent {
  id: string;
  body: Buffer;
}

/** Sending stopped part-way; the events handed to onSent before it were delivered. */
export class SendInterruptedError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'SendInterruptedError';
  }
}

export interface BatchSendHooks<T extends OutgoingEvent> {
  /** Called after each batch is accepted, with its events in order. */
  onSent(events: T[]): void;
  /** Called for an event that does not fit even an empty batch; it is skipped. */
  onTooLarge(event: T, maxBatchBytes: number): void;
  /** Runs one SDK operation under the caller's time limit. */
  withTimeout<R>(operation: (signal: AbortSignal) => Promise<R>): Promise<R>;
}

/**
 * Sends `events`, all routed by one partition key, in order, in batches the SDK sizes
 * (createBatch/tryAdd), one batch at a time. Throws SendInterruptedError at the first batch
 * that fails; events not reported to onSent or onTooLarge were not delivered.
 */
export async function sendInBatches<T extends OutgoingEvent>(
  client: EventHubProducerClient,
  partitionKey: string,
  events: readonly T[],
  hooks: BatchSendHooks<T>,
): Promise<void> {
  const newBatch = (): Promise<EventDataBatch> =>
    hooks.withTimeout((abortSignal) => client.createBatch({ partitionKey, abortSignal }));
  try {
    let batch = await newBatch();
    let inBatch: T[] = [];
    for (const event of events) {
      const data = {
        body: event.body,
        contentType: 'application/cloudevents+json',
        messageId: event.id,
      };
      if (batch.tryAdd(data)) {
        inBatch.push(event);
        continue;
      }
      if (inBatch.length > 0) {
        const full = batch;
        await hooks.withTimeout((abortSignal) => client.sendBatch(full, { abortSignal }));
        hooks.onSent(inBatch);
        inBatch = [];
        batch = await newBatch();
        if (batch.tryAdd(data)) {
          inBatch.push(event);
          continue;
        }
      }
      hooks.onTooLarge(event, batch.maxSizeInBytes);
    }
    if (inBatch.length > 0) {
      const last = batch;
      await hooks.withTimeout((abortSignal) => client.sendBatch(last, { abortSignal }));
      hooks.onSent(inBatch);
    }
  } catch (error) {
    throw new SendInterruptedError(error);
  }
}
