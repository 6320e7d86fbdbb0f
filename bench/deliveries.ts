import { simulateTraffic } from '../src/simulate';
import { partitionForKey } from '../src/eventhubs-local';
import type { DeliveredEvent } from '../src/pipeline/delivered';

/** The benchmark's traffic: the same in every section and every run. */
export const CPU_EVENTS = 100_000;
export const STORAGE_EVENTS = 20_000;
export const PARTITIONS = 4;
export const BATCH_SIZE = 1000;
export const TENANTS = 5;
const SEED = 20261126;

/** Delivered events as Event Hubs would hand them out: partitioned by tenant, numbered, in batches. */
export function deliveries(count: number): Map<string, DeliveredEvent[][]> {
  const byPartition = new Map<string, DeliveredEvent[]>();
  const enqueued = new Date('2026-11-26T10:00:00.000Z');
  for (const { event, body } of simulateTraffic({
    seed: SEED,
    count,
    tenants: TENANTS,
    start: enqueued,
  })) {
    const tenant = String(event.tenantid);
    const partitionId = String(partitionForKey(tenant, PARTITIONS));
    const list = byPartition.get(partitionId) ?? [];
    list.push({
      body: Buffer.from(body, 'utf8'),
      partitionId,
      sequenceNumber: list.length,
      offset: String(list.length),
      enqueuedTime: new Date(enqueued.getTime() + list.length * 10),
      partitionKey: tenant,
    });
    byPartition.set(partitionId, list);
  }
  const batches = new Map<string, DeliveredEvent[][]>();
  for (const [partitionId, list] of byPartition) {
    const chunks: DeliveredEvent[][] = [];
    for (let i = 0; i < list.length; i += BATCH_SIZE) chunks.push(list.slice(i, i + BATCH_SIZE));
    batches.set(partitionId, chunks);
  }
  return batches;
}
