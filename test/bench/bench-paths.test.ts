import { randomBytes } from 'node:crypto';
import { simulateTraffic } from '../../src/simulate';
import { startAzurite, type AzuriteInstance } from '../../src/devstorage/azurite';
import { createRedactor, redactionPolicyFromSettings } from '../../src/redact';
import { retentionFromPolicy } from '../../src/retention';
import { shippedRetentionPolicy } from '../../lifecycle';
import type { DeliveredEvent } from '../../src/pipeline/delivered';
import { benchStorage } from '../../bench/storage';
import { benchQueries } from '../../bench/query';

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

  function batches(count: number): DeliveredEvent[][] {
    const start = new Date('2026-11-26T10:00:00.000Z');
    const delivered = [...simulateTraffic({ seed: 7, count, tenants: 3, start })].map(
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

  it('ingests through the real path and the naive baseline, every event accepted', async () => {
    const result = await benchStorage(
      azurite.connectionString,
      azurite.pid,
      new Map([['0', batches(500)]]),
      redact,
      retention,
      250,
    );
    expect(result.acceptedEvents).toBe(500);
    expect(result.baselineRequestsPer1000).toBe(2000);
    expect(result.requestsPer1000).toBeLessThan(result.baselineRequestsPer1000);
    expect(result.archiveBytes).toBeGreaterThan(0);
  }, 120_000);

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
});
