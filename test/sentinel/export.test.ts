import { decodeRecord, type AuditRecord } from '../../src/pipeline/record';
import type { DeliveredEvent } from '../../src/pipeline/delivered';
import type { AuditEvent } from '../../src/schema/types';
import { toAsimRow, type AsimAuditEventRow } from '../../src/sentinel/asim';
import {
  exportBatch,
  segmentHourPrefix,
  type SentinelExportDependencies,
} from '../../src/sentinel/export';
import type { RowSink } from '../../src/sentinel/uploader';
import type { StorageClients } from '../../src/store/clients';
import { recordBytesOf } from '../../src/store/hot-entity';
import { identityRowKey } from '../../src/store/identity-claims';
import { eventPartitionKey, eventRowKey } from '../../src/store/names';
import { freshStorage } from '../support/storage';
import { deliver, toolEvent } from './support/events';
import { ingest } from './support/ingest';

/**
 * exportBatch against the stores the real ingest writes (Azurite), with a sink that records what it is
 * given. The Logs Ingestion protocol itself is exercised in logs-ingestion.test.ts.
 */
class RecordingSink implements RowSink {
  readonly batches: AsimAuditEventRow[][] = [];
  async upload(rows: readonly AsimAuditEventRow[]): Promise<void> {
    this.batches.push([...rows]);
  }
}

function exportDeps(
  clients: StorageClients,
  sink: RowSink,
  options: Partial<SentinelExportDependencies> = {},
): SentinelExportDependencies {
  return { tables: clients.tables, archive: clients.containers.archive, sink, ...options };
}

/** Throws IngestLagError at the first check instead of waiting for ingest. */
const NO_WAIT = { ingestWait: { timeoutMs: 0, pollMs: 1 } };

function hotKeys(event: AuditEvent, partitionId: string, sequenceNumber: number): [string, string] {
  const time = new Date(event.time);
  return [eventPartitionKey(event.tenantid, time), eventRowKey(time, partitionId, sequenceNumber)];
}

async function storedRecord(
  clients: StorageClients,
  event: AuditEvent,
  partitionId: string,
  sequenceNumber: number,
) {
  const entity = await clients.tables.events.getEntity<Record<string, unknown>>(
    ...hotKeys(event, partitionId, sequenceNumber),
  );
  return {
    record: decodeRecord(recordBytesOf(entity)) as AuditRecord,
    leafHash: String(entity.leafHash),
  };
}

describe('exportBatch', () => {
  let clients: StorageClients;
  beforeEach(async () => {
    clients = await freshStorage();
  });

  it('uploads one row per accepted event, built from the stored record and its leaf hash', async () => {
    const events = [toolEvent('e-1'), toolEvent('e-2'), toolEvent('e-3')];
    const delivered = deliver('0', 0, events);
    await ingest(clients, delivered);
    const sink = new RecordingSink();

    const summary = await exportBatch(exportDeps(clients, sink), delivered);

    const expected = await Promise.all(
      events.map(async (event, i) => {
        const { record, leafHash } = await storedRecord(clients, event, '0', i);
        return toAsimRow(record, leafHash);
      }),
    );
    expect(sink.batches).toEqual([expected]);
    expect(summary).toEqual({
      delivered: 3,
      exported: 3,
      fromArchive: 0,
      deadLettered: 0,
      duplicates: 0,
    });
  });

  it('gives each row its log coordinates', async () => {
    const delivered = deliver('2', 40, [toolEvent('c-1'), toolEvent('c-2')]);
    await ingest(clients, delivered);
    const sink = new RecordingSink();
    await exportBatch(exportDeps(clients, sink), delivered);
    expect(
      sink.batches[0]?.map((row) => [
        row.AuditPartition,
        row.AuditSequenceNumber,
        row.AuditLogIndex,
      ]),
    ).toEqual([
      ['2', 40, 0],
      ['2', 41, 1],
    ]);
  });

  it('throws IngestLagError, uploading nothing, when ingest has not reached an event yet', async () => {
    await ingest(clients, deliver('0', 0, [toolEvent('l-1')]));
    const sink = new RecordingSink();
    const delivered = deliver('0', 0, [toolEvent('l-1'), toolEvent('l-2'), toolEvent('l-3')]);
    await expect(exportBatch(exportDeps(clients, sink, NO_WAIT), delivered)).rejects.toThrow(
      'partition 0: event 1 is not yet ingested (ingest has handled up to 0); retry the batch later',
    );
    expect(sink.batches).toEqual([]);
  });

  it('throws IngestLagError for a partition ingest has never seen', async () => {
    const sink = new RecordingSink();
    await expect(
      exportBatch(exportDeps(clients, sink, NO_WAIT), deliver('5', 9, [toolEvent('n-1')])),
    ).rejects.toMatchObject({
      name: 'IngestLagError',
      partitionId: '5',
      sequenceNumber: 9,
      lastHandledSequenceNumber: -1,
    });
  });

  it('polls the log state for ingestWait before giving up', async () => {
    const slept: number[] = [];
    const deps = exportDeps(clients, new RecordingSink(), {
      ingestWait: { timeoutMs: 3000, pollMs: 1000 },
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    await expect(exportBatch(deps, deliver('0', 0, [toolEvent('w-1')]))).rejects.toThrow(
      'partition 0: event 0 is not yet ingested (ingest has handled up to -1); retry the batch later',
    );
    expect(slept).toEqual([1000, 1000, 1000]);
  });

  it('exports once ingest catches up while it waits', async () => {
    const delivered = deliver('0', 0, [toolEvent('w-2')]);
    const sink = new RecordingSink();
    const deps = exportDeps(clients, sink, {
      ingestWait: { timeoutMs: 3000, pollMs: 1000 },
      // Ingest finishes during the first wait.
      sleep: () => ingest(clients, delivered),
    });
    await expect(exportBatch(deps, delivered)).resolves.toMatchObject({ exported: 1 });
    expect(sink.batches[0]?.map((row) => row.AuditEventId)).toEqual(['w-2']);
  });

  it('skips a dead-lettered event and counts it', async () => {
    const delivered = deliver('0', 0, [
      toolEvent('d-1'),
      '{"not":"a cloud event"}',
      toolEvent('d-3'),
    ]);
    await ingest(clients, delivered);
    const sink = new RecordingSink();
    const summary = await exportBatch(exportDeps(clients, sink), delivered);
    expect(sink.batches[0]?.map((row) => row.AuditEventId)).toEqual(['d-1', 'd-3']);
    expect(summary).toEqual({
      delivered: 3,
      exported: 2,
      fromArchive: 0,
      deadLettered: 1,
      duplicates: 0,
    });
  });

  it('skips a producer retry (same source and id, later delivery) and counts it as a duplicate', async () => {
    const first = deliver('0', 0, [toolEvent('r-1')]);
    const retry = deliver('0', 1, [toolEvent('r-1'), toolEvent('r-2')]);
    await ingest(clients, first);
    await ingest(clients, retry);
    const sink = new RecordingSink();
    const summary = await exportBatch(exportDeps(clients, sink), retry);
    expect(sink.batches[0]?.map((row) => [row.AuditEventId, row.AuditSequenceNumber])).toEqual([
      ['r-2', 2],
    ]);
    expect(summary).toEqual({
      delivered: 2,
      exported: 1,
      fromArchive: 0,
      deadLettered: 0,
      duplicates: 1,
    });
  });

  it('gives a redelivered batch exactly the same rows', async () => {
    const delivered = deliver('1', 0, [toolEvent('x-1'), toolEvent('x-2')]);
    await ingest(clients, delivered);
    await ingest(clients, delivered);
    const sink = new RecordingSink();
    await exportBatch(exportDeps(clients, sink), delivered);
    await exportBatch(exportDeps(clients, sink), delivered);
    expect(sink.batches[1]).toStrictEqual(sink.batches[0]);
  });

  it('reads a record from its archive segment once it has left the hot store', async () => {
    const events = [toolEvent('a-1'), toolEvent('a-2')];
    const delivered = deliver('0', 0, events);
    await ingest(clients, delivered);
    const sink = new RecordingSink();
    await exportBatch(exportDeps(clients, sink), delivered);
    await clients.tables.events.deleteEntity(...hotKeys(events[1] as AuditEvent, '0', 1));

    const summary = await exportBatch(exportDeps(clients, sink), delivered);

    expect(sink.batches[1]).toStrictEqual(sink.batches[0]);
    expect(summary).toEqual({
      delivered: 2,
      exported: 2,
      fromArchive: 1,
      deadLettered: 0,
      duplicates: 0,
    });
  });

  it('finds the segment whatever retention class it was written under', async () => {
    const events = [toolEvent('k-1')];
    const delivered = deliver('0', 0, events);
    await ingest(clients, delivered);
    await clients.tables.events.deleteEntity(...hotKeys(events[0] as AuditEvent, '0', 0));
    const prefix = segmentHourPrefix('contoso', '0', (delivered[0] as DeliveredEvent).enqueuedTime);
    const names: string[] = [];
    for await (const blob of clients.containers.archive.listBlobsFlat({ prefix }))
      names.push(blob.name);
    expect(names).toHaveLength(1);
    expect(names[0]?.startsWith('contoso/0/2025/03/04/05.')).toBe(true);
    const summary = await exportBatch(exportDeps(clients, new RecordingSink()), delivered);
    expect(summary.fromArchive).toBe(1);
  });

  it('throws MissingRecordError when a record is neither hot nor archived', async () => {
    const event = toolEvent('m-1');
    const delivered = deliver('0', 0, [event]);
    await ingest(clients, delivered);
    await clients.tables.events.deleteEntity(...hotKeys(event, '0', 0));
    const prefix = segmentHourPrefix('contoso', '0', (delivered[0] as DeliveredEvent).enqueuedTime);
    for await (const blob of clients.containers.archive.listBlobsFlat({ prefix })) {
      await clients.containers.archive.deleteBlob(blob.name);
    }
    await expect(exportBatch(exportDeps(clients, new RecordingSink()), delivered)).rejects.toThrow(
      'partition 0: record of event 0 not found: left the hot store and no archive segment starts with contoso/0/2025/03/04/05.',
    );
  });

  it('throws MissingRecordError when ingest handled an event that has neither a row nor an identity claim', async () => {
    const event = toolEvent('c-9');
    const delivered = deliver('0', 0, [event]);
    await ingest(clients, delivered);
    await clients.tables.events.deleteEntity(...hotKeys(event, '0', 0));
    await clients.tables.ids.deleteEntity('contoso', identityRowKey(event.source, event.id));
    await expect(exportBatch(exportDeps(clients, new RecordingSink()), delivered)).rejects.toThrow(
      'partition 0: record of event 0 not found: no hot-store row and no identity claim, yet ingest reports it handled',
    );
  });

  it('throws RecordMismatchError when the stored record no longer hashes to the row leaf hash', async () => {
    const event = toolEvent('t-1');
    const delivered = deliver('0', 0, [event]);
    await ingest(clients, delivered);
    const [partitionKey, rowKey] = hotKeys(event, '0', 0);
    const entity = await clients.tables.events.getEntity<Record<string, unknown>>(
      partitionKey,
      rowKey,
    );
    const tampered = Buffer.from(
      recordBytesOf(entity).toString('utf8').replace('"rowsReturned":120000', '"rowsReturned":12'),
      'utf8',
    );
    await clients.tables.events.upsertEntity({ partitionKey, rowKey, r0: tampered }, 'Merge');

    await expect(
      exportBatch(exportDeps(clients, new RecordingSink()), delivered),
    ).rejects.toMatchObject({
      name: 'RecordMismatchError',
      message: expect.stringMatching(
        /^partition 0: record of event 0: expected leaf hash [0-9a-f]{64}, found record hashing to [0-9a-f]{64}$/,
      ),
    });
  });

  it('propagates a sink failure so the batch is retried', async () => {
    const delivered = deliver('0', 0, [toolEvent('s-1')]);
    await ingest(clients, delivered);
    const failing: RowSink = {
      upload: async () => {
        throw new Error('ingestion endpoint unreachable');
      },
    };
    await expect(exportBatch(exportDeps(clients, failing), delivered)).rejects.toThrow(
      'ingestion endpoint unreachable',
    );
  });
});
