import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
import { LocalKeyProvider } from '../../src/keys/local';
import type { KeyProvider } from '../../src/keys/types';
import { createIntegrityServices, type IntegrityServices } from '../../src/seal/services';
import { ensureIntegrityStorage } from '../../src/seal/stores';

export interface Harness {
  clients: StorageClients;
  ingest: IngestDependencies;
  /** The signed log over the same storage (an isolated tiles container, a key folder of its own). */
  integrity: IntegrityServices;
  /** Delivers a batch to the ingest function as the Event Hubs trigger would (cardinality many). */
  deliver(
    partitionId: string,
    batch: readonly { sequenceNumber: number; body: Uint8Array }[],
  ): Promise<EventOutcome[]>;
}

const ENQUEUED = new Date('2026-11-26T10:30:00.000Z');

export interface HarnessOptions {
  /** Pass the signed log's appendLeaves hook to ingest (tiles written, frontier extended). */
  integrity?: boolean;
  /** The key provider; default a LocalKeyProvider in a fresh temporary folder. */
  keys?: KeyProvider;
  /** AUDIT_REGION of the log. */
  region?: string;
  /** The tiles container; default an isolated one with a random name. */
  tilesContainer?: string;
}

export async function ingestHarness(
  transport?: HttpClient,
  clients?: StorageClients,
  options: HarnessOptions = {},
): Promise<Harness> {
  const storage = clients ?? (await freshStorage(transport));
  const keys =
    options.keys ??
    new LocalKeyProvider(path.join(tmpdir(), `mcp-audit-keys-${randomBytes(6).toString('hex')}`));
  const integrity = createIntegrityServices(storage, keys, {
    tiles: storage.blobService.getContainerClient(
      options.tilesContainer ?? `tiles-${randomBytes(4).toString('hex')}`,
    ),
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  if (options.integrity) await ensureIntegrityStorage(integrity.stores);
  const ingest: IngestDependencies = {
    clients: storage,
    clock: () => new Date('2026-11-26T11:00:00.000Z'),
    redact: createRedactor(
      parseRedactionPolicy({ default: [{ path: '/data/statement/parameters', action: 'hmac' }] }),
      randomBytes(32),
    ),
    knownTenants: new Set(),
    retention: retentionFromPolicy(shippedRetentionPolicy()),
    ...(options.integrity ? { appendLeaves: integrity.appendLeaves } : {}),
    ...(options.region === undefined ? {} : { region: options.region }),
  };
  setRuntime({
    clients: storage,
    ingest,
    integrity,
    clock: ingest.clock,
    api: {
      keyring: parseApiKeys('{}'),
      clients: storage,
      sink: { publish: () => Promise.reject(new Error('not used by ingest tests')) },
      tokenKey: randomBytes(32),
      clock: ingest.clock,
      ingestTimeoutMs: 1000,
      integrity,
    },
  });
  return {
    clients: storage,
    ingest,
    integrity,
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
