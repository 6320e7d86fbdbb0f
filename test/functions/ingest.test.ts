import { TestTransport } from '../support/storage';
import { ingestHarness } from '../support/ingest-harness';
import { expectPartitionInvariants, readPartition } from '../support/invariants';
import { testBody } from '../support/events';
import { hostileBody, loadHostileCases } from '../support/hostile';

const batchOf = (from: number, to: number, body = (n: number) => testBody(n)) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    sequenceNumber: from + i,
    body: body(from + i),
  }));

describe('ingest function (Event Hubs trigger, cardinality many) on Azurite', () => {
  it('accepts good events and dead-letters bad ones with their reason and original bytes', async () => {
    const harness = await ingestHarness();
    const bad = Buffer.from('{"specversion":"1.0", nope');
    const batch = [...batchOf(0, 2), { sequenceNumber: 3, body: bad }, ...batchOf(4, 5)];
    const outcomes = await harness.deliver('0', batch);
    expect(outcomes.map((o) => o.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'rejected',
      'accepted',
      'accepted',
    ]);
    expect(outcomes.map((o) => o.logIndex)).toEqual([0, 1, 2, undefined, 3, 4]);
    expect(outcomes[3]?.reason?.code).toBe('invalid-json');
    const contents = await readPartition(harness.clients, '0');
    expectPartitionInvariants(contents, [0, 1, 2, 3, 4, 5]);
    const letter = contents.deadLettered.get(3);
    expect(Buffer.from(letter?.bodyBase64 ?? '', 'base64').equals(bad)).toBe(true);
    expect(letter?.reason.code).toBe('invalid-json');
  });

  it('treats a redelivered batch as duplicates and writes nothing new', async () => {
    const harness = await ingestHarness();
    await harness.deliver('1', batchOf(0, 9));
    const again = await harness.deliver('1', batchOf(0, 9));
    expect(again.every((o) => o.status === 'duplicate')).toBe(true);
    expectPartitionInvariants(
      await readPartition(harness.clients, '1'),
      batchOf(0, 9).map((b) => b.sequenceNumber),
    );
  });

  it('handles a redelivery that overlaps new events', async () => {
    const harness = await ingestHarness();
    await harness.deliver('0', batchOf(0, 9));
    const outcomes = await harness.deliver('0', batchOf(5, 14));
    expect(outcomes.map((o) => o.status)).toEqual([
      ...Array(5).fill('duplicate'),
      ...Array(5).fill('accepted'),
    ]);
    expect(outcomes.slice(5).map((o) => o.logIndex)).toEqual([10, 11, 12, 13, 14]);
    expectPartitionInvariants(
      await readPartition(harness.clients, '0'),
      batchOf(0, 14).map((b) => b.sequenceNumber),
    );
  });

  it('recognises a producer retry (same source and id) in a later batch and in the same batch', async () => {
    const harness = await ingestHarness();
    await harness.deliver('0', batchOf(0, 4));
    const outcomes = await harness.deliver('0', [
      { sequenceNumber: 5, body: testBody(2) },
      { sequenceNumber: 6, body: testBody(6) },
      { sequenceNumber: 7, body: testBody(6) },
    ]);
    expect(outcomes.map((o) => [o.status, o.duplicateOf?.sequenceNumber])).toEqual([
      ['duplicate', 2],
      ['accepted', undefined],
      ['duplicate', 6],
    ]);
    expectPartitionInvariants(
      await readPartition(harness.clients, '0'),
      [0, 1, 2, 3, 4, 5, 6, 7],
      new Set([5, 7]),
    );
  });

  it('recognises a producer retry that lands on another partition', async () => {
    const harness = await ingestHarness();
    await harness.deliver('0', batchOf(0, 2));
    const outcomes = await harness.deliver('1', [{ sequenceNumber: 0, body: testBody(1) }]);
    expect(outcomes[0]).toMatchObject({
      status: 'duplicate',
      duplicateOf: { partitionId: '0', sequenceNumber: 1 },
    });
  });

  it('gives a redelivered event the same log index and leaf hash after a crash before the state advanced', async () => {
    const transport = new TestTransport();
    const harness = await ingestHarness(transport);
    // Fail the log-state write, the last step: records are durable, the log has not advanced.
    transport.beforeRequest = (_n, request) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      if (
        /\/state[0-9a-f]{8}/.test(path) &&
        ['POST', 'PUT'].includes(request.method) &&
        !path.includes("'tenant'")
      ) {
        throw new Error('connection dropped');
      }
    };
    await expect(harness.deliver('0', batchOf(0, 9))).rejects.toThrow('connection dropped');
    const before = await readPartition(harness.clients, '0');
    expect(before.state.nextIndex).toBe(0);
    transport.beforeRequest = undefined;
    // The redelivery comes with other batch boundaries.
    await harness.deliver('0', batchOf(0, 4));
    await harness.deliver('0', batchOf(5, 12));
    const after = await readPartition(harness.clients, '0');
    expectPartitionInvariants(
      after,
      batchOf(0, 12).map((b) => b.sequenceNumber),
    );
    for (const [index, row] of before.hot)
      expect(after.hot.get(index)?.leafHash).toBe(row.leafHash);
  });

  it('does not fork the log when two hosts race on one partition', async () => {
    const harness = await ingestHarness();
    const secondHost = await ingestHarness(undefined, harness.clients);
    await Promise.all([
      harness.deliver('2', batchOf(0, 19)),
      secondHost.deliver('2', batchOf(0, 19)),
      secondHost.deliver('2', batchOf(0, 9)),
    ]);
    await Promise.all([
      harness.deliver('2', batchOf(20, 29)),
      secondHost.deliver('2', batchOf(15, 29)),
    ]);
    expectPartitionInvariants(
      await readPartition(harness.clients, '2'),
      batchOf(0, 29).map((b) => b.sequenceNumber),
    );
  });
});

describe('archive segments and retention classes', () => {
  it('files events of different retention classes in different segments, tagged for the lifecycle policy', async () => {
    const harness = await ingestHarness();
    const authFailed = {
      ...JSON.parse(testBody(1).toString()),
      type: 'com.sqlmcp.auth.failed',
      data: { actor: { id: 'mallory', type: 'user' }, outcome: { status: 'failure' } },
    };
    await harness.deliver('0', [
      { sequenceNumber: 0, body: testBody(0) },
      { sequenceNumber: 1, body: Buffer.from(JSON.stringify(authFailed)) },
    ]);
    const segments: Record<string, Record<string, string> | undefined> = {};
    for await (const blob of harness.clients.containers.archive.listBlobsFlat({
      includeTags: true,
    })) {
      segments[blob.name] = blob.tags;
    }
    expect(segments).toEqual({
      'acme/0/2026/11/26/10.long.seg': { retention: 'long' },
      'acme/0/2026/11/26/10.standard.seg': { retention: 'standard' },
    });
  });
});

describe('the hostile corpus through the ingest function', () => {
  it('dead-letters every hostile event with its specific reason and accepts the good events of the same batch', async () => {
    const harness = await ingestHarness();
    const cases = loadHostileCases();
    const batch: { sequenceNumber: number; body: Buffer }[] = [];
    cases.forEach(([, hostile], i) => {
      batch.push({ sequenceNumber: 2 * i, body: hostileBody(hostile) });
      batch.push({ sequenceNumber: 2 * i + 1, body: testBody(i) });
    });
    const outcomes = await harness.deliver('0', batch);
    cases.forEach(([file, hostile], i) => {
      expect({
        file,
        status: outcomes[2 * i]?.status,
        code: outcomes[2 * i]?.reason?.code,
        pointer: outcomes[2 * i]?.reason?.pointer,
      }).toEqual({
        file,
        status: 'rejected',
        code: hostile.expect.code,
        pointer: hostile.expect.pointer,
      });
      expect(outcomes[2 * i + 1]?.status).toBe('accepted');
    });
    const contents = await readPartition(harness.clients, '0');
    expectPartitionInvariants(
      contents,
      batch.map((b) => b.sequenceNumber),
    );
    cases.forEach(([, hostile], i) => {
      const letter = contents.deadLettered.get(2 * i);
      expect(letter?.reason.code).toBe(hostile.expect.code);
      expect(Buffer.from(letter?.bodyBase64 ?? '', 'base64').equals(hostileBody(hostile))).toBe(
        true,
      );
    });
  }, 60_000);
});
