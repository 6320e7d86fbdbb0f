import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import type { DeliveredEvent } from '../pipeline/delivered';
import { decodeRecord, recordLeafHash, type AuditRecord } from '../pipeline/record';
import { parseEvent } from '../schema/parse';
import type { AuditEvent } from '../schema/types';
import { readSegment } from '../store/archive';
import { statusOf } from '../store/errors';
import { recordBytesOf } from '../store/hot-entity';
import { identityRowKey } from '../store/identity-claims';
import { readLogState } from '../store/log-state';
import { eventPartitionKey, eventRowKey, segmentBlobName } from '../store/names';
import { decodeSegment } from '../store/segment-format';
import { toAsimRow, type AsimAuditEventRow } from './asim';
import type { RowSink } from './uploader';

export interface SentinelExportDependencies {
  /** Hot store (`auditevents`), identity claims (`auditids`) and partition log state (`auditstate`). */
  tables: { readonly events: TableClient; readonly ids: TableClient; readonly state: TableClient };
  /** Archive segments (`audit-archive`): where a record is read once it has left the hot store. */
  archive: ContainerClient;
  sink: RowSink;
  /** Storage reads in flight at once (default 16). */
  readConcurrency?: number;
  /**
   * How long to wait for ingest to reach the batch before throwing IngestLagError (default 30 s, polling the
   * log state every second). Both consumer groups receive an event at about the same time, so a short wait
   * is the common case; throwing at once would turn it into a failed invocation and a retry.
   */
  ingestWait?: { timeoutMs: number; pollMs: number };
  /** Injected for tests; defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_INGEST_WAIT = { timeoutMs: 30_000, pollMs: 1_000 };

/** What became of one delivered batch. delivered = exported + deadLettered + duplicates. */
export interface ExportSummary {
  delivered: number;
  /** Rows uploaded, one per accepted event. */
  exported: number;
  /** Of `exported`, records read from the archive because they had left the hot store. */
  fromArchive: number;
  /** Events ingest rejected: they have no record, only a dead letter. */
  deadLettered: number;
  /** Producer retries of an event accepted at other coordinates: exported once, with the original. */
  duplicates: number;
}

/** Ingest has not yet handled this event: the batch must be retried later, not skipped. */
export class IngestLagError extends Error {
  constructor(
    readonly partitionId: string,
    readonly sequenceNumber: number,
    readonly lastHandledSequenceNumber: number,
  ) {
    super(
      `partition ${partitionId}: event ${sequenceNumber} is not yet ingested (ingest has handled up to ${lastHandledSequenceNumber}); retry the batch later`,
    );
    this.name = 'IngestLagError';
  }
}

/** Ingest handled the event and accepted it, but its record cannot be found: the store is inconsistent. */
export class MissingRecordError extends Error {
  constructor(
    readonly partitionId: string,
    readonly sequenceNumber: number,
    readonly detail: string,
  ) {
    super(`partition ${partitionId}: record of event ${sequenceNumber} not found: ${detail}`);
    this.name = 'MissingRecordError';
  }
}

/** A stored record does not match what its row or its coordinates say: never exported as if it were sound. */
export class RecordMismatchError extends Error {
  constructor(
    readonly partitionId: string,
    readonly sequenceNumber: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      `partition ${partitionId}: record of event ${sequenceNumber}: expected ${expected}, found ${found}`,
    );
    this.name = 'RecordMismatchError';
  }
}

type Located =
  | { kind: 'record'; record: AuditRecord; leafHash: string; fromArchive: boolean }
  | { kind: 'dead-lettered' }
  | { kind: 'duplicate' };

const DEFAULT_READ_CONCURRENCY = 16;

/**
 * The handler core of the Sentinel export: the Event Hubs trigger on consumer group `sentinel` hands it the
 * raw events it delivered (the same events ingest reads on its own consumer group). For each one it finds
 * what ingest made of it, and uploads one ASIM row per accepted record:
 *
 * 1. The partition's log state says how far ingest has got. An event past it is not yet handled: wait for
 *    ingest (ingestWait), then throw IngestLagError before anything is uploaded, so the retry policy re-runs
 *    the batch later.
 * 2. A body the event parser rejects was dead-lettered by ingest (the same parser): counted, no row.
 * 3. Otherwise the hot-store row is read by key (tenant and hour from the body, row key from the event
 *    time and the Event Hubs coordinates). Its record bytes are re-hashed and must equal the row's leaf hash.
 * 4. No row: the identity claim (tenant, source, id) decides. Claimed by other coordinates: a producer retry,
 *    counted as a duplicate. Claimed by these coordinates: accepted, and since moved out of the hot store;
 *    the record is read from its archive segment. No claim: MissingRecordError.
 *
 * Returns only after every row was accepted by the sink; any failure throws, so the batch is retried whole.
 * Precondition: runs the same build as ingest (the parser decides what was dead-lettered).
 */
export async function exportBatch(
  deps: SentinelExportDependencies,
  delivered: readonly DeliveredEvent[],
): Promise<ExportSummary> {
  await requireIngested(deps, delivered);
  const segments = new SegmentCache(deps.archive);
  const located = await mapWithConcurrency(
    delivered,
    deps.readConcurrency ?? DEFAULT_READ_CONCURRENCY,
    (item) => locate(deps, segments, item),
  );
  const summary: ExportSummary = {
    delivered: delivered.length,
    exported: 0,
    fromArchive: 0,
    deadLettered: 0,
    duplicates: 0,
  };
  const rows: AsimAuditEventRow[] = [];
  for (const found of located) {
    if (found.kind === 'dead-lettered') {
      summary.deadLettered++;
    } else if (found.kind === 'duplicate') {
      summary.duplicates++;
    } else {
      rows.push(toAsimRow(found.record, found.leafHash));
      if (found.fromArchive) summary.fromArchive++;
    }
  }
  await deps.sink.upload(rows);
  summary.exported = rows.length;
  return summary;
}

/** Resolves once the log state of every partition in the batch covers the batch; see ingestWait. */
async function requireIngested(
  deps: SentinelExportDependencies,
  delivered: readonly DeliveredEvent[],
): Promise<void> {
  const wait = deps.ingestWait ?? DEFAULT_INGEST_WAIT;
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pending = new Map<string, number>();
  for (const item of delivered) {
    pending.set(
      item.partitionId,
      Math.max(pending.get(item.partitionId) ?? -1, item.sequenceNumber),
    );
  }
  let waited = 0;
  for (;;) {
    for (const [partitionId, highest] of [...pending]) {
      const state = await readLogState(deps.tables.state, partitionId);
      if (highest <= state.lastSequenceNumber) {
        pending.delete(partitionId);
      } else if (waited >= wait.timeoutMs) {
        const firstLagging = Math.min(
          ...delivered
            .filter(
              (item) =>
                item.partitionId === partitionId && item.sequenceNumber > state.lastSequenceNumber,
            )
            .map((item) => item.sequenceNumber),
        );
        throw new IngestLagError(partitionId, firstLagging, state.lastSequenceNumber);
      }
    }
    if (pending.size === 0) return;
    await sleep(wait.pollMs);
    waited += wait.pollMs;
  }
}

async function locate(
  deps: SentinelExportDependencies,
  segments: SegmentCache,
  item: DeliveredEvent,
): Promise<Located> {
  const parsed = parseEvent(item.body);
  if (!parsed.ok) return { kind: 'dead-lettered' };
  const event = parsed.event;
  const time = new Date(event.time);
  const entity = await getOptionalEntity(
    deps.tables.events,
    eventPartitionKey(event.tenantid, time),
    eventRowKey(time, item.partitionId, item.sequenceNumber),
  );
  if (entity !== undefined) {
    const bytes = recordBytesOf(entity);
    const leafHash = recordLeafHash(bytes).toString('hex');
    if (entity.leafHash !== leafHash) {
      throw new RecordMismatchError(
        item.partitionId,
        item.sequenceNumber,
        `leaf hash ${String(entity.leafHash)}`,
        `record hashing to ${leafHash}`,
      );
    }
    return { kind: 'record', record: checkedRecord(bytes, item), leafHash, fromArchive: false };
  }
  const claim = await getOptionalEntity(
    deps.tables.ids,
    event.tenantid,
    identityRowKey(event.source, event.id),
  );
  if (claim === undefined) {
    throw new MissingRecordError(
      item.partitionId,
      item.sequenceNumber,
      'no hot-store row and no identity claim, yet ingest reports it handled',
    );
  }
  if (
    String(claim.partitionId) !== item.partitionId ||
    Number(claim.sequenceNumber) !== item.sequenceNumber
  ) {
    return { kind: 'duplicate' };
  }
  return fromArchive(segments, event, item);
}

async function fromArchive(
  segments: SegmentCache,
  event: AuditEvent,
  item: DeliveredEvent,
): Promise<Located> {
  const prefix = segmentHourPrefix(event.tenantid, item.partitionId, item.enqueuedTime);
  const records = await segments.records(prefix);
  if (records.length === 0) {
    throw new MissingRecordError(
      item.partitionId,
      item.sequenceNumber,
      `left the hot store and no archive segment starts with ${prefix}`,
    );
  }
  for (const bytes of records) {
    const record = decodeRecord(bytes);
    if (
      record.log.partition === item.partitionId &&
      record.log.sequenceNumber === item.sequenceNumber
    ) {
      return {
        kind: 'record',
        record,
        leafHash: recordLeafHash(bytes).toString('hex'),
        fromArchive: true,
      };
    }
  }
  throw new MissingRecordError(
    item.partitionId,
    item.sequenceNumber,
    `left the hot store and is in no archive segment starting with ${prefix}`,
  );
}

/**
 * The name shared by every segment of one tenant, partition and enqueued hour, whatever its retention class:
 * the segment's class is the policy's verdict at ingest time, which a later policy may no longer give.
 * Precondition: segmentBlobName differs between classes only where the class is written.
 */
export function segmentHourPrefix(tenant: string, partitionId: string, enqueuedTime: Date): string {
  const a = segmentBlobName(tenant, partitionId, enqueuedTime, 'a');
  const b = segmentBlobName(tenant, partitionId, enqueuedTime, 'b');
  let common = 0;
  while (common < a.length && a[common] === b[common]) common++;
  return a.slice(0, common);
}

function checkedRecord(bytes: Buffer, item: DeliveredEvent): AuditRecord {
  const record = decodeRecord(bytes);
  if (
    record.log.partition !== item.partitionId ||
    record.log.sequenceNumber !== item.sequenceNumber
  ) {
    throw new RecordMismatchError(
      item.partitionId,
      item.sequenceNumber,
      `coordinates ${item.partitionId}/${item.sequenceNumber}`,
      `${record.log.partition}/${record.log.sequenceNumber}`,
    );
  }
  return record;
}

async function getOptionalEntity(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Segment records read for this batch, once per hour prefix: events of one hour and partition share them. */
class SegmentCache {
  private readonly loaded = new Map<string, Promise<Buffer[]>>();

  constructor(private readonly container: ContainerClient) {}

  /** The records of every segment whose name starts with `prefix`; empty when there is none. */
  records(prefix: string): Promise<Buffer[]> {
    let pending = this.loaded.get(prefix);
    if (pending === undefined) {
      pending = this.load(prefix);
      this.loaded.set(prefix, pending);
    }
    return pending;
  }

  private async load(prefix: string): Promise<Buffer[]> {
    const records: Buffer[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix })) {
      const segment = await readSegment(this.container, blob.name);
      records.push(...decodeSegment(segment).flatMap((frame) => frame.records));
    }
    return records;
  }
}

/** `map` with at most `limit` calls in flight; results in input order; the first rejection rejects. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(limit, 1), items.length) }, worker));
  return results;
}
