import type { InvocationContext } from '@azure/functions';
import type { Registration } from './registration-types';
import { INGEST_RETRY } from './core';
import { getRuntime } from './runtime';
import { deliveredFromTrigger } from '../src/pipeline/trigger-metadata';
import { exportBatch } from '../src/sentinel/export';
import { createSentinelUploader, type SentinelUploader } from '../src/sentinel/uploader';
import { sentinelSettingsFromEnv } from '../src/sentinel/settings';

let uploader: SentinelUploader | undefined;

/**
 * Sentinel export on its own consumer group: each delivered event's stored record, mapped to the ASIM
 * AuditEvent shape and uploaded through the Logs Ingestion API. Like ingest, it throws on any failure so the
 * retry policy re-runs the batch: the trigger checkpoints even when a function throws.
 */
export async function exportToSentinel(
  messages: unknown,
  context: InvocationContext,
): Promise<void> {
  uploader ??= createSentinelUploader(sentinelSettingsFromEnv(process.env));
  const { clients } = await getRuntime();
  const summary = await exportBatch(
    { tables: clients.tables, archive: clients.containers.archive, sink: uploader },
    deliveredFromTrigger(messages, context.triggerMetadata),
  );
  context.log(
    `sentinel: ${summary.exported} exported (${summary.fromArchive} from the archive), ` +
      `${summary.duplicates} duplicates and ${summary.deadLettered} dead letters skipped of ${summary.delivered}`,
  );
}

export const sentinelRegistrations: readonly Registration[] = [
  {
    kind: 'eventHub',
    name: 'sentinelExport',
    connection: 'EVENTHUB_CONNECTION',
    eventHubName: '%EVENTHUB_NAME%',
    consumerGroup: '%SENTINEL_CONSUMER_GROUP%',
    retry: INGEST_RETRY,
    handler: exportToSentinel,
  },
];
