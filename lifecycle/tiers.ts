import type { BlobTier, CoolerTierName } from './types';

/**
 * Minimum days a blob is billed for in a tier. Deleting it, or moving it out of the tier, sooner
 * is charged the remaining days pro rata ("early deletion"). Hot has none.
 * Source: learn.microsoft.com, access-tiers-overview.
 */
export const EARLY_DELETION_MINIMUM_DAYS: Readonly<Record<BlobTier, number>> = {
  Hot: 0,
  Cool: 30,
  Cold: 90,
  Archive: 180,
};

/** Warmest first: a blob only ever moves to a tier further down this list. */
export const TIER_ORDER: readonly BlobTier[] = ['Hot', 'Cool', 'Cold', 'Archive'];

/** The policy's tier names, in the order blobs pass through them. */
export const COOLER_TIER_NAMES: readonly CoolerTierName[] = ['cool', 'cold', 'archive'];

export const TIER_OF_NAME: Readonly<Record<CoolerTierName, BlobTier>> = {
  cool: 'Cool',
  cold: 'Cold',
  archive: 'Archive',
};

export type LifecycleActionName = 'tierToCool' | 'tierToCold' | 'tierToArchive' | 'delete';

/** Cheapest first. When several actions of the matching rules are due, Azure applies the cheapest. */
export const ACTIONS_CHEAPEST_FIRST: readonly LifecycleActionName[] = [
  'delete',
  'tierToArchive',
  'tierToCold',
  'tierToCool',
];

export const ACTION_OF_TIER_NAME: Readonly<Record<CoolerTierName, LifecycleActionName>> = {
  cool: 'tierToCool',
  cold: 'tierToCold',
  archive: 'tierToArchive',
};

/** The tier a tiering action moves a blob to; undefined for delete. */
export const TARGET_TIER: Readonly<Record<LifecycleActionName, BlobTier | undefined>> = {
  tierToCool: 'Cool',
  tierToCold: 'Cold',
  tierToArchive: 'Archive',
  delete: undefined,
};

export function isColder(tier: BlobTier, than: BlobTier): boolean {
  return TIER_ORDER.indexOf(tier) > TIER_ORDER.indexOf(than);
}
