import type { Cursor } from '../query/continuation';
import { queryHotStore } from '../query/executor';
import type { QueryPlan } from '../query/ql';
import { decodeRecord, type AuditRecord } from '../pipeline/record';
import { statusOf } from '../store/errors';
import { recordBytesOf } from '../store/hot-entity';
import { identityRowKey } from '../store/identity-claims';
import type { RegionTables } from './connect';

/**
 * One query over the hot stores of every region of a deployment.
 *
 * Each region's log is complete on its own, but a producer retry that straddled a failover can leave
 * the same event (tenant + CloudEvents source + id) accepted in two regions: each region guards
 * duplicates only within its own storage. The federated query returns every accepted event once:
 * of the copies, the one accepted first (earliest Event Hubs enqueued time in its record; at a tie, the
 * region listed first) is kept and the others are reported as cross-region duplicates.
 *
 * Whether a row is kept depends only on what the regions store, never on how the results are paged:
 * each row is looked up, by identity, in every other region's identity claims (one point read per
 * row and other region; a second read, of the other copy's row, only when a claim exists).
 */

/** An event as the federated query returns it: the hot-store row and the region that holds it. */
export interface FederatedRow {
  /** The configured region name (equal to the record's `log.region` when the record carries one). */
  region: string;
  row: Record<string, unknown>;
}

/** Where one copy of an event is stored, and when its region's Event Hubs accepted it. */
export interface EventCopy {
  region: string;
  partitionKey: string;
  rowKey: string;
  enqueuedTime: string;
}

/** An event accepted in two regions: the copy returned and the copy left out. */
export interface CrossRegionDuplicate {
  tenant: string;
  source: string;
  eventId: string;
  kept: EventCopy;
  dropped: EventCopy;
}

export interface RegionQueryStats {
  /** Table queries of the region's hot store (one per page read). */
  requests: number;
  /** Hot-store entities the region returned before client-side filtering. */
  entitiesScanned: number;
  /** Point reads of the region's identity claims and rows, made to look for copies of other regions' events. */
  identityReads: number;
  /** Rows of this region returned on this page. */
  events: number;
  /** Rows of this region left out on this page as cross-region duplicates. */
  duplicates: number;
}

export interface FederatedStats {
  /** Every Table request, over all regions: hot-store pages and identity reads. */
  requests: number;
  entitiesScanned: number;
  regions: Record<string, RegionQueryStats>;
  /** The copies left out on this page (each also counted in its region's `duplicates`). */
  crossRegionDuplicates: CrossRegionDuplicate[];
}

export interface FederatedPage {
  /** In (tenant, event time) order, as the single-region query orders them; ties in region order. */
  rows: FederatedRow[];
  /**
   * Set when the page was cut at the limit: every region resumes after this row position (rows with the
   * same key in several regions are never split across pages). Seal it with sealFederatedCursor.
   */
  next: Cursor | undefined;
  stats: FederatedStats;
}

/** A region's hot store holds records of another region: the entry points at the wrong account. */
export class RegionMismatchError extends Error {
  override readonly name = 'RegionMismatchError';
  constructor(
    readonly region: string,
    readonly recordedRegion: string,
    readonly partitionKey: string,
    readonly rowKey: string,
  ) {
    super(
      `region ${JSON.stringify(region)}: its hot store holds a record of region ${JSON.stringify(recordedRegion)} ` +
        `(row ${partitionKey} / ${rowKey}); the entry's storage belongs to another region, or its name is not that ` +
        `region's AUDIT_REGION`,
    );
  }
}

/** A region's storage could not be read; the query fails as a whole rather than answer without it. */
export class RegionReadError extends Error {
  override readonly name = 'RegionReadError';
  constructor(
    readonly region: string,
    override readonly cause: unknown,
  ) {
    super(
      `region ${JSON.stringify(region)}: its storage could not be read: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/** Identity reads in flight per chunk of rows. */
const PARALLEL_READS = 16;
const MAX_CHUNK = 1000;

/**
 * Runs a plan over every region's hot store for the given tenants (already authorized, in order) and
 * merges the results: at most `limit` rows, except that a row position present in several regions is
 * never split across pages, so a page may exceed `limit` only when `limit` is below the number of
 * regions. Resume with `after` = the previous page's `next` (the same regions, plan and tenants).
 *
 * @throws RangeError for an empty region list, repeated region names or a limit that is not a
 *   positive integer; RegionMismatchError when a region's rows carry another region's name;
 *   RegionReadError when a region's storage fails (unreachable, refused).
 */
export async function federatedQuery(
  regions: readonly RegionTables[],
  plan: QueryPlan,
  tenants: readonly string[],
  limit: number,
  after: Cursor | undefined,
): Promise<FederatedPage> {
  if (regions.length === 0) throw new RangeError('federatedQuery needs at least one region');
  const names = new Set<string>();
  for (const region of regions) {
    if (names.has(region.name))
      throw new RangeError(`federatedQuery: region ${JSON.stringify(region.name)} is listed twice`);
    names.add(region.name);
  }
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`federatedQuery: limit must be a positive integer, got ${limit}`);

  const stats: FederatedStats = {
    requests: 0,
    entitiesScanned: 0,
    regions: Object.fromEntries(
      regions.map((region) => [
        region.name,
        { requests: 0, entitiesScanned: 0, identityReads: 0, events: 0, duplicates: 0 },
      ]),
    ),
    crossRegionDuplicates: [],
  };
  const context: MergeContext = {
    regions,
    plan,
    tenants,
    tenantOrder: new Map(tenants.map((tenant, i) => [tenant, i])),
    chunk: Math.min(limit, MAX_CHUNK),
    stats,
  };
  const streams = regions.map((_, index) => new RegionStream(context, index, after));
  const rows: FederatedRow[] = [];
  let consumed: Cursor | undefined;

  for (;;) {
    const heads = await Promise.all(streams.map((stream) => stream.head()));
    let lowest: Candidate | undefined;
    for (const head of heads) {
      if (head !== undefined && (lowest === undefined || compareKeys(head, lowest) < 0))
        lowest = head;
    }
    if (lowest === undefined) return finish(rows, undefined, stats);
    const group = heads.filter(
      (head): head is Candidate => head !== undefined && compareKeys(head, lowest) === 0,
    );
    const kept = group.filter((candidate) => candidate.keptCopy === undefined);
    // Cut before a row position that does not fit whole, so the next page can resume after it.
    if (rows.length > 0 && rows.length + kept.length > limit) return finish(rows, consumed, stats);
    for (const candidate of group) {
      (streams[candidate.regionIndex] as RegionStream).take();
      const regionStats = stats.regions[candidate.copy.region] as RegionQueryStats;
      if (candidate.keptCopy === undefined) {
        rows.push({ region: candidate.copy.region, row: candidate.row });
        regionStats.events++;
      } else {
        regionStats.duplicates++;
        stats.crossRegionDuplicates.push({
          tenant: candidate.tenant,
          source: candidate.source,
          eventId: candidate.eventId,
          kept: candidate.keptCopy,
          dropped: candidate.copy,
        });
      }
    }
    consumed = {
      tenant: lowest.keyTenant,
      partitionKey: lowest.copy.partitionKey,
      rowKey: lowest.copy.rowKey,
    };
    if (rows.length >= limit) return finish(rows, consumed, stats);
  }
}

function finish(
  rows: FederatedRow[],
  next: Cursor | undefined,
  stats: FederatedStats,
): FederatedPage {
  for (const region of Object.values(stats.regions)) {
    stats.requests += region.requests + region.identityReads;
    stats.entitiesScanned += region.entitiesScanned;
  }
  return { rows, next, stats };
}

interface MergeContext {
  readonly regions: readonly RegionTables[];
  readonly plan: QueryPlan;
  readonly tenants: readonly string[];
  readonly tenantOrder: ReadonlyMap<string, number>;
  readonly chunk: number;
  readonly stats: FederatedStats;
}

/** A fetched row with what the merge needs: its order key, its identity, and whether it is kept. */
interface Candidate {
  regionIndex: number;
  tenantIndex: number;
  /** The tenant part of the partition key: the tenant the store orders (and a cursor names) it under. */
  keyTenant: string;
  tenant: string;
  source: string;
  eventId: string;
  copy: EventCopy;
  enqueuedMs: number;
  row: Record<string, unknown>;
  /** The copy kept instead of this one, when another region accepted the event first. */
  keptCopy: EventCopy | undefined;
}

function compareKeys(a: Candidate, b: Candidate): number {
  return (
    a.tenantIndex - b.tenantIndex ||
    ordinal(a.copy.partitionKey, b.copy.partitionKey) ||
    ordinal(a.copy.rowKey, b.copy.rowKey)
  );
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One region's rows in key order, fetched a chunk at a time and annotated with their duplicates. */
class RegionStream {
  private buffer: Candidate[] = [];
  private at = 0;
  private fetchAfter: Cursor | undefined;
  private exhausted = false;

  constructor(
    private readonly context: MergeContext,
    private readonly regionIndex: number,
    after: Cursor | undefined,
  ) {
    this.fetchAfter = after;
  }

  async head(): Promise<Candidate | undefined> {
    while (this.at >= this.buffer.length && !this.exhausted) await this.fill();
    return this.buffer[this.at];
  }

  take(): void {
    this.at++;
  }

  private async fill(): Promise<void> {
    const { regions, plan, tenants, chunk, stats } = this.context;
    const region = regions[this.regionIndex] as RegionTables;
    const page = await readingRegion(region.name, () =>
      queryHotStore(region.clients.tables.events, plan, tenants, chunk, this.fetchAfter),
    );
    const regionStats = stats.regions[region.name] as RegionQueryStats;
    regionStats.requests += page.stats.requests;
    regionStats.entitiesScanned += page.stats.entitiesScanned;
    this.buffer = await mapLimit(page.rows, PARALLEL_READS, (row) => this.annotate(row));
    this.at = 0;
    if (page.next === undefined) this.exhausted = true;
    else this.fetchAfter = page.next;
  }

  private async annotate(row: Record<string, unknown>): Promise<Candidate> {
    const { regions, tenantOrder, stats } = this.context;
    const region = regions[this.regionIndex] as RegionTables;
    const partitionKey = String(row.partitionKey);
    const rowKey = String(row.rowKey);
    const record = decodeRecord(recordBytesOf(row));
    if (record.log.region !== undefined && record.log.region !== region.name)
      throw new RegionMismatchError(region.name, record.log.region, partitionKey, rowKey);
    const keyTenant = tenantOf(partitionKey);
    const candidate: Candidate = {
      regionIndex: this.regionIndex,
      // queryHotStore reads only the listed tenants' partitions, so the tenant is always listed.
      tenantIndex: tenantOrder.get(keyTenant) ?? -1,
      keyTenant,
      tenant: record.event.tenantid,
      source: record.event.source,
      eventId: record.event.id,
      copy: { region: region.name, partitionKey, rowKey, enqueuedTime: record.log.enqueuedTime },
      enqueuedMs: Date.parse(record.log.enqueuedTime),
      row,
      keptCopy: undefined,
    };
    let earliest: { copy: EventCopy; enqueuedMs: number; regionIndex: number } | undefined;
    for (let other = 0; other < regions.length; other++) {
      if (other === this.regionIndex) continue;
      const otherRegion = regions[other] as RegionTables;
      const found = await readingRegion(otherRegion.name, () =>
        copyIn(otherRegion, record, stats.regions[otherRegion.name]),
      );
      if (found === undefined) continue;
      const enqueuedMs = Date.parse(found.enqueuedTime);
      const contender = { copy: found, enqueuedMs, regionIndex: other };
      if (earliest === undefined || acceptedBefore(contender, earliest)) earliest = contender;
    }
    if (earliest !== undefined && acceptedBefore(earliest, candidate)) {
      candidate.keptCopy = earliest.copy;
    }
    return candidate;
  }
}

async function readingRegion<T>(region: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RegionMismatchError || error instanceof RegionReadError) throw error;
    throw new RegionReadError(region, error);
  }
}

/** Accepted first: earlier enqueued time; at the same instant, the region listed first. */
function acceptedBefore(
  a: { enqueuedMs: number; regionIndex: number },
  b: { enqueuedMs: number; regionIndex: number },
): boolean {
  return (
    a.enqueuedMs < b.enqueuedMs || (a.enqueuedMs === b.enqueuedMs && a.regionIndex < b.regionIndex)
  );
}

/** Tenant ids never contain '|', which ends the tenant part of a hot-store partition key. */
function tenantOf(partitionKey: string): string {
  const bar = partitionKey.indexOf('|');
  return bar < 0 ? partitionKey : partitionKey.slice(0, bar);
}

interface ClaimEntity {
  eventId: string;
  source: string;
  eventPartitionKey: string;
  eventRowKey: string;
}

/**
 * The copy of the record's event that `region` holds in its hot store, if any. A claim without its row
 * (the region is still ingesting that batch, or handed the row off to the archive) is no copy here: the
 * hot store does not hold it.
 */
async function copyIn(
  region: RegionTables,
  record: AuditRecord,
  stats: RegionQueryStats | undefined,
): Promise<EventCopy | undefined> {
  const { tables } = region.clients;
  const tenant = record.event.tenantid;
  const count = (): void => {
    if (stats) stats.identityReads++;
  };
  let claim: ClaimEntity;
  try {
    count();
    claim = await tables.ids.getEntity<ClaimEntity>(
      tenant,
      identityRowKey(record.event.source, record.event.id),
    );
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
  // Row keys are truncated hashes: confirm the claim is this identity's.
  if (claim.eventId !== record.event.id || claim.source !== record.event.source) return undefined;
  let entity: Record<string, unknown>;
  try {
    count();
    entity = await tables.events.getEntity(claim.eventPartitionKey, claim.eventRowKey);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
  const copy = decodeRecord(recordBytesOf(entity));
  if (copy.log.region !== undefined && copy.log.region !== region.name) {
    throw new RegionMismatchError(
      region.name,
      copy.log.region,
      claim.eventPartitionKey,
      claim.eventRowKey,
    );
  }
  return {
    region: region.name,
    partitionKey: claim.eventPartitionKey,
    rowKey: claim.eventRowKey,
    enqueuedTime: copy.log.enqueuedTime,
  };
}

/** Maps with at most `limit` calls in flight, keeping the input order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
