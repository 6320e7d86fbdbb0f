import type { InvocationContext } from '@azure/functions';
import { deliveredFromTrigger } from '../src/pipeline/trigger-metadata';
import { ingestPartitionBatch } from '../src/pipeline/ingest';
import type { EventOutcome } from '../src/pipeline/delivered';
import { getRuntime } from './runtime';

/**
 * Event Hubs trigger, cardinality many. Returns once every event of the batch is durably accepted or
 * dead-lettered; any storage failure is thrown so the retry policy re-runs the batch (never caught and
 * logged: a swallowed error would be a checkpointed, lost batch).
 */
export async function ingestEventHubBatch(
  messages: unknown,
  context: InvocationContext,
): Promise<EventOutcome[]> {
  const runtime = await getRuntime();
  const delivered = deliveredFromTrigger(messages, context.triggerMetadata);
  const first = delivered[0];
  if (first === undefined) return [];
  const outcomes = await ingestPartitionBatch(runtime.ingest, first.partitionId, delivered);
  const counts = { accepted: 0, duplicate: 0, rejected: 0 };
  for (const outcome of outcomes) counts[outcome.status]++;
  context.log(
    `partition ${first.partitionId} sequence ${first.sequenceNumber}..${delivered[delivered.length - 1]?.sequenceNumber}: ` +
      `${counts.accepted} accepted, ${counts.duplicate} duplicate, ${counts.rejected} dead-lettered` +
      (context.retryContext ? ` (retry ${context.retryContext.retryCount})` : ''),
  );
  return outcomes;
}
