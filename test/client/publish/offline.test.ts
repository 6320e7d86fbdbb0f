/**
 * The producer when Event Hubs goes away: events go to the spool and are replayed, in order, once
 * the local AMQP endpoint (src/eventhubs-local, not Azure) is back.
 */
import path from 'node:path';
import { partitionForKey } from '../../../src/eventhubs-local';
import {
  AuditProducer,
  SpoolCorruptError,
  SpoolFullError,
  type AuditGap,
  type AuditProducerOptions,
  type ProducerState,
} from '../../../client';
import {
  builderFor,
  Cleanup,
  connectionStringFor,
  FAST_RETRIES,
  numbered,
  numberOf,
  PARTITIONS,
  Recorder,
  startEndpoint,
  unreachablePort,
} from '../support/hub';
import { rewrite, temporaryDirectory } from '../support/spool-fixture';

jest.setTimeout(60_000);
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function spoolPath(): string {
  return path.join(temporaryDirectory(), 'audit.spool');
}

async function openProducer(connectionString: string, options: Partial<AuditProducerOptions>) {
  return cleanup.add(
    await AuditProducer.open({
      connection: { connectionString },
      retryOptions: FAST_RETRIES,
      replayBackoff: { initialDelayMs: 20, maxDelayMs: 200 },
      ...options,
    }),
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('losing the connection mid-stream', () => {
  it('spools while the endpoint is down and replays so every event arrives once, in order per partition', async () => {
    const recorder = new Recorder();
    const first = await startEndpoint(0, recorder);
    const port = first.hub.port;
    const states: ProducerState[] = [];
    const producer = await openProducer(first.hub.connectionString, {
      spool: { path: spoolPath() },
      onStateChange: (state) => states.push(state),
    });
    const builder = builderFor();
    const tenants = ['contoso', 'fabrikam', 'northwind'];
    const receipts: Promise<{ delivery: string }>[] = [];
    let second: Awaited<ReturnType<typeof startEndpoint>> | undefined;
    for (let n = 0; n < 300; n++) {
      receipts.push(producer.publish(numbered(builder, n, tenants[n % 3])));
      if (n % 10 === 9) await pause(5);
      if (n === 100) await first.hub.close();
      if (n === 200) {
        // Not durable yet? Wait until the producer has noticed and is spooling.
        while (producer.stats().state !== 'offline') await pause(10);
        const next: Record<string, number> = {};
        for (const event of recorder.events) next[event.partitionId] = event.sequenceNumber + 1;
        second = await startEndpoint(port, recorder, next);
        cleanup.add(second.hub);
      }
    }
    const deliveries = await Promise.all(receipts);
    await producer.drain(20_000);

    const ids = recorder.bodies.map((body) => body.id);
    expect(ids.length).toBe(300);
    expect(new Set(ids).size).toBe(300);
    for (const tenant of tenants) {
      const partitionId = partitionForKey(tenant, PARTITIONS);
      const inPartition = recorder.events.filter((e) => e.partitionId === partitionId);
      const numbers = inPartition.map((e) => numberOf(JSON.parse(Buffer.from(e.body).toString())));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(inPartition.map((e) => e.sequenceNumber)).toEqual(inPartition.map((_, i) => i));
    }
    const spooled = deliveries.filter((d) => d.delivery === 'spooled').length;
    expect(spooled).toBeGreaterThan(0);
    expect(producer.stats()).toMatchObject({
      state: 'online',
      sent: 300 - spooled,
      spooled,
      replayed: spooled,
      gaps: 0,
      spoolPending: 0,
      spoolBytes: 256,
    });
    expect(states).toEqual(['offline', 'online']);
  });

  it('replays with the same bytes and message id as the original event', async () => {
    const port = await unreachablePort();
    const producer = await openProducer(connectionStringFor(port), {
      spool: { path: spoolPath() },
    });
    const event = numbered(builderFor(), 1);
    expect((await producer.publish(event)).delivery).toBe('spooled');
    const { hub, recorder } = await startEndpoint(port);
    cleanup.add(hub);
    await producer.drain(20_000);
    expect(
      recorder.events.map((e) => [Buffer.from(e.body).toString(), e.messageId, e.partitionKey]),
    ).toEqual([[JSON.stringify(event), event.id, 'contoso']]);
  });
});

describe('a spool left by an earlier run', () => {
  it('is replayed, in order, by the next producer that opens it', async () => {
    const port = await unreachablePort();
    const file = spoolPath();
    const builder = builderFor();
    const before = await AuditProducer.open({
      connection: { connectionString: connectionStringFor(port) },
      retryOptions: FAST_RETRIES,
      spool: { path: file },
    });
    for (let n = 0; n < 5; n++)
      expect((await before.publish(numbered(builder, n))).delivery).toBe('spooled');
    await before.close();

    const { hub, recorder } = await startEndpoint(port);
    cleanup.add(hub);
    const after = await openProducer(hub.connectionString, { spool: { path: file } });
    expect(after.spoolRecovery).toEqual({ pending: 5, adopted: 0, discardedBytes: 0 });
    await after.drain(20_000);
    expect(recorder.bodies.map(numberOf)).toEqual([0, 1, 2, 3, 4]);
    expect(after.stats()).toMatchObject({ replayed: 5, spoolPending: 0 });
  });

  it('is refused when it does not verify, and nothing is replayed', async () => {
    const port = await unreachablePort();
    const file = spoolPath();
    const before = await AuditProducer.open({
      connection: { connectionString: connectionStringFor(port) },
      retryOptions: FAST_RETRIES,
      spool: { path: file },
    });
    await before.publish(numbered(builderFor(), 0));
    await before.close();
    await rewrite(file, (bytes) => bytes.subarray(0, bytes.length - 10));

    const { hub, recorder } = await startEndpoint(port);
    cleanup.add(hub);
    const opening = AuditProducer.open({
      connection: { connectionString: hub.connectionString },
      spool: { path: file },
    });
    await expect(opening).rejects.toBeInstanceOf(SpoolCorruptError);
    await expect(opening).rejects.toThrow(
      /^spool .* is corrupt at byte 256 \(record 0\): the file ends at byte \d+, inside record 0, but the header commits 1 records ending at byte \d+: the spool was truncated; nothing in it is replayed$/,
    );

    const quarantined = await openProducer(hub.connectionString, {
      spool: { path: file, onCorrupt: 'quarantine' },
    });
    expect(quarantined.spoolRecovery?.quarantined?.error.recordIndex).toBe(0);
    await quarantined.publish(numbered(builderFor(), 1));
    expect(recorder.bodies.map(numberOf)).toEqual([1]);
  });
});

describe('a full spool', () => {
  it('refuses events that do not fit, and record() counts them as gaps', async () => {
    const gaps: AuditGap[] = [];
    const file = spoolPath();
    const producer = await openProducer(connectionStringFor(await unreachablePort()), {
      spool: { path: file, maxBytes: 1024 },
      onGap: (gap) => gaps.push(gap),
    });
    const builder = builderFor();
    expect((await producer.publish(numbered(builder, 0))).delivery).toBe('spooled');
    const refused = producer.publish(numbered(builder, 1));
    await expect(refused).rejects.toBeInstanceOf(SpoolFullError);
    await expect(refused).rejects.toThrow(
      new RegExp(
        `^spool ${file} is full: \\d+ of 1024 bytes used, a record of \\d+ bytes does not fit$`,
      ),
    );
    const lost = numbered(builder, 2);
    producer.record(lost);
    await producer.flush();
    await pause(0);
    expect(gaps.map((gap) => [gap.reason, gap.eventId, gap.eventType])).toEqual([
      ['spool-full', lost.id, 'com.sqlmcp.tool.invoked'],
    ]);
    expect(producer.stats()).toMatchObject({ state: 'offline', spooled: 1, rejected: 2, gaps: 1 });
    expect(producer.readiness()).toEqual({
      ready: false,
      reason: `Event Hubs is unreachable and the spool cannot take more events (${gaps[0]!.error.message})`,
    });
  });
});
