import {
  PriceTableError,
  formatIssue,
  loadPriceTable,
  planLifecycle,
  shippedPriceTable,
  shippedRetentionPolicy,
  type BlobFacts,
} from '../../lifecycle';
import { readData, segment } from './fixtures';

const GIB = 2 ** 30;
const prices = loadPriceTable(readData('prices.fixture.json'));
const policy = shippedRetentionPolicy();
const AT = new Date('2033-01-01T00:00:00Z');

function written(
  iso: string,
  retention: string | undefined,
  overrides: Partial<BlobFacts>,
): BlobFacts {
  const name = overrides.name ?? 'unused';
  return segment(name, new Date(iso), retention, overrides);
}

const blobs: BlobFacts[] = [
  // 29.96 days old: stays Hot.
  written('2032-12-02T01:00:00Z', 'standard', {
    name: 'contoso/0/2032/12/02/00.seg',
    sizeBytes: 1 * GIB,
  }),
  // 61 days old: to Cool.
  written('2032-11-01T01:00:00Z', 'standard', {
    name: 'contoso/0/2032/11/01/00.seg',
    sizeBytes: 2 * GIB,
  }),
  // 214 days old, Cool for 183 days: straight to Archive.
  written('2032-06-01T01:00:00Z', 'standard', {
    name: 'contoso/0/2032/06/01/00.seg',
    tier: 'Cool',
    tierChangedOn: new Date('2032-07-02T00:00:00Z'),
    sizeBytes: 4 * GIB,
  }),
  // Past 2555 days, archived long ago: deleted.
  written('2025-12-01T01:00:00Z', 'standard', {
    name: 'contoso/0/2025/12/01/00.seg',
    tier: 'Archive',
    tierChangedOn: new Date('2026-06-01T00:00:00Z'),
    sizeBytes: 8 * GIB,
  }),
  // Past 2555 days but held.
  written('2025-12-01T01:00:00Z', 'standard.held', {
    name: 'acme/0/2025/12/01/00.seg',
    tier: 'Archive',
    tierChangedOn: new Date('2026-06-01T00:00:00Z'),
    sizeBytes: 16 * GIB,
  }),
  // Past 2555 days, but re-archived 60 days ago: deleted with 120 days of early deletion.
  written('2025-12-02T01:00:00Z', 'standard', {
    name: 'contoso/0/2025/12/02/00.seg',
    tier: 'Archive',
    tierChangedOn: new Date('2032-11-02T00:00:00Z'),
    sizeBytes: 3 * GIB,
  }),
  // No retention tag: no rule selects it.
  written('2030-01-01T01:00:00Z', undefined, {
    name: 'contoso/9/2030/01/01/00.seg',
    sizeBytes: 1 * GIB,
  }),
];

describe('planLifecycle', () => {
  const plan = planLifecycle(policy, blobs, AT, prices);

  it('counts performed actions by kind and blocked ones by cause', () => {
    expect(plan.counts).toEqual({
      tierToCool: 1,
      tierToCold: 0,
      tierToArchive: 1,
      delete: 2,
      blockedByLegalHold: 1,
      blockedByEarlyDeletion: 0,
    });
  });

  it('totals blobs, bytes and monthly cost per tier before the actions', () => {
    expect(plan.before).toEqual({
      Hot: { blobs: 3, bytes: 4 * GIB, monthlyCost: 0.08 },
      Cool: { blobs: 1, bytes: 4 * GIB, monthlyCost: 0.04 },
      Cold: { blobs: 0, bytes: 0, monthlyCost: 0 },
      Archive: { blobs: 3, bytes: 27 * GIB, monthlyCost: 0.027 },
    });
  });

  it('totals blobs, bytes and monthly cost per tier after the actions', () => {
    expect(plan.after).toEqual({
      Hot: { blobs: 2, bytes: 2 * GIB, monthlyCost: 0.04 },
      Cool: { blobs: 1, bytes: 2 * GIB, monthlyCost: 0.02 },
      Cold: { blobs: 0, bytes: 0, monthlyCost: 0 },
      Archive: { blobs: 2, bytes: 20 * GIB, monthlyCost: 0.02 },
    });
  });

  it('estimates the monthly storage cost before and after', () => {
    expect(plan.monthlyStorageCost).toEqual({ before: 0.147, after: 0.08, change: -0.067 });
  });

  it('prices tier moves as writes in the destination tier and early deletion pro rata', () => {
    expect(plan.oneOffCost).toEqual({ tierChanges: 0.00002, earlyDeletion: 0.012, total: 0.01202 });
  });

  it('lists blobs that no rule selects', () => {
    expect(plan.unmanaged).toEqual(['audit-archive/contoso/9/2030/01/01/00.seg']);
  });

  it('labels the prices it used', () => {
    expect(plan.at).toBe('2033-01-01T00:00:00.000Z');
    expect(plan.prices).toEqual({
      label: 'test prices',
      currency: 'USD',
      asOf: '2026-01',
      approximate: false,
    });
  });

  it('keeps a deferred early deletion out of the after state', () => {
    const deferred = planLifecycle(policy, blobs, AT, prices, { earlyDeletion: 'defer' });
    expect([deferred.counts.delete, deferred.counts.blockedByEarlyDeletion]).toEqual([1, 1]);
    expect(deferred.after.Archive).toEqual({ blobs: 3, bytes: 23 * GIB, monthlyCost: 0.023 });
    expect(deferred.oneOffCost.earlyDeletion).toBe(0);
  });
});

describe('loadPriceTable', () => {
  it('accepts the shipped lifecycle/prices.json and marks it approximate', () => {
    const shipped = shippedPriceTable();
    expect([shipped.region, shipped.redundancy, shipped.currency, shipped.approximate]).toEqual([
      'eastus',
      'LRS',
      'USD',
      true,
    ]);
  });

  it('names every missing or malformed price', () => {
    const table = readData('prices.fixture.json') as Record<string, Record<string, unknown>>;
    delete table.storagePerGbMonth!.Cold;
    table.writeOperationsPer10k!.Hot = -1;
    table.sources = [] as unknown as Record<string, unknown>;
    let issues: string[] = [];
    try {
      loadPriceTable(table);
    } catch (error) {
      if (!(error instanceof PriceTableError)) throw error;
      issues = error.issues.map(formatIssue);
    }
    expect(issues).toEqual([
      'sources: must name at least one source',
      'storagePerGbMonth.Cold: must be a number >= 0',
      'writeOperationsPer10k.Hot: must be a number >= 0',
    ]);
  });
});
