/**
 * Retention and tiering: one policy (lifecycle/policy.json) from which the Azure lifecycle
 * management policy, the blob index tags, the hot Table window and the local evaluator derive.
 * Pure functions only: storage access belongs to the callers (the lifecycle timer, the CLI, infra/).
 */
import shippedPolicyJson from './policy.json';
import shippedPricesJson from './prices.json';
import { loadRetentionPolicy } from './load';
import { loadPriceTable, type PriceTable } from './prices';
import type { RetentionPolicy } from './types';

export type * from './types';
export { loadRetentionPolicy } from './load';
export {
  generateAzureManagementPolicy,
  ruleNameForClass,
  CHECKPOINT_RULE_NAME,
  type AzureManagementPolicy,
  type AzureLifecycleRule,
  type AzureRuleFilters,
  type AzureTagFilter,
  type AzureAgeCondition,
  type AzureBaseBlobActions,
} from './azure-policy';
export {
  validateAzureManagementPolicy,
  isValidContainerName,
  AZURE_POLICY_LIMITS,
} from './azure-validate';
export {
  classify,
  classesReachableFor,
  longestLivedClass,
  hotWindowFor,
  hotCutoff,
} from './classify';
export { isActiveHold, activeHolds, holdCoversSegment, holdsForSegment } from './holds';
export {
  blobTagsFor,
  reconcileBlobTags,
  parseRetentionTag,
  formatHoldIds,
  BlobTagLimitError,
  MAX_BLOB_TAGS,
  type BlobTags,
  type SegmentWrite,
  type TaggedBlob,
} from './tags';
export {
  evaluateLifecycle,
  ruleSelects,
  type BlobFacts,
  type LifecycleAction,
  type EarlyDeletion,
  type EarlyDeletionMode,
  type EvaluateOptions,
  type BlockedBy,
} from './evaluate';
export { planLifecycle, type Plan, type PlanCounts, type TierTotals } from './plan';
export { loadPriceTable, type PriceTable, type PerTier } from './prices';
export {
  EARLY_DELETION_MINIMUM_DAYS,
  ACTIONS_CHEAPEST_FIRST,
  TIER_ORDER,
  type LifecycleActionName,
} from './tiers';
export {
  ARCHIVE_CONTAINER,
  DEAD_LETTER_CONTAINER,
  CHECKPOINT_CONTAINER,
  CLASSIFIED_CONTAINERS,
  RETENTION_TAG,
  LEGAL_HOLD_TAG,
  HELD_SUFFIX,
  parseSegmentName,
  type SegmentLocation,
} from './layout';
export {
  RetentionPolicyError,
  AzureManagementPolicyError,
  PriceTableError,
  formatIssue,
  type ValidationIssue,
} from './errors';

/** The policy shipped in lifecycle/policy.json, validated. Throws RetentionPolicyError if it is not valid. */
export function shippedRetentionPolicy(): RetentionPolicy {
  return loadRetentionPolicy(shippedPolicyJson);
}

/** The price table shipped in lifecycle/prices.json (approximate list prices; see its `$comment`). */
export function shippedPriceTable(): PriceTable {
  return loadPriceTable(shippedPricesJson);
}
