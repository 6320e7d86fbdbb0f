import { decodeRecord, encodeRecord } from '../../src/pipeline/record';
import { sealPartitions } from '../../src/seal';
import { blockIdFor, decodeSegment, encodeFrame } from '../../src/store/segment-format';
import { verifyTenantEvents } from '../../src/verify';
import type { JsonWebKeySet } from '../../src/keys/types';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { TestTransport } from '../support/storage';
import { testBody } from '../support/events';

/** A tenant verifies its own events' inclusion in signed checkpoints, reading no other tenant's records. */

const T0 = new Date('2026-11-26T11:00:00.000Z');

async function tenantLog(
  transport?: TestTransport,
): Promise<{ harness: Harness; publicKeys: JsonWebKeySet }> {
  const harness = await ingestHarness(transport, undefined, { integrity: true });
  const batch = (partition: string, from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      sequenceNumber: from + i,
      body: testBody(Number(partition) * 1000 + from + i, {
        tenant: (from + i) % 2 === 0 ? 'globex' : 'acme',
      }),
    }));
  await harness.deliver('0', batch('0', 0, 30));
  await harness.deliver('1', batch('1', 0, 20));
  await sealPartitions(harness.integrity, T0);
  await harness.deliver('0', batch('0', 30, 4));
  return { harness, publicKeys: await harness.integrity.keys.publicJwks() };
}

/** Rewrites one archived record of a segment through the ingest path's block naming. */
async function changeRecord(harness: Harness, segment: string, index: number): Promise<void> {
  const blob = harness.clients.containers.archive.getBlockBlobClient(segment);
  const frames = decodeSegment(await blob.downloadToBuffer());
  const ids: string[] = [];
  for (const frame of frames) {
    const records = frame.records.map((bytes) => {
      const record = decodeRecord(bytes);
      if (record.log.index === index) record.event.data.outcome = { status: 'failure' };
      return {
        logIndex: record.log.index,
        bytes: record.log.index === index ? encodeRecord(record) : Buffer.from(bytes),
      };
    });
    const id = blockIdFor(records[0]!.logIndex, records[records.length - 1]!.logIndex);
    const data = encodeFrame(records);
    await blob.stageBlock(id, data, data.length);
    ids.push(id);
  }
  await blob.commitBlockList(ids);
}

describe('verifyTenantEvents', () => {
  it("proves each of the tenant's records in the latest signed checkpoint of its partition", async () => {
    const { harness, publicKeys } = await tenantLog();
    const report = await verifyTenantEvents(harness.integrity, ['acme'], { publicKeys });
    expect([
      report.ok,
      report.scope,
      report.partitions.map((p) => [p.partition, p.records, p.latestCheckpointSize, p.unsealed]),
    ]).toEqual([
      true,
      'tenant',
      [
        ['0', 17, 30, 2],
        ['1', 10, 20, 0],
      ],
    ]);
  });

  it("reads no other tenant's archive segments", async () => {
    const transport = new TestTransport();
    const { harness, publicKeys } = await tenantLog(transport);
    const read: string[] = [];
    transport.beforeRequest = (_ordinal, request) => {
      const url = new URL(request.url);
      if (
        request.method === 'GET' &&
        url.pathname.includes('/archive-') &&
        url.pathname.endsWith('.seg')
      ) {
        read.push(decodeURIComponent(url.pathname.split('/').slice(3).join('/')));
      }
    };
    await verifyTenantEvents(harness.integrity, ['acme'], { publicKeys });
    expect([...new Set(read)].sort()).toEqual([
      'acme/0/2026/11/26/10.standard.seg',
      'acme/1/2026/11/26/10.standard.seg',
    ]);
  });

  it("is not disturbed by another tenant's altered record, and reports its own", async () => {
    const { harness, publicKeys } = await tenantLog();
    await changeRecord(harness, 'globex/0/2026/11/26/10.standard.seg', 4);
    const acme = await verifyTenantEvents(harness.integrity, ['acme'], { publicKeys });
    const globex = await verifyTenantEvents(harness.integrity, ['globex'], { publicKeys });
    expect([
      acme.ok,
      globex.ok,
      globex.firstFailure?.kind,
      globex.firstFailure?.index,
      globex.firstFailure?.eventId,
    ]).toEqual([true, false, 'record-modified', 4, 'evt-000004']);
  });

  it('names an accepted event of the tenant that has no archived record', async () => {
    const { harness, publicKeys } = await tenantLog();
    const blob = harness.clients.containers.archive.getBlockBlobClient(
      'acme/1/2026/11/26/10.standard.seg',
    );
    await blob.delete();
    const report = await verifyTenantEvents(harness.integrity, ['acme'], { publicKeys });
    expect([
      report.ok,
      report.partitions.find((p) => p.partition === '1')?.failures.length,
      report.partitions.find((p) => p.partition === '1')?.failures[0]?.kind,
    ]).toEqual([false, 10, 'record-missing']);
  });
});
