import type { AuditEvent } from '../schema/types';
import type { DerivedFacts } from '../normalize';
import { canonicalJson } from '../json/canonical';
import { allocatePrefixedLeaf, hashLeaf, hashPrefixedLeaf } from '../integrity/rfc6962';

/** Where a record sits: its Event Hubs coordinates and its position in that partition's log. */
export interface LogPosition {
  /** Region whose log holds the record, when the deployment spans regions. */
  region?: string;
  partition: string;
  index: number;
  sequenceNumber: number;
  enqueuedTime: string;
}

/**
 * What the audit log stores for one accepted event. Its canonical JSON (RFC 8785) is what the leaf hash
 * covers and what archive segments hold byte for byte. Every field is a function of the delivered event and
 * its coordinates (never of wall-clock time at ingest), so a redelivery produces the same bytes.
 */
export interface AuditRecord {
  v: 1;
  /** The event after redaction. */
  event: AuditEvent;
  derived: DerivedFacts;
  /** JSON pointers of the fields the tenant's redaction policy changed. */
  redacted?: string[];
  log: LogPosition;
}

export function encodeRecord(record: AuditRecord): Buffer {
  return Buffer.from(canonicalJson(record), 'utf8');
}

export function decodeRecord(bytes: Uint8Array): AuditRecord {
  return JSON.parse(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  ) as AuditRecord;
}

/** RFC 6962 leaf hash of a record's canonical bytes. */
export function recordLeafHash(bytes: Uint8Array): Buffer {
  return hashLeaf(bytes);
}

/**
 * The record's canonical bytes and their RFC 6962 leaf hash, from one buffer: the JSON is written after
 * the leaf prefix, so one one-shot SHA-256 is the leaf hash and the bytes are a view of the rest. The same
 * values as encodeRecord and recordLeafHash, for about a third less work on the ingest hot path.
 */
export function encodeRecordWithLeafHash(record: AuditRecord): { bytes: Buffer; leafHash: Buffer } {
  const json = canonicalJson(record);
  const { prefixed, leaf } = allocatePrefixedLeaf(Buffer.byteLength(json, 'utf8'));
  leaf.write(json, 0, 'utf8');
  return { bytes: leaf, leafHash: hashPrefixedLeaf(prefixed) };
}
