/** The storage layout, in one place: every table, container and key format the system writes. */

export const TABLES = {
  /** Hot tier: one entity per accepted event, partitioned by tenant and hour of event time. */
  events: 'auditevents',
  /** Event identity (CloudEvents source + id) -> where the event lives; the producer-retry guard. */
  ids: 'auditids',
  /** Per Event Hubs partition: next log index, last sequence number, Merkle frontier, counters. */
  state: 'auditstate',
} as const;

export const CONTAINERS = {
  /** Compressed block-blob segments per tenant / partition / hour, holding the exact canonical records. */
  archive: 'audit-archive',
  /** Rejected originals with their reason and Event Hubs coordinates. */
  deadletter: 'audit-deadletter',
  /** Signed checkpoints, written once under immutable names. */
  checkpoints: 'audit-checkpoints',
  /** Merkle tree tiles (c2sp.org/tlog-tiles) per region and partition, from which proofs are served. */
  tiles: 'audit-tiles',
} as const;

const HOUR_MS = 3_600_000;

/**
 * The UTC date parts of `time`'s hour. Every event of a batch names an hour, nearly always the same one,
 * so the last hour's parts are kept: formatting a date costs more than the rest of a row key.
 */
let lastHour = Number.NaN;
let lastParts = { year: '', month: '', day: '', hour: '' };
function hourParts(time: Date): typeof lastParts {
  const hour = Math.floor(time.getTime() / HOUR_MS);
  if (hour !== lastHour) {
    // An invalid date throws here, as toISOString does.
    const iso = new Date(hour * HOUR_MS).toISOString();
    lastParts = {
      year: iso.slice(0, 4),
      month: iso.slice(5, 7),
      day: iso.slice(8, 10),
      hour: iso.slice(11, 13),
    };
    lastHour = hour;
  }
  return lastParts;
}

/** yyyyMMddHH in UTC: the hour bucket used by hot-store partitions and archive segments. */
export function hourBucket(time: Date): string {
  const { year, month, day, hour } = hourParts(time);
  return year + month + day + hour;
}

const SEQUENCE_WIDTH = 19; // Int64 max has 19 digits: fixed width keeps lexical order == numeric order.
const TIME_WIDTH = 15; // milliseconds since the epoch, good past the year 33000.
const PARTITION_WIDTH = 4;

export function padNumber(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Hot-store partition: a tenant's events of one UTC hour (tenant ids never contain '|'). */
export function eventPartitionKey(tenant: string, eventTime: Date): string {
  return `${tenant}|${hourBucket(eventTime)}`;
}

/**
 * Hot-store row: event time first so a partition reads in time order, then the Event Hubs coordinates,
 * which are known before a log index is assigned and make the key unique and stable across redeliveries.
 */
export function eventRowKey(eventTime: Date, partitionId: string, sequenceNumber: number): string {
  return `${padNumber(eventTime.getTime(), TIME_WIDTH)}|${partitionId.padStart(PARTITION_WIDTH, '0')}|${padNumber(sequenceNumber, SEQUENCE_WIDTH)}`;
}

/** The event time a hot-store row key starts with (milliseconds since the epoch). */
export function eventTimeOfRowKey(rowKey: string): number {
  const millis = Number(rowKey.slice(0, TIME_WIDTH));
  if (rowKey[TIME_WIDTH] !== '|' || !Number.isSafeInteger(millis)) {
    throw new Error(`not a hot-store row key: ${JSON.stringify(rowKey)}`);
  }
  return millis;
}

/**
 * Archive segment of one tenant, Event Hubs partition, enqueued hour and retention class. Events of
 * different classes go to different segments, so a segment's retention tag never depends on what later
 * blocks bring and is written with every block without reading the blob's current tags.
 */
export function segmentBlobName(
  tenant: string,
  partitionId: string,
  enqueuedTime: Date,
  retentionClass: string,
): string {
  const { year, month, day, hour } = hourParts(enqueuedTime);
  return `${tenant}/${partitionId}/${year}/${month}/${day}/${hour}.${retentionClass}.seg`;
}

/** Start of the UTC hour holding `time`. */
export function hourStart(time: Date): Date {
  const start = new Date(time.getTime());
  start.setUTCMinutes(0, 0, 0);
  return start;
}

/** Dead letters are kept under the tenant they claim when it is well formed, `_unknown` otherwise. */
export const UNKNOWN_TENANT = '_unknown';

export function deadLetterBlobName(
  tenant: string,
  partitionId: string,
  sequenceNumber: number,
  enqueuedTime: Date,
): string {
  const iso = enqueuedTime.toISOString();
  return `${tenant}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}/${partitionId}-${padNumber(sequenceNumber, SEQUENCE_WIDTH)}.json`;
}

/**
 * Webhook subscriptions live in the state table (`TABLES.state`), each kind under partition keys of its
 * own, so they never meet the log state (`log`) or the tenant list (`tenant`):
 * - `webhook-sub|<tenant>` / `<subscription id>`: one subscription of a tenant;
 * - `webhook-cursor` / `<tenant>|<partition>`: how far the dispatcher has matched a tenant's records of
 *   one Event Hubs partition;
 * - `webhook-out|<subscription id>` / `pending|…` or `failed|…`: the subscription's delivery outbox.
 */
export const WEBHOOK_PARTITIONS = {
  subscriptionsPrefix: 'webhook-sub|',
  cursors: 'webhook-cursor',
  outboxPrefix: 'webhook-out|',
} as const;
