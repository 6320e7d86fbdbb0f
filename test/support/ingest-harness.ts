import { randomBytes } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { ingestEventHubBatch } from '../../functions/ingest';
import { setRuntime } from '../../functions/runtime';
import { triggerMetadataFor } from '../../src/host/trigger-runner';
import type { DeliveredEvent, EventOutcome } from '../../src/pipeline/delivered';
import type { IngestDependencies } from '../../src/pipeline/ingest';
import { createRedactor, parseRedactionPolicy } from '../../src/redact';
import type { StorageClients } from '../../src/store/clients';
import { parseApiKeys } from '../../src/auth/api-keys';
import { freshStorage } from './storage';
import { retentionFromPolicy } from '../../src/retention';
import { shippedRetentionPolicy } from '../../lifecycle';

export interface Harness {
  clients: StorageClients;
  ingest: IngestDependencies;
  /** Delivers a batch to the ingest function as the Event Hubs trigger would (cardinality many). */
  deliver(
    partitionId: string,
    batch: readonly { sequenceNumber: number; body: Uint8Array }[],
  ): Promise<EventOutcome[]>;
}

const ENQUEUED = new Date('2026-11-26T10:30:00.000Z');

export async function ingestHarness(
  transport?: HttpClient,
  clients?: StorageClients,
): Promise<Harness> {
  const storage = clients ?? (await freshStorage(transport));
  const ingest: IngestDependencies = {
    clients: storage,
    clock: () => new Date('2026-11-26T11:00:00.000Z'),
    redact: createRedactor(
      parseRedactionPolicy({ default: [{ path: '/data/statement/parameters', action: 'hmac' }] }),
      randomBytes(32),
    ),
    knownTenants: new Set(),
    retention: retentionFromPolicy(shippedRetentionPolicy()),
  };
  setRuntime({
    clients: storage,
    ingest,
    clock: ingest.clock,
    api: {
      keyring: parseApiKeys('{}'),
      clients: storage,
      sink: { publish: () => Promise.reject(new Error('not used by ingest tests')) },
      tokenKey: randomBytes(32),
      clock: ingest.clock,
      ingestTimeoutMs: 1000,
    },
  });
  return {
    clients: storage,
    ingest,
    async deliver(partitionId, batch) {
      const delivered: DeliveredEvent[] = batch.map((item) => ({
        body: item.body,
        partitionId,
        sequenceNumber: item.sequenceNumber,
        offset: String(item.sequenceNumber * 1000),
        enqueuedTime: new Date(ENQUEUED.getTime() + item.sequenceNumber),
      }));
      const context = new InvocationContext({
        invocationId: randomBytes(8).toString('hex'),
        functionName: 'ingest',
        triggerMetadata: triggerMetadataFor(partitionId, delivered, {
          eventHubName: 'audit',
          consumerGroup: '$Default',
        }),
        logHandler: () => undefined,
      });
      return ingestEventHubBatch(
        delivered.map((item) => Buffer.from(item.body)),
        context,
      );
    },
  };
}
