import type { ContainerClient } from '@azure/storage-blob';
import { decodeRecord, type AuditRecord } from '../pipeline/record';
import { statusOf } from '../store/errors';
import { queryRowOfRecord } from '../store/hot-entity';
import { decodeSegment, rangeOfBlockId } from '../store/segment-format';

/**
 * The dispatcher's view of the log: the records of one tenant in one Event Hubs partition, read back from
 * the archive. Ingest archives every accepted record before the partition's log state counts it, so every
 * index below the log state's `nextIndex` is readable here, and reading never touches the ingest path.
 *
 * Archive segments are named `<tenant>/<partition>/<yyyy>/<mm>/<dd>/<hh>.<class>.seg` by the hour the
 * events were enqueued (src/store/names.ts segmentBlobName), and each block names the log-index range of
 * its frame (src/store/segment-format.ts blockIdFor). Within a partition, Event Hubs enqueued times do not
 * decrease as sequence numbers grow, and log indexes follow sequence numbers, so a later hour never holds
 * a lower index than an earlier hour of the same tenant and partition. That is what lets a reader walk
 * hours from the newest back and stop at the first hour holding a record below the range.
 */
export interface ArchivedRecord {
  record: AuditRecord;
  /** The record's exact canonical bytes, as the leaf hash covers them. */
  bytes: Buffer;
  segment: string;
}

export interface TenantRange {
  tenant: string;
  partition: string;
  /** First log index wanted (inclusive). */
  from: number;
  /** End of the range (exclusive): the partition's committed log size. */
  to: number;
  /** The cursor's floor (see MatchCursor.floor); undefined lists every hour. */
  floor?: string;
  /** No record of the range was enqueued after this time (the ingest clock, with a margin). */
  until: Date;
}

export interface RangeRead {
  /** The tenant's records with from <= index < to, by index. */
  records: ArchivedRecord[];
  /** The floor for a cursor at `to`. */
  floor?: string;
}

/** An archive segment does not look as its name and block ids promise: never skipped silently. */
export class ArchiveLayoutError extends Error {
  constructor(
    readonly segment: string,
    readonly detail: string,
  ) {
    super(`archive segment ${segment}: ${detail}`);
    this.name = 'ArchiveLayoutError';
  }
}

const HOUR_CHARS = 'yyyy/mm/dd/hh'.length;
const DAY_MS = 24 * 3600 * 1000;

/** `<tenant>/<partition>/`: the start of every segment name of one tenant and partition. */
export function segmentPrefix(tenant: string, partition: string): string {
  return `${tenant}/${partition}/`;
}

/** `yyyy/mm/dd/hh` of a time, as segment names write the enqueued hour. */
export function hourOfTime(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
}

/** The `yyyy/mm/dd/hh` of a segment name; undefined when the name does not follow the layout. */
export function hourOfSegment(name: string, prefix: string): string | undefined {
  const hour = name.slice(prefix.length, prefix.length + HOUR_CHARS);
  return name.startsWith(prefix) && /^\d{4}\/\d{2}\/\d{2}\/\d{2}$/.test(hour) ? hour : undefined;
}

/**
 * Listing prefixes that together cover every segment of the hours `floor` .. `until`: days for a short
 * span, months within a year, years beyond. A few list calls at most, however long the tenant was idle.
 */
export function coveringPrefixes(prefix: string, floor: string | undefined, until: Date): string[] {
  if (floor === undefined) return [prefix];
  const [year, month, day, hour] = floor.split('/').map(Number) as [number, number, number, number];
  const start = Date.UTC(year, month - 1, day, hour);
  const end = Math.max(start, until.getTime());
  const prefixes: string[] = [];
  if (end - start <= 3 * DAY_MS) {
    for (let at = Date.UTC(year, month - 1, day); at <= end; at += DAY_MS) {
      prefixes.push(`${prefix}${hourOfTime(new Date(at)).slice(0, 10)}/`);
    }
  } else if (new Date(end).getUTCFullYear() === year) {
    for (let m = month; m <= new Date(end).getUTCMonth() + 1; m++) {
      prefixes.push(`${prefix}${year}/${String(m).padStart(2, '0')}/`);
    }
  } else {
    for (let y = year; y <= new Date(end).getUTCFullYear(); y++) prefixes.push(`${prefix}${y}/`);
  }
  return prefixes;
}

/**
 * Reads the tenant's records in [from, to) of one partition. Lists the segments from the floor's hour
 * on, then walks hours newest first: in each segment only the blocks whose index range meets [from, to)
 * are downloaded (one ranged read). It stops after the first hour holding a block that starts below
 * `from`: by the ordering above, every earlier hour lies wholly below it.
 * @throws ArchiveLayoutError for a block id that names no index range.
 */
export async function readTenantRange(
  archive: ContainerClient,
  range: TenantRange,
): Promise<RangeRead> {
  const prefix = segmentPrefix(range.tenant, range.partition);
  const byHour = new Map<string, string[]>();
  for (const listing of coveringPrefixes(prefix, range.floor, range.until)) {
    for await (const blob of archive.listBlobsFlat({ prefix: listing })) {
      const hour = hourOfSegment(blob.name, prefix);
      if (hour === undefined || !blob.name.endsWith('.seg')) continue;
      if (range.floor !== undefined && hour < range.floor) continue;
      byHour.set(hour, [...(byHour.get(hour) ?? []), blob.name]);
    }
  }
  const records = new Map<number, ArchivedRecord>();
  let floor: string | undefined;
  for (const hour of [...byHour.keys()].sort().reverse()) {
    let startsBelowFrom = false;
    for (const segment of byHour.get(hour) ?? []) {
      const found = await readSegmentRange(archive, segment, range);
      startsBelowFrom ||= found.startsBelowFrom;
      if (found.startsBelowTo) floor ??= hour;
      for (const item of found.records)
        if (!records.has(item.record.log.index)) records.set(item.record.log.index, item);
    }
    if (startsBelowFrom) break;
  }
  return {
    records: [...records.values()].sort((a, b) => a.record.log.index - b.record.log.index),
    ...((floor ?? range.floor) === undefined ? {} : { floor: floor ?? range.floor }),
  };
}

async function readSegmentRange(
  archive: ContainerClient,
  segment: string,
  range: TenantRange,
): Promise<{ records: ArchivedRecord[]; startsBelowFrom: boolean; startsBelowTo: boolean }> {
  const blob = archive.getBlockBlobClient(segment);
  let blocks: { name: string; size: number }[];
  try {
    blocks = (await blob.getBlockList('committed')).committedBlocks ?? [];
  } catch (error) {
    // Listed, then removed by the lifecycle policy: nothing new can be in a segment old enough for that.
    if (statusOf(error) === 404)
      return { records: [], startsBelowFrom: false, startsBelowTo: false };
    throw error;
  }
  let offset = 0;
  let start: number | undefined;
  let end = 0;
  let startsBelowFrom = false;
  let startsBelowTo = false;
  for (const block of blocks) {
    const indexes = rangeOfBlockId(block.name);
    if (indexes === undefined)
      throw new ArchiveLayoutError(segment, `block id ${block.name} names no log-index range`);
    if (indexes.first < range.from) startsBelowFrom = true;
    if (indexes.first < range.to) startsBelowTo = true;
    if (indexes.last >= range.from && indexes.first < range.to) {
      start ??= offset;
      end = offset + block.size;
    }
    offset += block.size;
  }
  if (start === undefined) return { records: [], startsBelowFrom, startsBelowTo };
  const bytes = await blob.downloadToBuffer(start, end - start);
  const records: ArchivedRecord[] = [];
  for (const frame of decodeSegment(bytes)) {
    for (const recordBytes of frame.records) {
      const record = decodeRecord(recordBytes);
      const index = record.log.index;
      if (index < range.from || index >= range.to) continue;
      if (record.log.partition !== range.partition || record.event.tenantid !== range.tenant) {
        throw new ArchiveLayoutError(
          segment,
          `record ${index} belongs to tenant ${record.event.tenantid}, partition ${record.log.partition}`,
        );
      }
      records.push({ record, bytes: Buffer.from(recordBytes), segment });
    }
  }
  return { records, startsBelowFrom, startsBelowTo };
}

/**
 * The hot-store row of an archived record, built as ingest builds it (src/store/hot-entity.ts), so a
 * subscription filter sees exactly the columns a query sees.
 */
export function rowOf(item: ArchivedRecord): Record<string, unknown> {
  return queryRowOfRecord(item.record, item.bytes);
}

/** One record of a segment, by log index; undefined when the segment holds no such record. */
export async function readArchivedRecord(
  archive: ContainerClient,
  segment: string,
  tenant: string,
  partition: string,
  logIndex: number,
): Promise<ArchivedRecord | undefined> {
  const { records } = await readSegmentRange(archive, segment, {
    tenant,
    partition,
    from: logIndex,
    to: logIndex + 1,
    until: new Date(0),
  });
  return records[0];
}
