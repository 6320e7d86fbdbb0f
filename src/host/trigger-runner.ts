import { randomUUID } from 'node:crypto';
import { InvocationContext, type RetryOptions } from '@azure/functions';
import type { EventHubRegistration } from '../../functions/registrations';
import type { DeliveredEvent, EventOutcome } from '../pipeline/delivered';
import type { BatchInvoker } from './local-hub';

type Duration =
  { hours?: number; minutes?: number; seconds?: number; milliseconds?: number } | number;

export function durationMs(value: Duration): number {
  if (typeof value === 'number') return value;
  return (
    (((value.hours ?? 0) * 60 + (value.minutes ?? 0)) * 60 + (value.seconds ?? 0)) * 1000 +
    (value.milliseconds ?? 0)
  );
}

/** The delay before retry number `retryCount` (1-based) under a Functions retry policy. */
export function retryDelayMs(retry: RetryOptions, retryCount: number): number {
  if (retry.strategy === 'fixedDelay') return durationMs(retry.delayInterval as Duration);
  const min = durationMs(retry.minimumInterval as Duration);
  const max = durationMs(retry.maximumInterval as Duration);
  return Math.min(max, min * 2 ** Math.max(0, retryCount - 1));
}

export interface TriggerRunnerOptions {
  eventHubName: string;
  consumerGroup: string;
  log: (message: string) => void;
  /** Scales retry delays (tests use small values); 1 keeps the registration's policy as is. */
  retryDelayScale?: number;
  /** Consulted before each retry: when it returns true the batch fails instead of retrying (shutdown). */
  stopRetrying?: () => boolean;
}

/**
 * Runs a batch through an Event Hubs registration the way the Functions host does: a real InvocationContext
 * with cardinality-many trigger metadata, and the registration's retry policy on failure.
 */
export function createBatchInvoker(
  registration: EventHubRegistration,
  options: TriggerRunnerOptions,
): BatchInvoker {
  return async (partitionId: string, batch: DeliveredEvent[]): Promise<EventOutcome[]> => {
    const messages = batch.map((event) => Buffer.from(event.body));
    const triggerMetadata = triggerMetadataFor(partitionId, batch, options);
    for (let retryCount = 0; ; retryCount++) {
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: registration.name,
        triggerMetadata,
        ...(retryCount > 0
          ? {
              retryContext: {
                retryCount,
                maxRetryCount: registration.retry.maxRetryCount,
                exception: {},
              },
            }
          : {}),
        logHandler: (level, ...args) =>
          options.log(`[${registration.name}] ${level}: ${args.map(String).join(' ')}`),
      });
      let outcomes: EventOutcome[] | void;
      try {
        outcomes = await registration.handler(messages, context);
      } catch (error) {
        const max = registration.retry.maxRetryCount;
        if ((max >= 0 && retryCount >= max) || options.stopRetrying?.()) throw error;
        const delay =
          retryDelayMs(registration.retry, retryCount + 1) * (options.retryDelayScale ?? 1);
        options.log(
          `[${registration.name}] partition ${partitionId} batch failed (${(error as Error).message}); retry ${retryCount + 1} in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      // A function that reports no outcomes cannot answer the hub's publishers: a wiring error, not a
      // transient failure, so it is not retried.
      if (!Array.isArray(outcomes)) {
        throw new Error(`${registration.name} does not report per-event outcomes`);
      }
      return outcomes;
    }
  };
}

export function triggerMetadataFor(
  partitionId: string,
  batch: readonly DeliveredEvent[],
  options: Pick<TriggerRunnerOptions, 'eventHubName' | 'consumerGroup'>,
): Record<string, unknown> {
  return {
    partitionContext: {
      partitionId,
      eventHubName: options.eventHubName,
      consumerGroup: options.consumerGroup,
      fullyQualifiedNamespace: 'localhost',
    },
    sequenceNumberArray: batch.map((event) => event.sequenceNumber),
    offsetArray: batch.map((event) => event.offset),
    enqueuedTimeUtcArray: batch.map((event) => event.enqueuedTime.toISOString()),
    partitionKeyArray: batch.map((event) => event.partitionKey ?? null),
    propertiesArray: batch.map(() => ({})),
    systemPropertiesArray: batch.map((event) => ({
      SequenceNumber: event.sequenceNumber,
      Offset: event.offset,
      EnqueuedTimeUtc: event.enqueuedTime.toISOString(),
      PartitionKey: event.partitionKey ?? null,
    })),
  };
}
