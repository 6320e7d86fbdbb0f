import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { createStorageClients, ensureStorage, type StorageClients } from '../src/store/clients';
import { RequestCounter } from '../src/store/request-counter';
import { ingestPartitionBatch, type IngestDependencies } from '../src/pipeline/ingest';
import type { DeliveredEvent } from '../src/pipeline/delivered';
import type { Redactor } from '../src/redact';
import type { Retention } from '../src/pipeline/write-set';
import { ownCpuMs, processCpuMs } from './process-cpu';

export interface StorageResult {
  events: number;
  batchSize: number;
  partitions: number;
  eventsPerSec: number;
  baselineEventsPerSec: number;
  requestsPer1000: number;
  baselineRequestsPer1000: number;
  archiveBytes: number;
  acceptedEvents: number;
  /** CPU microseconds per event in this process (SDKs included) and in the emulator, for each path. */
  cpuPerEvent: { ours: CpuSplit; baseline: CpuSplit };
}

export interface CpuSplit {
  clientMicros: number;
  /** Undefined where the emulator's CPU time cannot be read (no /proc). */
  emulatorMicros: number | undefined;
}

/**
 * The real ingest path into Azurite, one concurrent worker per Event Hubs partition (as one function
 * instance per partition lease), beside a naive baseline written as a typical sample would: for each
 * event, one upsertEntity and one blob upload, awaited in turn, with the same per-partition concurrency.
 * Requests are counted at the SDKs' transport seam.
 */
export async function benchStorage(
  connectionString: string,
  emulatorPid: number | undefined,
  batchesByPartition: ReadonlyMap<string, DeliveredEvent[][]>,
  redact: Redactor,
  retention: Retention,
  batchSize: number,
): Promise<StorageResult> {
  const events = [...batchesByPartition.values()].flat(2).length;

  const counter = new RequestCounter();
  const clients = createStorageClients(
    { kind: 'connectionString', connectionString },
    { httpClient: counter },
  );
  await ensureStorage(clients);
  const deps: IngestDependencies = {
    clients,
    redact,
    retention,
    clock: () => new Date(),
    knownTenants: new Set(),
  };
  counter.requests = 0;
  let accepted = 0;
  const realCpu = cpuMeter(emulatorPid);
  const realSeconds = await timed(() =>
    Promise.all(
      [...batchesByPartition].map(async ([partitionId, batches]) => {
        for (const batch of batches) {
          const outcomes = await ingestPartitionBatch(deps, partitionId, batch);
          accepted += outcomes.filter((o) => o.status === 'accepted').length;
        }
      }),
    ),
  );
  const ours = realCpu.perEvent(events);
  const realRequests = counter.requests;
  const archiveBytes = await totalBlobBytes(clients);

  const baselineCounter = new RequestCounter();
  const baseline = await baselineClients(connectionString, baselineCounter);
  baselineCounter.requests = 0;
  const baselineCpu = cpuMeter(emulatorPid);
  const baselineSeconds = await timed(() =>
    Promise.all(
      [...batchesByPartition.values()].map(async (batches) => {
        for (const batch of batches) {
          for (const event of batch) {
            const body = Buffer.from(event.body);
            const parsed = JSON.parse(body.toString('utf8')) as { tenantid: string; id: string };
            await baseline.table.upsertEntity({
              partitionKey: parsed.tenantid,
              rowKey: parsed.id,
              body: body.toString('utf8'),
            });
            await baseline.container.uploadBlockBlob(
              `${parsed.tenantid}/${parsed.id}.json`,
              body,
              body.length,
            );
          }
        }
      }),
    ),
  );

  const baselineSplit = baselineCpu.perEvent(events);
  return {
    events,
    batchSize,
    partitions: batchesByPartition.size,
    eventsPerSec: Math.round(events / realSeconds),
    baselineEventsPerSec: Math.round(events / baselineSeconds),
    requestsPer1000: round1((realRequests / events) * 1000),
    baselineRequestsPer1000: round1((baselineCounter.requests / events) * 1000),
    archiveBytes,
    acceptedEvents: accepted,
    cpuPerEvent: { ours, baseline: baselineSplit },
  };
}

function cpuMeter(emulatorPid: number | undefined) {
  const client = ownCpuMs();
  const emulator = processCpuMs(emulatorPid);
  return {
    perEvent(events: number): CpuSplit {
      const emulatorNow = processCpuMs(emulatorPid);
      return {
        clientMicros: Math.round(((ownCpuMs() - client) * 1000) / events),
        emulatorMicros:
          emulator === undefined || emulatorNow === undefined
            ? undefined
            : Math.round(((emulatorNow - emulator) * 1000) / events),
      };
    },
  };
}

async function baselineClients(connectionString: string, counter: RequestCounter) {
  const suffix = randomBytes(4).toString('hex');
  const table = TableClient.fromConnectionString(connectionString, `baseline${suffix}`, {
    allowInsecureConnection: true,
    httpClient: counter,
  });
  await table.createTable();
  const clients = createStorageClients(
    { kind: 'connectionString', connectionString },
    { httpClient: counter },
  );
  const container = clients.blobService.getContainerClient(`baseline-${suffix}`);
  await container.createIfNotExists();
  return { table, container };
}

async function totalBlobBytes(clients: StorageClients): Promise<number> {
  let bytes = 0;
  for await (const blob of clients.containers.archive.listBlobsFlat())
    bytes += blob.properties.contentLength ?? 0;
  return bytes;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
