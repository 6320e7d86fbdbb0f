import { decodeRecord, type AuditRecord } from '../pipeline/record';
import type { StorageClients } from '../store/clients';
import { statusOf } from '../store/errors';
import { recordBytesOf } from '../store/hot-entity';
import type { IdentityClaim } from '../store/identity-claims';
import { hourStart } from '../store/names';
import { decodeSegment } from '../store/segment-format';

/** A record as found in storage: its exact canonical bytes and where they were read. */
export interface LocatedRecord {
  bytes: Buffer;
  record: AuditRecord;
  from: 'hot' | 'archive';
}

/** The bytes stored for an event do not belong to it: the store was altered. */
export class ClaimedRecordMismatchError extends Error {
  override readonly name = 'ClaimedRecordMismatchError';
  constructor(
    readonly claim: IdentityClaim,
    readonly found: string,
  ) {
    super(
      `event ${claim.eventId} of tenant ${claim.tenant} (partition ${claim.partitionId}, sequence ` +
        `${claim.sequenceNumber}): the stored record is ${found}; run mcp-audit verify`,
    );
  }
}

/** How far after the event's own time the archive is searched for its segment (enqueued hour). */
const ARCHIVE_SEARCH_HOURS_AFTER = 24;
const HOUR_MS = 3_600_000;

/**
 * The stored record of the event an identity claim points at: its hot-store row, or, once the row is
 * gone, its archive segment. Archive segments are named by the hour the event was enqueued, which the
 * claim does not hold: the segments of the claim's tenant and partition from one hour before the event's
 * own time to a day after it are searched. Undefined when neither holds it (still being ingested).
 */
export async function readClaimedRecord(
  clients: StorageClients,
  claim: IdentityClaim,
): Promise<LocatedRecord | undefined> {
  try {
    const entity = await clients.tables.events.getEntity(
      claim.eventPartitionKey,
      claim.eventRowKey,
    );
    const bytes = recordBytesOf(entity as Record<string, unknown>);
    return { bytes, record: checked(claim, bytes), from: 'hot' };
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  const eventTime = Number(claim.eventRowKey.split('|')[0]);
  if (!Number.isSafeInteger(eventTime)) return undefined;
  const first = hourStart(new Date(eventTime - HOUR_MS)).getTime();
  const last = first + (ARCHIVE_SEARCH_HOURS_AFTER + 1) * HOUR_MS;
  const days = new Set<string>();
  for (let t = first; t <= last; t += HOUR_MS) days.add(dayPrefix(claim, new Date(t)));
  for (const prefix of days) {
    for await (const blob of clients.containers.archive.listBlobsFlat({ prefix })) {
      const hour = hourOfSegment(blob.name);
      if (hour === undefined || hour < first || hour > last) continue;
      const segment = await clients.containers.archive
        .getBlockBlobClient(blob.name)
        .downloadToBuffer();
      for (const frame of decodeSegment(segment)) {
        for (const bytes of frame.records) {
          const record = decodeRecord(bytes);
          if (
            record.log.partition === claim.partitionId &&
            record.log.sequenceNumber === claim.sequenceNumber
          ) {
            return { bytes: Buffer.from(bytes), record: checked(claim, bytes), from: 'archive' };
          }
        }
      }
    }
  }
  return undefined;
}

function dayPrefix(claim: IdentityClaim, time: Date): string {
  const iso = time.toISOString();
  return `${claim.tenant}/${claim.partitionId}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/`;
}

function hourOfSegment(name: string): number | undefined {
  const match = /\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\.[^/]*\.seg$/.exec(name);
  if (match === null) return undefined;
  const [, y, mo, d, h] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h));
}

function checked(claim: IdentityClaim, bytes: Uint8Array): AuditRecord {
  let record: AuditRecord;
  try {
    record = decodeRecord(bytes);
  } catch {
    throw new ClaimedRecordMismatchError(claim, 'not a JSON record');
  }
  const { event, log } = record;
  if (
    event?.tenantid !== claim.tenant ||
    event.id !== claim.eventId ||
    event.source !== claim.source ||
    log?.partition !== claim.partitionId ||
    log.sequenceNumber !== claim.sequenceNumber
  ) {
    throw new ClaimedRecordMismatchError(
      claim,
      `event ${String(event?.id)} of tenant ${String(event?.tenantid)} at partition ` +
        `${String(log?.partition)} sequence ${String(log?.sequenceNumber)}`,
    );
  }
  return record;
}
