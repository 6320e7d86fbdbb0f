import type { TableClient } from '@azure/data-tables';
import { evaluate, toODataFilter, MAX_ODATA_COMPARISONS, type QueryPlan } from './ql';
import type { Expr } from './ql-types';
import { hourBucket, padNumber } from '../store/names';
import { plainRow, RECORD_ONLY_COLUMNS, withRecordColumns } from '../store/hot-entity';
import type { Cursor } from './continuation';

export interface QueryStats {
  /** Table requests made (one per page read). */
  requests: number;
  /** Entities the service returned before client-side filtering. */
  entitiesScanned: number;
}

export interface QueryPage {
  rows: Record<string, unknown>[];
  /** Set when the page was cut at the limit: the query resumes after the last row returned. */
  next: Cursor | undefined;
  stats: QueryStats;
}

const TIME_WIDTH = 15;
const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/**
 * The keys a tenant's read may return: partitions (tenant and hour) and rows (event time) the plan can
 * match, after `after` when given. partitionFilter sends this range to Table; the archive reader
 * (src/query/archive-reader.ts) applies the same range to archived records, so both tiers select alike.
 */
export interface KeyRange {
  partitionFrom: string;
  /** Inclusive when the plan has an end time, exclusive (`tenant|~`) otherwise. */
  partitionTo: string;
  partitionToInclusive: boolean;
  rowFrom: string | undefined;
  rowTo: string | undefined;
  after: { partitionKey: string; rowKey: string } | undefined;
}

export function keyRange(tenant: string, plan: QueryPlan, after: Cursor | undefined): KeyRange {
  return {
    partitionFrom: `${tenant}|${plan.from ? hourBucket(plan.from) : ''}`,
    partitionTo: plan.to
      ? `${tenant}|${hourBucket(new Date(plan.to.getTime() - 1))}`
      : `${tenant}|~`,
    partitionToInclusive: plan.to !== undefined,
    // Row keys start with the event time in milliseconds, so the same bounds hold in every partition.
    rowFrom: plan.from ? padNumber(plan.from.getTime(), TIME_WIDTH) : undefined,
    rowTo: plan.to ? padNumber(plan.to.getTime(), TIME_WIDTH) : undefined,
    after: after ? { partitionKey: after.partitionKey, rowKey: after.rowKey } : undefined,
  };
}

/** Whether a row with these keys lies in the range, compared as Table compares keys (ordinal strings). */
export function inKeyRange(range: KeyRange, partitionKey: string, rowKey: string): boolean {
  if (partitionKey < range.partitionFrom) return false;
  if (
    range.partitionToInclusive
      ? partitionKey > range.partitionTo
      : partitionKey >= range.partitionTo
  )
    return false;
  if (range.rowFrom !== undefined && rowKey < range.rowFrom) return false;
  if (range.rowTo !== undefined && rowKey >= range.rowTo) return false;
  if (range.after) {
    const { partitionKey: afterPartition, rowKey: afterRow } = range.after;
    return partitionKey > afterPartition || (partitionKey === afterPartition && rowKey > afterRow);
  }
  return true;
}

/**
 * The OData filter that confines a tenant's read to the partitions (tenant and hour) and rows (event time)
 * the plan can match, resuming after `after` when given. Returns the filter and the comparisons it used.
 */
export function partitionFilter(
  tenant: string,
  plan: QueryPlan,
  after: Cursor | undefined,
): { filter: string; comparisons: number } {
  const range = keyRange(tenant, plan, after);
  const parts: string[] = [];
  parts.push(`PartitionKey ge ${quote(range.partitionFrom)}`);
  parts.push(
    `PartitionKey ${range.partitionToInclusive ? 'le' : 'lt'} ${quote(range.partitionTo)}`,
  );
  if (range.rowFrom !== undefined) parts.push(`RowKey ge ${quote(range.rowFrom)}`);
  if (range.rowTo !== undefined) parts.push(`RowKey lt ${quote(range.rowTo)}`);
  let comparisons = parts.length;
  if (range.after) {
    parts.push(
      `(PartitionKey gt ${quote(range.after.partitionKey)} or (PartitionKey eq ${quote(range.after.partitionKey)} and RowKey gt ${quote(range.after.rowKey)}))`,
    );
    comparisons += 3;
  }
  return { filter: parts.join(' and '), comparisons };
}

/**
 * Runs a plan over the hot store for the given tenants (already authorized, in order), returning at most
 * `limit` matching rows in (tenant, time) order.
 */
export async function queryHotStore(
  table: TableClient,
  plan: QueryPlan,
  tenants: readonly string[],
  limit: number,
  after: Cursor | undefined,
): Promise<QueryPage> {
  const stats: QueryStats = { requests: 0, entitiesScanned: 0 };
  const rows: Record<string, unknown>[] = [];
  const readsRecordColumns =
    plan.filter !== undefined && mentions(plan.filter, RECORD_ONLY_COLUMNS);
  const startAt = after ? tenants.indexOf(after.tenant) : 0;
  if (startAt < 0) return { rows, next: undefined, stats };
  for (let t = startAt; t < tenants.length; t++) {
    const tenant = tenants[t] as string;
    const resume = after && after.tenant === tenant ? after : undefined;
    const bounds = partitionFilter(tenant, plan, resume);
    const pushdown = plan.filter
      ? toODataFilter(plan.filter, { maxComparisons: MAX_ODATA_COMPARISONS - bounds.comparisons })
      : undefined;
    const filter = pushdown === undefined ? bounds.filter : `${bounds.filter} and (${pushdown})`;
    const pageSize = Math.min(1000, Math.max(100, limit * 2));
    const pages = table
      .listEntities({ queryOptions: { filter } })
      .byPage({ maxPageSize: pageSize });
    for await (const page of pages) {
      stats.requests++;
      for (const entity of page) {
        stats.entitiesScanned++;
        const plain = plainRow(entity as Record<string, unknown>);
        const row = readsRecordColumns ? withRecordColumns(plain) : plain;
        if (plan.filter && !evaluate(plan.filter, row)) continue;
        rows.push(row);
        if (rows.length >= limit) {
          return {
            rows,
            next: { tenant, partitionKey: String(row.partitionKey), rowKey: String(row.rowKey) },
            stats,
          };
        }
      }
    }
  }
  return { rows, next: undefined, stats };
}

/** Whether the expression compares any of `columns`. */
function mentions(expr: Expr, columns: ReadonlySet<string>): boolean {
  switch (expr.kind) {
    case 'cmp':
      return columns.has(expr.field);
    case 'not':
      return mentions(expr.item, columns);
    case 'and':
    case 'or':
      return expr.items.some((item) => mentions(item, columns));
  }
}
