import type { TableClient } from '@azure/data-tables';
import { decodeRecord } from '../pipeline/record';
import { queryRowOfRecord } from '../store/hot-entity';
import { decodeSegment } from '../store/segment-format';
import { isRestError, statusOf } from '../store/errors';
import type { StorageClients } from '../store/clients';
import { archivedHours } from '../lifecycle-runtime/archive-index';
import {
  archiveContainersOf,
  rehydratedCopyName,
  segmentState,
  type ArchiveContainers,
} from '../lifecycle-runtime/rehydration';
import type { Cursor } from './continuation';
import { inKeyRange, keyRange, queryHotStore, type QueryPage, type QueryStats } from './executor';
import { evaluate, type QueryPlan } from './ql';

/**
 * Reads across tiers: the hot Table and the archive segments its rows were handed off to. Archived
 * records are turned into the very rows the hot store held (toHotEntity on the record's canonical
 * bytes, with the same partition and row keys), so filters, the query language, the event view,
 * ordering and continuation tokens mean the same in both tiers. The archive index
 * (src/lifecycle-runtime/archive-index.ts) names the segments of each event hour; a row present in
 * both tiers (a hand-off between its index write and its delete) is returned once.
 */

/** Where the archive reader reads: the hot store, the archive index and the archive containers. */
export interface TieredSource {
  readonly events: TableClient;
  /** The state table, which holds the archive index. */
  readonly state: TableClient;
  readonly containers: ArchiveContainers;
}

export function tieredSourceOf(clients: StorageClients): TieredSource {
  return {
    events: clients.tables.events,
    state: clients.tables.state,
    containers: archiveContainersOf(clients),
  };
}

/** A segment whose events could not be read because it is in the Archive tier. */
export interface SegmentNeed {
  segment: string;
  /** `archived`: rehydrate it (`mcp-audit rehydrate`); `rehydrating`: ask again once that is done. */
  status: 'archived' | 'rehydrating';
}

export type SegmentRead =
  | {
      readonly kind: 'records';
      readonly segment: string;
      /** Each record's exact canonical bytes, in segment order. */
      readonly records: Buffer[];
      readonly from: 'segment' | 'rehydrated-copy';
    }
  | { readonly kind: 'unavailable'; readonly need: SegmentNeed }
  /** Deleted under retention (or never written). */
  | { readonly kind: 'missing'; readonly segment: string };

function recordsOf(bytes: Buffer): Buffer[] {
  return decodeSegment(bytes).flatMap((frame) => frame.records);
}

/**
 * The records of one archive segment: read in place when it is online, from its rehydrated copy when
 * it is archived and has one, and otherwise reported as needing rehydration instead of failing.
 * Verification and every other reader of segments can use it to say which segments it could not read.
 */
export async function readArchivedSegment(
  containers: ArchiveContainers,
  segment: string,
): Promise<SegmentRead> {
  try {
    const bytes = await containers.archive.getBlockBlobClient(segment).downloadToBuffer();
    return { kind: 'records', segment, records: recordsOf(bytes), from: 'segment' };
  } catch (error) {
    if (statusOf(error) === 404) return { kind: 'missing', segment };
    if (!(isRestError(error) && error.code === 'BlobArchived')) throw error;
  }
  const state = await segmentState(containers, segment);
  switch (state.state) {
    case 'rehydrated': {
      const copy = rehydratedCopyName(containers.archive.containerName, segment);
      const bytes = await containers.rehydrated.getBlockBlobClient(copy).downloadToBuffer();
      return { kind: 'records', segment, records: recordsOf(bytes), from: 'rehydrated-copy' };
    }
    case 'online': {
      // Moved back online between the two requests.
      const bytes = await containers.archive.getBlockBlobClient(segment).downloadToBuffer();
      return { kind: 'records', segment, records: recordsOf(bytes), from: 'segment' };
    }
    case 'missing':
      return { kind: 'missing', segment };
    case 'rehydrating':
      return { kind: 'unavailable', need: { segment, status: 'rehydrating' } };
    case 'archived':
      return { kind: 'unavailable', need: { segment, status: 'archived' } };
  }
}

/** One archived record as the hot store held it. */
interface ArchivedRow {
  partitionKey: string;
  rowKey: string;
  row: Record<string, unknown>;
}

/** The hot-store row of an archived record: same keys, same query columns, same record bytes. */
export function archivedRowOf(bytes: Buffer): ArchivedRow {
  const row = queryRowOfRecord(decodeRecord(bytes), bytes);
  return { partitionKey: String(row.partitionKey), rowKey: String(row.rowKey), row };
}

export interface TieredQueryStats extends QueryStats {
  /** Archive segments downloaded (in place or from a rehydrated copy). */
  segmentsRead: number;
  /** Records decoded from them before filtering. */
  archivedRecordsScanned: number;
}

export interface TieredQueryPage extends QueryPage {
  stats: TieredQueryStats;
  /** Segments whose events this page could not include; empty when nothing was archived away. */
  needsRehydration: SegmentNeed[];
}

/** How many decoded segments one request keeps; a query walks hours in order, so recent ones suffice. */
const SEGMENT_CACHE_SIZE = 32;

/** Decoded segments of one request, as rows, so a segment that spans several event hours is read once. */
class SegmentRows {
  private readonly cache = new Map<string, ArchivedRow[] | undefined>();
  readonly needs = new Map<string, SegmentNeed>();

  constructor(
    private readonly containers: ArchiveContainers,
    private readonly stats: TieredQueryStats,
  ) {}

  async rows(segment: string): Promise<ArchivedRow[] | undefined> {
    if (this.cache.has(segment)) return this.cache.get(segment);
    const read = await readArchivedSegment(this.containers, segment);
    let rows: ArchivedRow[] | undefined;
    if (read.kind === 'records') {
      this.stats.segmentsRead++;
      this.stats.archivedRecordsScanned += read.records.length;
      rows = read.records.map(archivedRowOf);
    } else if (read.kind === 'unavailable') {
      this.needs.set(segment, read.need);
    }
    if (this.cache.size >= SEGMENT_CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(segment, rows);
    return rows;
  }
}

function compareKeys(
  a: { partitionKey?: unknown; rowKey?: unknown },
  b: { partitionKey?: unknown; rowKey?: unknown },
): number {
  const [ap, bp, ar, br] = [
    String(a.partitionKey),
    String(b.partitionKey),
    String(a.rowKey),
    String(b.rowKey),
  ];
  if (ap !== bp) return ap < bp ? -1 : 1;
  return ar === br ? 0 : ar < br ? -1 : 1;
}

/** Two ordered row lists as one, each key once (the hot row wins: the bytes are the same). */
function mergeByKey(
  hot: readonly Record<string, unknown>[],
  archived: readonly Record<string, unknown>[],
): Record<string, unknown>[] {
  const merged: Record<string, unknown>[] = [];
  let h = 0;
  let a = 0;
  while (h < hot.length || a < archived.length) {
    const hotRow = hot[h];
    const archivedRow = archived[a];
    if (
      archivedRow === undefined ||
      (hotRow !== undefined && compareKeys(hotRow, archivedRow) < 0)
    ) {
      merged.push(hotRow as Record<string, unknown>);
      h++;
    } else if (hotRow === undefined || compareKeys(hotRow, archivedRow) > 0) {
      merged.push(archivedRow);
      a++;
    } else {
      merged.push(hotRow);
      h++;
      a++;
    }
  }
  return merged;
}

const hourOfPartition = (tenant: string, partitionKey: string): string | undefined => {
  const hour = partitionKey.slice(tenant.length + 1);
  return /^\d{10}$/.test(hour) ? hour : undefined;
};

/**
 * The first `wanted` archived rows of a tenant matching the plan, in key order. Hours are read in
 * ascending order and the walk stops as soon as no later hour can contribute: once `wanted` rows are
 * found, or once the hot rows already fill the page with keys below the next hour.
 */
async function archivedRows(
  source: TieredSource,
  segments: SegmentRows,
  tenant: string,
  plan: QueryPlan,
  after: Cursor | undefined,
  wanted: number,
  hot: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const range = keyRange(tenant, plan, after);
  const lower = [range.partitionFrom, range.after?.partitionKey]
    .map((key) => (key === undefined ? undefined : hourOfPartition(tenant, key)))
    .filter((hour): hour is string => hour !== undefined)
    .sort();
  const fromHour = lower[lower.length - 1];
  const toHour = range.partitionToInclusive
    ? hourOfPartition(tenant, range.partitionTo)
    : undefined;
  const lastHot = hot.length >= wanted ? hot[hot.length - 1] : undefined;
  const found: Record<string, unknown>[] = [];
  for await (const { hour, segments: names } of archivedHours(
    source.state,
    tenant,
    fromHour,
    toHour,
  )) {
    const partitionKey = `${tenant}|${hour}`;
    if (found.length >= wanted) break;
    if (lastHot !== undefined && partitionKey > String(lastHot.partitionKey)) break;
    const inHour: ArchivedRow[] = [];
    for (const name of names) {
      for (const archived of (await segments.rows(name)) ?? []) {
        if (archived.partitionKey !== partitionKey) continue;
        if (!inKeyRange(range, archived.partitionKey, archived.rowKey)) continue;
        if (plan.filter && !evaluate(plan.filter, archived.row)) continue;
        inHour.push(archived);
      }
    }
    inHour.sort(compareKeys);
    found.push(...inHour.map((archived) => archived.row));
  }
  return found;
}

/**
 * Runs a plan over both tiers for the given tenants (already authorized, in order): at most `limit`
 * rows in (tenant, time) order, exactly as queryHotStore orders and pages them, with the events that
 * were handed off to the archive in their places. Segments in the Archive tier are not read: they
 * are listed in `needsRehydration` and their events are missing from the page.
 */
export async function queryAcrossTiers(
  source: TieredSource,
  plan: QueryPlan,
  tenants: readonly string[],
  limit: number,
  after: Cursor | undefined,
): Promise<TieredQueryPage> {
  const stats: TieredQueryStats = {
    requests: 0,
    entitiesScanned: 0,
    segmentsRead: 0,
    archivedRecordsScanned: 0,
  };
  const segments = new SegmentRows(source.containers, stats);
  const rows: Record<string, unknown>[] = [];
  const page = (next: Cursor | undefined): TieredQueryPage => ({
    rows,
    next,
    stats,
    needsRehydration: [...segments.needs.values()],
  });
  const startAt = after ? tenants.indexOf(after.tenant) : 0;
  if (startAt < 0) return page(undefined);
  for (let t = startAt; t < tenants.length; t++) {
    const tenant = tenants[t] as string;
    const resume = after && after.tenant === tenant ? after : undefined;
    const wanted = limit - rows.length;
    const hot = await queryHotStore(source.events, plan, [tenant], wanted, resume);
    stats.requests += hot.stats.requests;
    stats.entitiesScanned += hot.stats.entitiesScanned;
    const archived = await archivedRows(source, segments, tenant, plan, resume, wanted, hot.rows);
    rows.push(...mergeByKey(hot.rows, archived).slice(0, wanted));
    if (rows.length >= limit) {
      const last = rows[rows.length - 1] as Record<string, unknown>;
      return page({ tenant, partitionKey: String(last.partitionKey), rowKey: String(last.rowKey) });
    }
  }
  return page(undefined);
}

/** Where an event lives, as its identity claim records it (src/store/identity-claims.ts). */
export interface ClaimedLocation {
  tenant: string;
  eventPartitionKey: string;
  eventRowKey: string;
}

/**
 * The archived row of a claimed event (GET /api/events/{id} once the hot row was handed off): the
 * row, the segment that must be rehydrated first, or undefined when no handed-off record matches.
 */
export async function findArchivedEvent(
  source: TieredSource,
  claim: ClaimedLocation,
): Promise<{ row: Record<string, unknown> } | { need: SegmentNeed } | undefined> {
  const hour = hourOfPartition(claim.tenant, claim.eventPartitionKey);
  if (hour === undefined) return undefined;
  let need: SegmentNeed | undefined;
  for await (const { segments } of archivedHours(source.state, claim.tenant, hour, hour)) {
    for (const segment of segments) {
      const read = await readArchivedSegment(source.containers, segment);
      if (read.kind === 'unavailable') need ??= read.need;
      if (read.kind !== 'records') continue;
      for (const bytes of read.records) {
        const archived = archivedRowOf(bytes);
        if (
          archived.partitionKey === claim.eventPartitionKey &&
          archived.rowKey === claim.eventRowKey
        ) {
          return { row: archived.row };
        }
      }
    }
  }
  return need === undefined ? undefined : { need };
}
