import {
  IssueList,
  field,
  item,
  readArray,
  readObject,
  readString,
  rejectUnknownKeys,
} from './check';
import { PriceTableError } from './errors';
import { TIER_ORDER } from './tiers';
import type { BlobTier } from './types';

export type PerTier = Readonly<Record<BlobTier, number>>;

/** List prices for one region and redundancy, as read from lifecycle/prices.json. */
export interface PriceTable {
  readonly label: string;
  readonly region: string;
  readonly redundancy: string;
  readonly currency: string;
  /** When the figures were read, or why that is uncertain. */
  readonly asOf: string;
  /** True when the figures could not be confirmed against the publisher's own page. */
  readonly approximate: boolean;
  readonly sources: readonly string[];
  /** Per GiB (2^30 bytes) and month. Early deletion is charged from these, pro rata. */
  readonly storagePerGbMonth: PerTier;
  /** Per 10,000 write operations; a move to a cooler tier is billed as one write in the destination tier. */
  readonly writeOperationsPer10k: PerTier;
  readonly readOperationsPer10k: PerTier;
  /** Per GiB read from the tier. */
  readonly dataRetrievalPerGb: PerTier;
}

const PER_TIER_FIELDS = [
  'storagePerGbMonth',
  'writeOperationsPer10k',
  'readOperationsPer10k',
  'dataRetrievalPerGb',
] as const;

function checkPerTier(value: unknown, path: string, issues: IssueList): void {
  const perTier = readObject(value, path, issues);
  if (perTier === undefined) return;
  rejectUnknownKeys(perTier, TIER_ORDER, path, issues);
  for (const tier of TIER_ORDER) {
    const price = perTier[tier];
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
      issues.add(field(path, tier), 'must be a number >= 0');
    }
  }
}

/** Validates a price table document; throws PriceTableError naming every missing or malformed price. */
export function loadPriceTable(json: unknown): PriceTable {
  const issues = new IssueList();
  const table = readObject(json, '', issues);
  if (table === undefined) throw new PriceTableError(issues.items);
  rejectUnknownKeys(
    table,
    [
      '$comment',
      'label',
      'region',
      'redundancy',
      'currency',
      'asOf',
      'approximate',
      'sources',
      ...PER_TIER_FIELDS,
    ],
    '',
    issues,
  );
  for (const key of ['label', 'region', 'redundancy', 'currency', 'asOf']) {
    readString(table[key], key, issues);
  }
  if (typeof table.approximate !== 'boolean') issues.add('approximate', 'must be a boolean');
  const sources = readArray(table.sources, 'sources', issues);
  if (sources !== undefined && sources.length === 0) {
    issues.add('sources', 'must name at least one source');
  }
  sources?.forEach((source, index) => readString(source, item('sources', index), issues));
  for (const key of PER_TIER_FIELDS) checkPerTier(table[key], key, issues);
  if (issues.count > 0) throw new PriceTableError(issues.items);
  return structuredClone(table) as unknown as PriceTable;
}
