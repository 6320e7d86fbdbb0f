import { isUtf8 } from 'node:buffer';
import type { TableEntity } from '@azure/data-tables';
import { decodeRecord, recordLeafHash, type AuditRecord } from '../pipeline/record';
import { eventPartitionKey, eventRowKey } from './names';

/**
 * The hot-store row of one record: the columns queries filter on, the log coordinates verification and
 * the hand-off read without decoding records, and the record's exact canonical bytes as text (split into
 * string properties of at most 32 K UTF-16 units, Table storage's 64 KiB per-property limit). Nothing
 * else: every property costs on each write (the service parses, checks and stores each one), and what a
 * reader needs beyond these is in the record.
 */
export interface HotColumns {
  eventId: string;
  type: string;
  tenant: string;
  actorId?: string;
  actorType?: string;
  actorIp?: string;
  sessionId?: string;
  toolName?: string;
  server?: string;
  database?: string;
  statementKind?: string;
  fingerprintId?: string;
  status?: string;
  rowsReturned?: number;
  rowsAffected?: number;
  durationMs?: number;
  errorCode?: string;
  policyDecision?: string;
  policyRuleId?: string;
  ehPartition: string;
  sequenceNumber: number;
  logIndex: number;
  leafHash: string;
  recordChunks: number;
}

/** Largest Edm.Binary property: the form of a record whose bytes are not UTF-8 text (none we write). */
export const RECORD_CHUNK_BYTES = 64 * 1024;
/** Largest string property, in UTF-16 code units (64 KiB). */
export const RECORD_CHUNK_UNITS = 32 * 1024;

/**
 * The properties `r0 … rN` that carry a record. Canonical records are UTF-8 JSON, so they travel as
 * their text: a quarter shorter than base64 and, for the service, cheaper to check than binary (the
 * emulator spends about a quarter less on a hot row). Text and bytes convert exactly: decoding valid UTF-8
 * and encoding the result gives the same bytes, and a chunk never ends inside a surrogate pair. Bytes that
 * are not valid UTF-8 keep the binary form, which readers accept too.
 */
function recordChunks(bytes: Buffer): (string | Buffer)[] {
  if (!isUtf8(bytes)) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += RECORD_CHUNK_BYTES) {
      chunks.push(bytes.subarray(at, at + RECORD_CHUNK_BYTES));
    }
    return chunks;
  }
  const text = bytes.toString('utf8');
  if (text.length <= RECORD_CHUNK_UNITS) return [text];
  const chunks: string[] = [];
  for (let at = 0; at < text.length;) {
    let end = Math.min(at + RECORD_CHUNK_UNITS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(text.slice(at, end));
    at = end;
  }
  return chunks;
}

/** Turns a row read back from Table storage into plain values (Int64 properties arrive as typed objects). */
export function plainRow(entity: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) {
    if (
      typeof value === 'object' &&
      value !== null &&
      (value as { type?: unknown }).type === 'Int64'
    ) {
      row[key] = Number((value as { value: string }).value);
    } else {
      row[key] = value;
    }
  }
  return row;
}

export type HotEntity = TableEntity<HotColumns & Record<string, unknown>>;

export function toHotEntity(
  partitionKey: string,
  rowKey: string,
  record: AuditRecord,
  bytes: Buffer,
  leafHash: Buffer,
): { entity: HotEntity; bytes: number } {
  const event = record.event;
  const data = event.data as AuditRecord['event']['data'] & Record<string, undefined>;
  const outcome = data.outcome;
  const chunks = recordChunks(bytes);
  // Built as one literal (undefined properties are skipped by the SDK's serializer): this runs once per
  // event on the ingest hot path.
  const entity: Record<string, unknown> = {
    partitionKey,
    rowKey,
    eventId: event.id,
    type: event.type,
    tenant: event.tenantid,
    actorId: data.actor?.id,
    actorType: data.actor?.type,
    actorIp: typeof data.actor?.ip === 'string' ? data.actor.ip : undefined,
    sessionId: data.session?.id,
    toolName: data.tool?.name,
    server: data.target?.server,
    database: data.target?.database,
    statementKind: record.derived.statementKind,
    fingerprintId: record.derived.fingerprintId,
    status: outcome?.status,
    // Table compares a property only with a literal of its own type: numeric columns are always Int64,
    // the type the query language's OData filters use.
    rowsReturned: int64(outcome?.rowsReturned),
    rowsAffected: int64(outcome?.rowsAffected),
    durationMs: int64(outcome?.durationMs),
    errorCode: outcome?.errorCode === undefined ? undefined : String(outcome.errorCode),
    policyDecision: data.policy?.decision,
    policyRuleId: data.policy?.ruleId,
    ehPartition: record.log.partition,
    sequenceNumber: int64(record.log.sequenceNumber),
    logIndex: int64(record.log.index),
    leafHash: leafHash.toString('hex'),
    recordChunks: chunks.length,
  };
  for (let i = 0; i < chunks.length; i++) entity[`r${i}`] = chunks[i];
  // Columns are a few hundred bytes; the record travels as a JSON string, where no byte takes more than two
  // (a quote or backslash is escaped), or base64-encoded.
  const estimate = 1024 + 2 * bytes.length;
  return { entity: entity as HotEntity, bytes: estimate };
}

function int64(value: number | undefined): { value: string; type: 'Int64' } | undefined {
  return value === undefined ? undefined : { value: String(Math.round(value)), type: 'Int64' };
}

/** Reassembles the canonical record bytes of a hot-store row (record text or binary chunks). */
export function recordBytesOf(entity: Record<string, unknown>): Buffer {
  const chunks = Number(entity.recordChunks);
  const only = chunks === 1 ? entity.r0 : undefined;
  if (typeof only === 'string') return Buffer.from(only, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < chunks; i++) {
    const part = entity[`r${i}`];
    if (typeof part === 'string') parts.push(Buffer.from(part, 'utf8'));
    else if (part instanceof Uint8Array)
      parts.push(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    else throw new Error(`hot-store row ${String(entity.rowKey)} lacks record chunk r${i}`);
  }
  return Buffer.concat(parts);
}

/**
 * Query columns a hot row does not carry: the query language compares them only with `contains`, which
 * Table storage cannot evaluate, so they would be read back only to be matched in the client. They are
 * taken from the record instead, whole (a column would have to be cut to a property's 64 KiB), and only
 * by reads whose filter names them; writing them cost every row a few hundred bytes and two properties.
 */
export const RECORD_ONLY_COLUMNS: ReadonlySet<string> = new Set(['objects', 'statementText']);

/** The record-only query columns of a record. */
export function recordColumnsOf(record: AuditRecord): { objects?: string; statementText?: string } {
  const data = record.event.data as AuditRecord['event']['data'] | undefined;
  const objects = data?.target?.objects;
  const text = data?.statement?.text;
  return {
    ...(objects === undefined ? {} : { objects: objects.join(',') }),
    ...(text === undefined ? {} : { statementText: text }),
  };
}

/** A plain hot-store row (plainRow) with its record-only query columns filled in from its record. */
export function withRecordColumns(row: Record<string, unknown>): Record<string, unknown> {
  return { ...row, ...recordColumnsOf(decodeRecord(recordBytesOf(row))) };
}

/**
 * The row a record has, or had, in the hot store, with its record-only query columns: what queries and
 * subscription filters match archived records against, exactly as they match hot rows.
 */
export function queryRowOfRecord(record: AuditRecord, bytes: Buffer): Record<string, unknown> {
  const time = new Date(record.event.time);
  const { entity } = toHotEntity(
    eventPartitionKey(record.event.tenantid, time),
    eventRowKey(time, record.log.partition, record.log.sequenceNumber),
    record,
    bytes,
    recordLeafHash(bytes),
  );
  return { ...plainRow(entity as Record<string, unknown>), ...recordColumnsOf(record) };
}
