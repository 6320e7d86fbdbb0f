import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '../../src/devstorage/azurite';
import { freshStorage, TestTransport } from '../support/storage';
import { ingestHarness } from '../support/ingest-harness';
import { expectPartitionInvariants, readPartition } from '../support/invariants';
import { testBody } from '../support/events';

/** 16 good events of two tenants with a rejected one among them, and a producer retry. */
const batch = [
  ...Array.from({ length: 8 }, (_, i) => ({
    sequenceNumber: i,
    body: testBody(i, { tenant: 'acme' }),
  })),
  { sequenceNumber: 8, body: Buffer.from('not json') },
  ...Array.from({ length: 8 }, (_, i) => ({
    sequenceNumber: 9 + i,
    body: testBody(100 + i, { tenant: 'globex' }),
  })),
  { sequenceNumber: 17, body: testBody(3, { tenant: 'acme' }) },
];
const sequences = batch.map((b) => b.sequenceNumber);

describe('ingest under storage faults (Azurite)', () => {
  it('loses and duplicates nothing when storage fails at any write position of a batch', async () => {
    const probe = new TestTransport();
    const clean = await ingestHarness(probe);
    probe.attempts = 0;
    await clean.deliver('0', batch);
    const requestsPerBatch = probe.attempts;
    expect(requestsPerBatch).toBeGreaterThan(5);

    for (let failAt = 1; failAt <= requestsPerBatch; failAt++) {
      const transport = new TestTransport();
      const harness = await ingestHarness(transport);
      transport.attempts = 0;
      transport.beforeRequest = (ordinal) => {
        if (ordinal === failAt) throw new Error(`connection dropped at request ${failAt}`);
      };
      await expect(harness.deliver('0', batch)).rejects.toThrow(
        `connection dropped at request ${failAt}`,
      );
      transport.beforeRequest = undefined;
      // The retry policy re-runs the whole batch.
      const outcomes = await harness.deliver('0', batch);
      expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(16);
      expect(outcomes[8]?.status).toBe('rejected');
      expect(outcomes[17]).toMatchObject({
        status: 'duplicate',
        duplicateOf: { sequenceNumber: 3 },
      });
      expectPartitionInvariants(
        await readPartition(harness.clients, '0'),
        sequences,
        new Set([17]),
      );
    }
  }, 120_000);

  it('repairs what it wrote ahead for a producer retry from an earlier batch, whichever request fails', async () => {
    // The second batch is written while its identity claims are in flight; the retry at sequence 10 gets a
    // row and a log index until its claim answers "duplicate", and the later events move down one index.
    const first = Array.from({ length: 8 }, (_, i) => ({
      sequenceNumber: i,
      body: testBody(i, { tenant: 'acme' }),
    }));
    const second = [
      { sequenceNumber: 8, body: testBody(200, { tenant: 'acme' }) },
      { sequenceNumber: 9, body: testBody(201, { tenant: 'acme' }) },
      { sequenceNumber: 10, body: testBody(2, { tenant: 'acme' }) },
      ...Array.from({ length: 5 }, (_, i) => ({
        sequenceNumber: 11 + i,
        body: testBody(202 + i, { tenant: i % 2 === 0 ? 'acme' : 'globex' }),
      })),
    ];
    const delivered = [...first, ...second].map((b) => b.sequenceNumber);

    const probe = new TestTransport();
    const clean = await ingestHarness(probe);
    await clean.deliver('0', first);
    probe.attempts = 0;
    await clean.deliver('0', second);
    const requestsPerBatch = probe.attempts;
    expectPartitionInvariants(await readPartition(clean.clients, '0'), delivered, new Set([10]));

    for (let failAt = 1; failAt <= requestsPerBatch; failAt++) {
      const transport = new TestTransport();
      const harness = await ingestHarness(transport);
      await harness.deliver('0', first);
      transport.attempts = 0;
      transport.beforeRequest = (ordinal) => {
        if (ordinal === failAt) throw new Error(`connection dropped at request ${failAt}`);
      };
      await expect(harness.deliver('0', second)).rejects.toThrow(
        `connection dropped at request ${failAt}`,
      );
      transport.beforeRequest = undefined;
      const outcomes = await harness.deliver('0', second);
      expect(outcomes[2]).toMatchObject({
        status: 'duplicate',
        duplicateOf: { sequenceNumber: 2 },
      });
      expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(7);
      expectPartitionInvariants(
        await readPartition(harness.clients, '0'),
        delivered,
        new Set([10]),
      );
    }
  }, 120_000);

  it('loses nothing when the storage emulator stops in the middle of a batch and comes back', async () => {
    const location = mkdtempSync(join(tmpdir(), 'audit-azurite-'));
    let azurite = await startAzurite({ location });
    try {
      const transport = new TestTransport();
      const clients = await freshStorage(transport, azurite.connectionString);
      const harness = await ingestHarness(transport, clients);
      transport.attempts = 0;
      let stopped = false;
      transport.beforeRequest = async (ordinal) => {
        if (ordinal === 6 && !stopped) {
          stopped = true;
          await azurite.stop();
        }
      };
      await expect(harness.deliver('3', batch)).rejects.toThrow();
      const ports = {
        blobPort: azurite.blobPort,
        tablePort: azurite.tablePort,
        queuePort: azurite.queuePort,
      };
      azurite = await startAzurite({ location, ...ports });
      await harness.deliver('3', batch);
      expectPartitionInvariants(
        await readPartition(harness.clients, '3'),
        sequences,
        new Set([17]),
      );
    } finally {
      await azurite.stop();
      rmSync(location, { recursive: true, force: true });
    }
  }, 60_000);
});
