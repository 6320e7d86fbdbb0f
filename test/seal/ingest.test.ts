import { frontierFromJson, rootOf, buildRoot } from '../../src/integrity';
import { ensureIntegrityStorage, sealPartitions, tileNodeStore } from '../../src/seal';
import { readLogState } from '../../src/store/log-state';
import { verifyLog } from '../../src/verify';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { expectPartitionInvariants, readPartition } from '../support/invariants';
import { TestTransport } from '../support/storage';
import { testBody } from '../support/events';
import { hex } from '../integrity/support/vectors';

/**
 * The appendLeaves hook on the real ingest path: the frontier and tiles it writes before the log
 * state advances survive a batch re-run after a crash and two hosts racing on one partition.
 */

const batchOf = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    sequenceNumber: from + i,
    body: testBody(from + i, { tenant: (from + i) % 3 === 0 ? 'globex' : 'acme' }),
  }));

async function expectSoundLog(
  harness: Harness,
  partition: string,
  delivered: number[],
): Promise<void> {
  expectPartitionInvariants(await readPartition(harness.clients, partition), delivered);
  const state = await readLogState(harness.clients.tables.state, partition);
  const tiles = tileNodeStore(
    harness.integrity.stores,
    harness.integrity.log,
    partition,
    state.nextIndex,
  );
  expect(hex(await buildRoot(tiles, state.nextIndex))).toBe(
    hex(rootOf(frontierFromJson(JSON.parse(state.frontier)))),
  );
  await sealPartitions(harness.integrity, new Date('2026-11-26T11:00:00.000Z'));
  const report = await verifyLog(harness.integrity, {
    publicKeys: await harness.integrity.keys.publicJwks(),
  });
  expect([report.ok, report.firstFailure]).toEqual([true, undefined]);
}

describe('appendLeaves on the ingest path', () => {
  it('extends the tree of a partition batch after batch', async () => {
    const harness = await ingestHarness(undefined, undefined, { integrity: true });
    await harness.deliver('0', batchOf(0, 199));
    await harness.deliver('0', batchOf(200, 299));
    await expectSoundLog(
      harness,
      '0',
      batchOf(0, 299).map((b) => b.sequenceNumber),
    );
  });

  it('survives a crash after the tiles are written but before the log state advances', async () => {
    const transport = new TestTransport();
    const harness = await ingestHarness(transport, undefined, { integrity: true });
    await harness.deliver('1', batchOf(0, 99));
    let failed = false;
    transport.beforeRequest = (_ordinal, request) => {
      if (!failed && request.method === 'PUT' && request.url.includes("(PartitionKey='log'")) {
        failed = true;
        throw new Error('connection reset while writing the log state');
      }
    };
    await expect(harness.deliver('1', batchOf(100, 199))).rejects.toThrow(
      'connection reset while writing the log state',
    );
    expect((await readLogState(harness.clients.tables.state, '1')).nextIndex).toBe(100);
    const outcomes = await harness.deliver('1', batchOf(100, 199));
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    await expectSoundLog(
      harness,
      '1',
      batchOf(0, 199).map((b) => b.sequenceNumber),
    );
  });

  it('keeps one tree when two hosts ingest the same batch at once', async () => {
    const harness = await ingestHarness(undefined, undefined, { integrity: true });
    await harness.deliver('2', batchOf(0, 49));
    await Promise.all([
      harness.deliver('2', batchOf(50, 149)),
      harness.deliver('2', batchOf(50, 149)),
    ]);
    await expectSoundLog(
      harness,
      '2',
      batchOf(0, 149).map((b) => b.sequenceNumber),
    );
  });

  it('keeps one tree when two hosts race with overlapping batches', async () => {
    const harness = await ingestHarness(undefined, undefined, { integrity: true });
    await Promise.all([
      harness.deliver('3', batchOf(0, 119)),
      harness.deliver('3', batchOf(0, 269)),
    ]);
    await harness.deliver('3', batchOf(0, 299));
    await expectSoundLog(
      harness,
      '3',
      batchOf(0, 299).map((b) => b.sequenceNumber),
    );
  });

  it('writes the tiles of a log that grew before them, from the archive, on its next batch', async () => {
    const harness = await ingestHarness(undefined, undefined, { integrity: false });
    await harness.deliver('4', batchOf(0, 299));
    await ensureIntegrityStorage(harness.integrity.stores);
    harness.ingest.appendLeaves = harness.integrity.appendLeaves;
    await harness.deliver('4', batchOf(300, 349));
    await expectSoundLog(
      harness,
      '4',
      batchOf(0, 349).map((b) => b.sequenceNumber),
    );
  });
});
