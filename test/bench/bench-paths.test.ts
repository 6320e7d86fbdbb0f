import { randomBytes } from 'node:crypto';
import { simulateTraffic } from '../../src/simulate';
import { startAzurite, type AzuriteInstance } from '../../src/devstorage/azurite';
import { createRedactor, redactionPolicyFromSettings } from '../../src/redact';
import { retentionFromPolicy } from '../../src/retention';
import { shippedRetentionPolicy } from '../../lifecycle';
import type { DeliveredEvent } from '../../src/pipeline/delivered';
import { benchStorage } from '../../bench/storage';
import { benchCpu } from '../../bench/cpu';
import { benchQueries } from '../../bench/query';
import { EmulatorShareMeter, requestKind } from '../../bench/emulator-share';
import { createPipelineRequest } from '@azure/core-rest-pipeline';
import { createStorageClients, ensureStorage } from '../../src/store/clients';
import { ingestPartitionBatch } from '../../src/pipeline/ingest';

/**
 * `npm run bench` on a small scale, so a change that breaks one of its paths fails here rather than
 * only when somebody runs the benchmark. The figures themselves are not checked: only that each path
 * runs end to end and that its own consistency checks hold. An Azurite of its own, because the benchmark
 * writes the tables and containers under their production names.
 */
describe('benchmark paths', () => {
  let azurite: AzuriteInstance;
  const redact = createRedactor(redactionPolicyFromSettings({}), randomBytes(32));
  const retention = retentionFromPolicy(shippedRetentionPolicy());

  beforeAll(async () => {
    azurite = await startAzurite();
  }, 60_000);

  afterAll(async () => {
    await azurite.stop();
  });

  function batches(count: number, seed = 7): DeliveredEvent[][] {
    const start = new Date('2026-11-26T10:00:00.000Z');
    const delivered = [...simulateTraffic({ seed, count, tenants: 3, start })].map(
      ({ body }, i): DeliveredEvent => ({
        body: Buffer.from(body, 'utf8'),
        partitionId: '0',
        sequenceNumber: i,
        offset: String(i),
        enqueuedTime: new Date(start.getTime() + i * 10),
      }),
    );
    const chunks: DeliveredEvent[][] = [];
    for (let i = 0; i < delivered.length; i += 250) chunks.push(delivered.slice(i, i + 250));
    return chunks;
  }

  it('ingests through the real path, the naive baseline and the two-entity ceiling, every event accepted', async () => {
    const started: number[] = [];
    const result = await benchStorage(
      async () => {
        const emulator = await startAzurite();
        started.push(emulator.tablePort);
        return emulator;
      },
      new Map([['0', batches(500)]]),
      redact,
      retention,
      250,
    );
    expect(result.acceptedEvents).toBe(500);
    expect(result.baselineRequestsPer1000).toBe(2000);
    expect(result.requestsPer1000).toBeLessThan(result.baselineRequestsPer1000);
    expect(result.archiveBytes).toBeGreaterThan(0);
    expect(result.bareEntitiesEventsPerSec).toBeGreaterThan(0);
    // 500 events of three tenants: at least a hot-row and a claim transaction per tenant, every request counted.
    expect(result.bareEntitiesRequestsPer1000).toBeGreaterThanOrEqual((2 * 3 * 1000) / 500);
    // Two rounds of the three paths, each on an emulator of its own.
    expect(new Set(started).size).toBe(6);
  }, 120_000);

  it('measures the pipeline, its floor and its native-steps ceiling on the same events', () => {
    const result = benchCpu(batches(500), redact, retention);
    expect(result.events).toBe(500);
    expect(result.eventsPerSec).toBeGreaterThan(0);
    expect(result.floorEventsPerSec).toBeGreaterThan(0);
    expect(result.ceilingEventsPerSec).toBeGreaterThan(0);
  });

  it('answers every query case with what a full scan finds', async () => {
    const result = await benchQueries(
      azurite.connectionString,
      batches(1000),
      redact,
      retention,
      () => undefined,
    );
    expect(result.events).toBe(1000);
    expect(result.cases.map((c) => c.name)).toEqual([
      'last hour of one tenant',
      'one actor over 24 h',
      'one session',
      'failures only',
    ]);
    for (const c of result.cases) expect(c.matches).toBeGreaterThan(0);
  }, 120_000);

  (process.platform === 'linux' ? it : it.skip)(
    'sums the emulator CPU of an ingest by kind of request',
    async () => {
      const meter = new EmulatorShareMeter(azurite.pid as number);
      const clients = createStorageClients(
        { kind: 'connectionString', connectionString: azurite.connectionString },
        { httpClient: meter },
      );
      await ensureStorage(clients);
      meter.byKind.clear();
      // Events and a partition of their own: the storage test ingested the others into this emulator.
      const batch = (batches(250, 8)[0] as DeliveredEvent[]).map((e) => ({
        ...e,
        partitionId: '3',
      }));
      await ingestPartitionBatch(
        { clients, redact, retention, clock: () => new Date(), knownTenants: new Set() },
        '3',
        batch,
      );
      const kinds = [...meter.byKind.keys()];
      expect(kinds).toEqual(
        expect.arrayContaining([
          'table transaction auditevents (insert)',
          'table transaction auditids (insert)',
          'PUT audit-archive ?blockid&comp',
          'PUT audit-archive ?comp',
        ]),
      );
      const total = [...meter.byKind.values()].reduce((sum, e) => sum + e.emulatorMs, 0);
      expect(total).toBeGreaterThan(0);
    },
    60_000,
  );

  it('names a request by what it does, not by its keys', () => {
    const batch = createPipelineRequest({
      url: 'http://127.0.0.1:1/devstoreaccount1/$batch',
      method: 'POST',
      body: "--b\r\n\r\nPUT http://127.0.0.1:1/devstoreaccount1/auditevents(PartitionKey='a',RowKey='b') HTTP/1.1\r\n",
    });
    expect(requestKind(batch)).toBe('table transaction auditevents (upsert)');
    const entity = createPipelineRequest({
      url: "http://127.0.0.1:1/devstoreaccount1/auditstate(PartitionKey='log',RowKey='0')",
      method: 'GET',
    });
    expect(requestKind(entity)).toBe('GET auditstate');
    const block = createPipelineRequest({
      url: 'http://127.0.0.1:1/devstoreaccount1/audit-archive/t/0/2026/11/26/10.standard.seg?comp=block&blockid=AA',
      method: 'PUT',
    });
    expect(requestKind(block)).toBe('PUT audit-archive ?blockid&comp');
  });
});
