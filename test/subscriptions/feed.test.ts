import type { ContainerClient } from '@azure/storage-blob';
import { freshStorage } from '../support/storage';
import { testEvent } from '../support/events';
import { appendToSegment } from '../../src/store/archive';
import { segmentBlobName } from '../../src/store/names';
import { encodeRecord, type AuditRecord } from '../../src/pipeline/record';
import type { AuditEvent } from '../../src/schema/types';
import {
  ArchiveLayoutError,
  coveringPrefixes,
  hourOfSegment,
  hourOfTime,
  readTenantRange,
  rowOf,
  segmentPrefix,
} from '../../src/subscriptions/feed';

function record(tenant: string, index: number, enqueued: string): AuditRecord {
  return {
    v: 1,
    event: testEvent(index, { tenant, id: `evt-${tenant}-${index}` }) as unknown as AuditEvent,
    derived: { statementKindDerived: false },
    log: { partition: '0', index, sequenceNumber: 100 + index, enqueuedTime: enqueued },
  };
}

/** Archives records as ingest does: one block per call, in the segment of their enqueued hour and class. */
async function archive(
  container: ContainerClient,
  tenant: string,
  retentionClass: string,
  enqueued: string,
  indexes: number[],
): Promise<void> {
  await appendToSegment(container, {
    blobName: segmentBlobName(tenant, '0', new Date(enqueued), retentionClass),
    records: indexes.map((index) => ({
      logIndex: index,
      bytes: encodeRecord(record(tenant, index, enqueued)),
    })),
  });
}

describe('segment names', () => {
  const at = new Date('2026-03-04T05:06:07.000Z');

  it('start with the tenant and partition prefix', () => {
    expect(
      segmentBlobName('acme', '3', at, 'standard').startsWith(segmentPrefix('acme', '3')),
    ).toBe(true);
  });

  it('carry the enqueued hour right after the prefix', () => {
    expect(
      hourOfSegment(segmentBlobName('acme', '3', at, 'standard'), segmentPrefix('acme', '3')),
    ).toBe(hourOfTime(at));
  });

  it('write the hour as yyyy/mm/dd/hh', () => {
    expect(hourOfTime(at)).toBe('2026/03/04/05');
  });

  it('are not read as another tenant’s', () => {
    expect(
      hourOfSegment(segmentBlobName('acme-eu', '3', at, 'standard'), segmentPrefix('acme', '3')),
    ).toBeUndefined();
  });
});

describe('coveringPrefixes', () => {
  it('lists every hour when there is no floor yet', () => {
    expect(coveringPrefixes('acme/0/', undefined, new Date('2026-11-26T10:00:00Z'))).toEqual([
      'acme/0/',
    ]);
  });

  it('lists days over a short span', () => {
    expect(coveringPrefixes('acme/0/', '2026/11/25/22', new Date('2026-11-26T10:00:00Z'))).toEqual([
      'acme/0/2026/11/25/',
      'acme/0/2026/11/26/',
    ]);
  });

  it('lists months over a longer span within a year', () => {
    expect(coveringPrefixes('acme/0/', '2026/09/25/22', new Date('2026-11-26T10:00:00Z'))).toEqual([
      'acme/0/2026/09/',
      'acme/0/2026/10/',
      'acme/0/2026/11/',
    ]);
  });

  it('lists years across a year boundary', () => {
    expect(coveringPrefixes('acme/0/', '2025/12/01/00', new Date('2026-11-26T10:00:00Z'))).toEqual([
      'acme/0/2025/',
      'acme/0/2026/',
    ]);
  });
});

describe('readTenantRange', () => {
  let container: ContainerClient;
  const until = new Date('2026-11-26T12:00:00Z');

  beforeAll(async () => {
    container = (await freshStorage()).containers.archive;
    await archive(container, 'acme', 'standard', '2026-11-25T23:10:00Z', [0, 1]);
    await archive(container, 'acme', 'standard', '2026-11-26T00:05:00Z', [2]);
    await archive(container, 'acme', 'extended', '2026-11-26T00:20:00Z', [3]);
    await archive(container, 'globex', 'standard', '2026-11-26T01:00:00Z', [4, 5]);
    await archive(container, 'acme', 'standard', '2026-11-26T05:00:00Z', [6, 7]);
  });

  const read = async (from: number, to: number, floor?: string) => {
    const found = await readTenantRange(container, {
      tenant: 'acme',
      partition: '0',
      from,
      to,
      until,
      ...(floor ? { floor } : {}),
    });
    return [found.records.map((r) => r.record.log.index), found.floor];
  };

  it('reads the tenant’s records of a range across hours and retention classes', async () => {
    expect(await read(0, 8)).toEqual([[0, 1, 2, 3, 6, 7], '2026/11/26/05']);
  });

  it('starts at the range start', async () => {
    expect(await read(3, 8)).toEqual([[3, 6, 7], '2026/11/26/05']);
  });

  it('leaves out records at or past the log size (archived, not yet counted)', async () => {
    expect(await read(2, 6)).toEqual([[2, 3], '2026/11/26/00']);
  });

  it('reads from the floor’s hour on', async () => {
    expect(await read(4, 8, '2026/11/26/00')).toEqual([[6, 7], '2026/11/26/05']);
  });

  it('keeps the floor when nothing below the range end was seen', async () => {
    expect(await read(8, 9, '2026/11/26/05')).toEqual([[], '2026/11/26/05']);
  });

  it('finds nothing for a tenant without segments', async () => {
    const found = await readTenantRange(container, {
      tenant: 'initech',
      partition: '0',
      from: 0,
      to: 8,
      until,
    });
    expect([found.records, found.floor]).toEqual([[], undefined]);
  });

  it('stops at the first hour holding a record below the range, reading no earlier hour', async () => {
    // An unreadable block in an earlier hour: reading it would throw.
    const older = container.getBlockBlobClient(
      segmentBlobName('acme', '0', new Date('2026-11-20T00:00:00Z'), 'standard'),
    );
    const id = Buffer.from('not-a-range').toString('base64');
    await older.stageBlock(id, Buffer.from('x'), 1);
    await older.commitBlockList([id]);
    expect(await read(2, 8)).toEqual([[2, 3, 6, 7], '2026/11/26/05']);
    await expect(read(0, 8)).rejects.toThrow(
      new ArchiveLayoutError(older.name, `block id ${id} names no log-index range`),
    );
    await older.delete();
  });

  it('turns an archived record into the row a query filters on', async () => {
    const [first] = (
      await readTenantRange(container, { tenant: 'acme', partition: '0', from: 6, to: 7, until })
    ).records;
    const row = rowOf(first!);
    expect([
      row.tenant,
      row.eventId,
      row.database,
      row.logIndex,
      row.ehPartition,
      row.sequenceNumber,
    ]).toEqual(['acme', 'evt-acme-6', 'sales', 6, '0', 106]);
  });
});
