import type { AzureManagementPolicy } from './azure-policy';
import {
  evaluateLifecycle,
  resolvePolicies,
  ruleSelects,
  type BlobFacts,
  type EvaluateOptions,
  type LifecycleAction,
} from './evaluate';
import type { PriceTable } from './prices';
import { TARGET_TIER, TIER_ORDER } from './tiers';
import type { BlobTier, RetentionPolicy } from './types';

const BYTES_PER_GB = 2 ** 30;
/** Azure prorates early deletion per day of a 30-day month (its own worked examples divide by 30). */
const DAYS_PER_BILLED_MONTH = 30;

export interface TierTotals {
  readonly blobs: number;
  readonly bytes: number;
  /** Storage only, at the table's per-GB-month price. */
  readonly monthlyCost: number;
}

export interface PlanCounts {
  readonly tierToCool: number;
  readonly tierToCold: number;
  readonly tierToArchive: number;
  readonly delete: number;
  readonly blockedByLegalHold: number;
  readonly blockedByEarlyDeletion: number;
}

export interface Plan {
  readonly at: string;
  readonly prices: {
    readonly label: string;
    readonly currency: string;
    readonly asOf: string;
    readonly approximate: boolean;
  };
  /** Every action, performed or blocked, as evaluateLifecycle reports it. */
  readonly actions: readonly LifecycleAction[];
  /** Performed actions by kind, and blocked ones by cause. */
  readonly counts: PlanCounts;
  readonly before: Readonly<Record<BlobTier, TierTotals>>;
  /** After every action that is not blocked. */
  readonly after: Readonly<Record<BlobTier, TierTotals>>;
  readonly monthlyStorageCost: {
    readonly before: number;
    readonly after: number;
    readonly change: number;
  };
  /** Charged once, when the actions run. */
  readonly oneOffCost: {
    readonly tierChanges: number;
    readonly earlyDeletion: number;
    readonly total: number;
  };
  /** `container/name` of blobs no enabled rule selects: untagged or unknown-class blobs stay forever. */
  readonly unmanaged: readonly string[];
}

/** Money is reported to a millionth of the currency unit; sums are rounded once, at the end. */
function money(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}

function totalsByTier(
  blobs: Iterable<{ tier: BlobTier; sizeBytes: number }>,
  prices: PriceTable,
): Record<BlobTier, TierTotals> {
  const raw = Object.fromEntries(
    TIER_ORDER.map((tier) => [tier, { blobs: 0, bytes: 0 }]),
  ) as Record<BlobTier, { blobs: number; bytes: number }>;
  for (const blob of blobs) {
    raw[blob.tier].blobs += 1;
    raw[blob.tier].bytes += blob.sizeBytes;
  }
  return Object.fromEntries(
    TIER_ORDER.map((tier) => [
      tier,
      {
        ...raw[tier],
        monthlyCost: money((raw[tier].bytes / BYTES_PER_GB) * prices.storagePerGbMonth[tier]),
      },
    ]),
  ) as Record<BlobTier, TierTotals>;
}

function sumMonthly(totals: Record<BlobTier, TierTotals>, prices: PriceTable): number {
  return TIER_ORDER.reduce(
    (sum, tier) => sum + (totals[tier].bytes / BYTES_PER_GB) * prices.storagePerGbMonth[tier],
    0,
  );
}

/**
 * What lifecycle management would move or delete at `at`, with bytes and estimated monthly storage
 * cost per tier before and after, and the one-off cost of the moves (each billed as a write in the
 * destination tier) and of early deletion (the tier's GB-month price for the days still owed).
 * Deletes themselves are free. Estimates use `prices`, which are list prices on a date.
 */
export function planLifecycle(
  policy: RetentionPolicy | AzureManagementPolicy,
  blobs: readonly BlobFacts[],
  at: Date,
  prices: PriceTable,
  options: EvaluateOptions = {},
): Plan {
  const actions = evaluateLifecycle(policy, blobs, at, options);
  const { azure } = resolvePolicies(policy);

  const afterState = new Map<BlobFacts, { tier: BlobTier; sizeBytes: number } | null>();
  let tierChanges = 0;
  let earlyDeletion = 0;
  const counts = {
    tierToCool: 0,
    tierToCold: 0,
    tierToArchive: 0,
    delete: 0,
    blockedByLegalHold: 0,
    blockedByEarlyDeletion: 0,
  };
  for (const action of actions) {
    if (action.blockedBy === 'legal-hold') {
      counts.blockedByLegalHold += 1;
      continue;
    }
    if (action.blockedBy === 'early-deletion') {
      counts.blockedByEarlyDeletion += 1;
      continue;
    }
    counts[action.action] += 1;
    const { blob } = action;
    const target = TARGET_TIER[action.action];
    if (target === undefined) {
      afterState.set(blob, null);
    } else {
      afterState.set(blob, { tier: target, sizeBytes: blob.sizeBytes });
      tierChanges += prices.writeOperationsPer10k[target] / 10_000;
    }
    if (action.earlyDeletion !== undefined) {
      earlyDeletion +=
        (blob.sizeBytes / BYTES_PER_GB) *
        prices.storagePerGbMonth[action.earlyDeletion.tier] *
        (action.earlyDeletion.chargeableDays / DAYS_PER_BILLED_MONTH);
    }
  }

  const remaining = blobs
    .map((blob) => (afterState.has(blob) ? afterState.get(blob) : blob))
    .filter(
      (blob): blob is { tier: BlobTier; sizeBytes: number } => blob !== null && blob !== undefined,
    );
  const before = totalsByTier(blobs, prices);
  const after = totalsByTier(remaining, prices);
  const monthlyBefore = sumMonthly(before, prices);
  const monthlyAfter = sumMonthly(after, prices);

  return {
    at: at.toISOString(),
    prices: {
      label: prices.label,
      currency: prices.currency,
      asOf: prices.asOf,
      approximate: prices.approximate,
    },
    actions,
    counts,
    before,
    after,
    monthlyStorageCost: {
      before: money(monthlyBefore),
      after: money(monthlyAfter),
      change: money(monthlyAfter - monthlyBefore),
    },
    oneOffCost: {
      tierChanges: money(tierChanges),
      earlyDeletion: money(earlyDeletion),
      total: money(tierChanges + earlyDeletion),
    },
    unmanaged: blobs
      .filter((blob) => !azure.rules.some((rule) => ruleSelects(rule, blob)))
      .map((blob) => `${blob.container}/${blob.name}`),
  };
}
