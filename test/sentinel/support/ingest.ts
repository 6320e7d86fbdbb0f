import { shippedRetentionPolicy } from '../../../lifecycle';
import type { DeliveredEvent } from '../../../src/pipeline/delivered';
import { ingestPartitionBatch, type IngestDependencies } from '../../../src/pipeline/ingest';
import { createRedactor, parseRedactionPolicy } from '../../../src/redact';
import { retentionFromPolicy } from '../../../src/retention';
import type { StorageClients } from '../../../src/store/clients';

/** A fixed key: records (and their leaf hashes) are then the same on every run. */
const HMAC_KEY = Buffer.alloc(32, 7);

/** The real ingest, as deployed: the shipped retention policy and parameters redacted with an HMAC. */
export function ingestDependencies(clients: StorageClients): IngestDependencies {
  return {
    clients,
    clock: () => new Date('2025-03-04T06:00:00Z'),
    redact: createRedactor(
      parseRedactionPolicy({ default: [{ path: '/data/statement/parameters', action: 'hmac' }] }),
      HMAC_KEY,
    ),
    retention: retentionFromPolicy(shippedRetentionPolicy()),
    knownTenants: new Set(),
  };
}

/** Ingests one partition's batch; resolves once every event is accepted, a duplicate or dead-lettered. */
export async function ingest(
  clients: StorageClients,
  delivered: readonly DeliveredEvent[],
): Promise<void> {
  const first = delivered[0];
  if (first === undefined) throw new Error('nothing to ingest');
  await ingestPartitionBatch(ingestDependencies(clients), first.partitionId, delivered);
}
