import { decodeRecord, type AuditRecord } from '../pipeline/record';
import { recordBytesOf } from '../store/hot-entity';

/** An event as the API returns it: the stored record and the leaf hash that proves it. */
export interface EventView {
  id: string;
  tenant: string;
  time: string;
  type: string;
  leafHash: string;
  record: AuditRecord;
}

export function eventViewOf(row: Record<string, unknown>): EventView {
  const record = decodeRecord(recordBytesOf(row));
  return {
    id: record.event.id,
    tenant: record.event.tenantid,
    time: record.event.time,
    type: record.event.type,
    leafHash: String(row.leafHash),
    record,
  };
}
