import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { classesReachableFor, hotCutoff, type RetentionPolicy } from '../../lifecycle';
import { decodeRecord, recordLeafHash } from '../pipeline/record';
import { segmentHourPrefix } from '../sentinel/export';
import { isRestError, statusOf } from '../store/errors';
import { plainRow, recordBytesOf } from '../store/hot-entity';
import { hourBucket, padNumber } from '../store/names';
import { decodeSegment } from '../store/segment-format';
import { deleteRows } from '../store/table-batch';
import { listTenants } from '../store/tenants';
import { recordArchived, type ArchiveIndexEntry } from './archive-index';

/**
 * Hot -> archive hand-off: removes hot-store rows whose retention class's hot window has passed,
 * once their records are confirmed in an archive segment, byte for byte.
 *
 * A row is due when both its event time and its Event Hubs enqueued time are before the class's
 * cutoff (hotCutoff). The enqueued time is the clock archive segments are named and tiered by, so
 * the hand-off and the segment schedule run on the same clock and a segment is still online when its
 * rows leave; requiring the event time too keeps every query inside the hot window answered by the
 * hot store alone.
 *
 * Order of work per batch: read rows; verify each against its segment (the segment's record at the
 * row's log index has the same bytes, and their recomputed leaf hash is the row's); record the
 * verified rows' segments in the archive index; only then delete the rows, in transactions of at
 * most 100 per partition key. Every step is idempotent and the Table itself is the cursor (what is
 * handed off is gone), so a crash at any point is repaired by running again: nothing is deleted
 * before the index names its segment, and a row present in both tiers is read once.
 */

export interface HandOffDependencies {
  readonly tables: { readonly events: TableClient; readonly state: TableClient };
  readonly archive: ContainerClient;
  /** The retention policy (hot windows per class). Holds do not keep events hot. */
  readonly policy: RetentionPolicy;
}

export interface HandOffOptions {
  /** Hot rows read, verified and deleted per batch (default 500). */
  batchSize?: number;
  /** Only these tenants (default: every tenant the log has seen). */
  tenants?: readonly string[];
  onBatch?: (progress: HandOffProgress) => void;
}

export interface HandOffProgress {
  tenant: string;
  examined: number;
  handedOff: number;
}

/** Why a due row stayed in the hot store. */
export type KeptReason =
  /** No segment of its tenant, partition and enqueued hour holds its log index. */
  | 'not-archived'
  /** A segment holds its log index with other bytes, or bytes that do not hash to the row's leaf hash. */
  | 'mismatch'
  /** A candidate segment is in the Archive tier and could not be read to confirm it. */
  | 'segment-offline'
  /** The row's record bytes are missing or not a record. */
  | 'unreadable-row';

export interface KeptRow {
  partitionKey: string;
  rowKey: string;
  reason: KeptReason;
  detail: string;
}

export interface HandOffReport {
  tenants: number;
  /** Hot rows read (within the oldest class's window bound). */
  examined: number;
  handedOff: number;
  /** Rows read whose own class's window has not passed yet. */
  notDue: number;
  /** Due rows kept because their archive copy could not be confirmed, each with why. */
  kept: KeptRow[];
  segmentsRead: number;
  batches: number;
}

export const DEFAULT_HANDOFF_BATCH = 500;
const SEGMENT_CACHE_SIZE = 16;
const TIME_WIDTH = 15;
const DAY_MS = 86_400_000;

type SegmentIndex = Map<number, Buffer> | 'offline' | 'gone';

/** Segments decoded by log index, and listings by hour prefix, kept for one run. */
class SegmentLookup {
  private readonly listings = new Map<string, string[]>();
  private readonly segments = new Map<string, SegmentIndex>();
  read = 0;

  constructor(private readonly archive: ContainerClient) {}

  async candidates(prefix: string): Promise<string[]> {
    const cached = this.listings.get(prefix);
    if (cached !== undefined) return cached;
    const names: string[] = [];
    for await (const item of this.archive.listBlobsFlat({ prefix })) names.push(item.name);
    this.listings.set(prefix, names);
    return names;
  }

  async segment(name: string): Promise<SegmentIndex> {
    const cached = this.segments.get(name);
    if (cached !== undefined) return cached;
    let index: SegmentIndex;
    try {
      const bytes = await this.archive.getBlockBlobClient(name).downloadToBuffer();
      this.read++;
      index = new Map();
      for (const frame of decodeSegment(bytes)) {
        for (const record of frame.records) index.set(decodeRecord(record).log.index, record);
      }
    } catch (error) {
      if (isRestError(error) && error.code === 'BlobArchived') index = 'offline';
      else if (statusOf(error) === 404) index = 'gone';
      else throw error;
    }
    if (this.segments.size >= SEGMENT_CACHE_SIZE) {
      const oldest = this.segments.keys().next().value;
      if (oldest !== undefined) this.segments.delete(oldest);
    }
    this.segments.set(name, index);
    return index;
  }
}

type Verdict =
  | { kind: 'not-due' }
  | { kind: 'verified'; segment: string }
  | { kind: 'kept'; reason: KeptReason; detail: string };

async function judge(
  row: Record<string, unknown>,
  tenant: string,
  policy: RetentionPolicy,
  now: Date,
  lookup: SegmentLookup,
): Promise<Verdict> {
  let bytes: Buffer;
  let record: ReturnType<typeof decodeRecord>;
  try {
    bytes = recordBytesOf(row);
    record = decodeRecord(bytes);
  } catch (error) {
    return { kind: 'kept', reason: 'unreadable-row', detail: (error as Error).message };
  }
  const cutoff = hotCutoff(policy, tenant, now, String(row.type)).getTime();
  const enqueued = new Date(record.log.enqueuedTime);
  if (!(Date.parse(record.event.time) < cutoff && enqueued.getTime() < cutoff)) {
    return { kind: 'not-due' };
  }
  const logIndex = Number(row.logIndex);
  const leafHash = String(row.leafHash);
  const prefix = segmentHourPrefix(tenant, record.log.partition, enqueued);
  let offline: string | undefined;
  for (const name of await lookup.candidates(prefix)) {
    const segment = await lookup.segment(name);
    if (segment === 'offline') {
      offline ??= name;
      continue;
    }
    if (segment === 'gone') continue;
    const archived = segment.get(logIndex);
    if (archived === undefined) continue;
    const archivedHash = recordLeafHash(archived).toString('hex');
    if (!archived.equals(bytes) || archivedHash !== leafHash) {
      return {
        kind: 'kept',
        reason: 'mismatch',
        detail:
          `segment ${name} holds log index ${logIndex} with leaf hash ${archivedHash}` +
          `${archived.equals(bytes) ? '' : ' and other bytes'}; the hot row says ${leafHash}`,
      };
    }
    return { kind: 'verified', segment: name };
  }
  return offline !== undefined
    ? {
        kind: 'kept',
        reason: 'segment-offline',
        detail: `segment ${offline} is in the Archive tier; log index ${logIndex} cannot be confirmed`,
      }
    : {
        kind: 'kept',
        reason: 'not-archived',
        detail: `no segment starting with ${prefix} holds log index ${logIndex}`,
      };
}

/** Events of `tenant` older than this may be due: the cutoff of its shortest hot window. */
function latestCutoff(policy: RetentionPolicy, tenant: string, now: Date): Date {
  const days = Math.min(
    ...classesReachableFor(policy, tenant).map((name) => policy.classes[name]?.hot.days ?? 0),
  );
  return new Date(now.getTime() - days * DAY_MS);
}

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/**
 * Hands off every due hot row of the tenants at `now`. Returns what it did and, for every due row it
 * kept, why. Throws on storage failures; running again resumes where it stopped.
 */
export async function handOff(
  deps: HandOffDependencies,
  now: Date,
  options: HandOffOptions = {},
): Promise<HandOffReport> {
  const batchSize = options.batchSize ?? DEFAULT_HANDOFF_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    throw new RangeError(`batchSize must be an integer from 1 to 1000, got ${batchSize}`);
  }
  const tenants = options.tenants ?? (await listTenants(deps.tables.state));
  const lookup = new SegmentLookup(deps.archive);
  const report: HandOffReport = {
    tenants: tenants.length,
    examined: 0,
    handedOff: 0,
    notDue: 0,
    kept: [],
    segmentsRead: 0,
    batches: 0,
  };
  for (const tenant of tenants) {
    const cutoff = latestCutoff(deps.policy, tenant, now);
    // Partitions up to the cutoff's hour, rows (event time first) before the cutoff.
    const filter = [
      `PartitionKey ge ${quote(`${tenant}|`)}`,
      `PartitionKey le ${quote(`${tenant}|${hourBucket(cutoff)}`)}`,
      `RowKey lt ${quote(padNumber(cutoff.getTime(), TIME_WIDTH))}`,
    ].join(' and ');
    const progress: HandOffProgress = { tenant, examined: 0, handedOff: 0 };
    const pages = deps.tables.events
      .listEntities({ queryOptions: { filter } })
      .byPage({ maxPageSize: batchSize });
    for await (const page of pages) {
      if (page.length === 0) continue;
      report.batches++;
      const verified: { partitionKey: string; rowKey: string; segment: string }[] = [];
      for (const entity of page) {
        const row = plainRow(entity as Record<string, unknown>);
        const partitionKey = String(row.partitionKey);
        const rowKey = String(row.rowKey);
        report.examined++;
        progress.examined++;
        const verdict = await judge(row, tenant, deps.policy, now, lookup);
        if (verdict.kind === 'not-due') report.notDue++;
        else if (verdict.kind === 'kept') {
          report.kept.push({
            partitionKey,
            rowKey,
            reason: verdict.reason,
            detail: verdict.detail,
          });
        } else verified.push({ partitionKey, rowKey, segment: verdict.segment });
      }
      const entries: ArchiveIndexEntry[] = verified.map((row) => ({
        tenant,
        hour: row.partitionKey.slice(tenant.length + 1),
        segment: row.segment,
      }));
      // The index names the segments before any row leaves: a reader never misses a handed-off event.
      await recordArchived(deps.tables.state, entries, now);
      await deleteRows(deps.tables.events, verified);
      report.handedOff += verified.length;
      progress.handedOff += verified.length;
      options.onBatch?.({ ...progress });
    }
  }
  report.segmentsRead = lookup.read;
  return report;
}
