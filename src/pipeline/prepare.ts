import { parseEvent, TENANT_ID_PATTERN, type Rejection } from '../schema/parse';
import type { AuditEvent } from '../schema/types';
import { deriveFacts, type DerivedFacts } from '../normalize';
import type { Redactor } from '../redact';
import type { DeliveredEvent } from './delivered';
import { eventPartitionKey, eventRowKey } from '../store/names';

export interface PreparedEvent {
  delivered: DeliveredEvent;
  event: AuditEvent;
  facts: DerivedFacts;
  redacted: string[];
  eventTime: Date;
  eventPartitionKey: string;
  eventRowKey: string;
}

export interface RejectedEvent {
  delivered: DeliveredEvent;
  reason: Rejection;
  /** The tenant the body names, if it is well formed: dead letters are filed (and readable) under it. */
  tenant: string | undefined;
}

/** The schema's tenant rule, unanchored, inside a `"tenantid": "…"` member. */
const TENANT_IN_BODY = new RegExp(
  `"tenantid"\\s*:\\s*"(${TENANT_ID_PATTERN.source.replace(/^\^/, '').replace(/\$$/, '')})"`,
);

/** The CPU part of ingest, per event: parse, validate, redact, derive; no I/O. */
export function prepareEvents(
  delivered: readonly DeliveredEvent[],
  redact: Redactor,
): { prepared: PreparedEvent[]; rejected: RejectedEvent[] } {
  const prepared: PreparedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  for (const item of delivered) {
    const parsed = parseEvent(item.body);
    if (!parsed.ok) {
      rejected.push({
        delivered: item,
        reason: parsed.rejection,
        tenant: tenantNamedIn(item.body),
      });
      continue;
    }
    // Derive from the original statement: redaction may hash parameters but never the SQL shape.
    const facts = deriveFacts(parsed.event);
    const { event, redacted } = redact(parsed.event);
    const eventTime = new Date(event.time);
    prepared.push({
      delivered: item,
      event,
      facts,
      redacted,
      eventTime,
      eventPartitionKey: eventPartitionKey(event.tenantid, eventTime),
      eventRowKey: eventRowKey(eventTime, item.partitionId, item.sequenceNumber),
    });
  }
  return { prepared, rejected };
}

function tenantNamedIn(body: Uint8Array): string | undefined {
  const head = Buffer.from(
    body.buffer,
    body.byteOffset,
    Math.min(body.byteLength, 64 * 1024),
  ).toString('latin1');
  return TENANT_IN_BODY.exec(head)?.[1];
}
