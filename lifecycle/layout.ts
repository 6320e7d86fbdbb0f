/**
 * The storage layout facts the retention policy depends on, and the blob index tags through which
 * writers tell Azure (and the local evaluator) which retention rules apply to a blob.
 */

export const ARCHIVE_CONTAINER = 'audit-archive';
export const DEAD_LETTER_CONTAINER = 'audit-deadletter';
export const CHECKPOINT_CONTAINER = 'audit-checkpoints';

/** Containers whose blobs carry a retention class tag and follow that class's schedule. */
export const CLASSIFIED_CONTAINERS: readonly string[] = [ARCHIVE_CONTAINER, DEAD_LETTER_CONTAINER];

/** Blob index tag naming the retention class: `retention=standard`, or `retention=standard.held` under a legal hold. */
export const RETENTION_TAG = 'retention';

/** Blob index tag listing the ids of the legal holds that cover the blob, space-separated (informational). */
export const LEGAL_HOLD_TAG = 'legalhold';

/**
 * Suffix of the retention tag value while a legal hold applies. Lifecycle rules can only test tags
 * for equality, so a held blob must carry a different value: the `<class>.held` rules tier it like
 * its class but never delete it.
 */
export const HELD_SUFFIX = '.held';

export interface SegmentLocation {
  readonly tenant: string;
  readonly partition: string;
  /** Start of the Event Hubs enqueued-time hour the segment covers (UTC). */
  readonly hourStart: Date;
}

// `<tenant>/<ehPartition>/<yyyy>/<MM>/<dd>/<HH>` followed by `.seg` (archive) or by `.` or `/` and
// anything (other containers that follow the same tenant/partition/hour prefix).
const SEGMENT_NAME = /^([^/]+)\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})(?:[./].*)?$/s;

/**
 * Reads tenant, partition and hour from a blob name laid out as
 * `<tenant>/<ehPartition>/<yyyy>/<MM>/<dd>/<HH>.seg`. Returns undefined for any other name
 * (including impossible dates), so callers can fall back to the blob's tags.
 */
export function parseSegmentName(name: string): SegmentLocation | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (match === null) return undefined;
  const [, tenant, partition, year, month, day, hour] = match;
  if (tenant === undefined || partition === undefined) return undefined;
  const hourStart = new Date(
    Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), 0, 0, 0),
  );
  const roundTrips =
    hourStart.getUTCFullYear() === Number(year) &&
    hourStart.getUTCMonth() === Number(month) - 1 &&
    hourStart.getUTCDate() === Number(day) &&
    hourStart.getUTCHours() === Number(hour);
  return roundTrips ? { tenant, partition, hourStart } : undefined;
}
