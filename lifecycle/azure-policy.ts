import { CHECKPOINT_CONTAINER, CLASSIFIED_CONTAINERS, HELD_SUFFIX, RETENTION_TAG } from './layout';
import { ACTION_OF_TIER_NAME, COOLER_TIER_NAMES } from './tiers';
import type { CoolerTierName, RetentionPolicy, TierSchedule } from './types';

/**
 * The body of `Microsoft.Storage/storageAccounts/managementPolicies/default` (`properties.policy`),
 * restricted to what this project generates and what evaluateLifecycle mirrors.
 * Arrays are mutable so the value can be passed straight to Pulumi's ManagementPolicy args.
 */
export interface AzureManagementPolicy {
  rules: AzureLifecycleRule[];
}

export interface AzureLifecycleRule {
  /** Alphanumeric, case-sensitive, unique within the policy. */
  name: string;
  enabled: boolean;
  type: 'Lifecycle';
  definition: {
    filters: AzureRuleFilters;
    actions: { baseBlob: AzureBaseBlobActions };
  };
}

export interface AzureRuleFilters {
  blobTypes: 'blockBlob'[];
  /** Each prefix starts with a container name; a blob matches if its `container/name` starts with any. */
  prefixMatch?: string[];
  /** All conditions must hold (logical AND). Azure supports only `==`. */
  blobIndexMatch?: AzureTagFilter[];
}

export interface AzureTagFilter {
  name: string;
  op: '==';
  value: string;
}

/** Exactly one of the two ages is set; the action is due once the age in days exceeds it. */
export interface AzureAgeCondition {
  daysAfterModificationGreaterThan?: number;
  daysAfterCreationGreaterThan?: number;
}

export interface AzureBaseBlobActions {
  tierToCool?: AzureAgeCondition;
  tierToCold?: AzureAgeCondition;
  tierToArchive?: AzureAgeCondition;
  delete?: AzureAgeCondition;
}

/** Rule name for a class: `retention` + class name with a capital first letter, + `Held` for the held variant. */
export function ruleNameForClass(className: string, held: boolean): string {
  const capitalised = className.charAt(0).toUpperCase() + className.slice(1);
  return `retention${capitalised}${held ? 'Held' : ''}`;
}

/** Checkpoints have their own rule; class names are lower case, so no class rule can take this name. */
export const CHECKPOINT_RULE_NAME = 'auditCheckpoints';

function tieringActions(tiers: TierSchedule): AzureBaseBlobActions {
  const actions: AzureBaseBlobActions = {};
  for (const tierName of COOLER_TIER_NAMES) {
    const step = tiers[tierName as CoolerTierName];
    if (step !== undefined) {
      actions[ACTION_OF_TIER_NAME[tierName]] = { daysAfterModificationGreaterThan: step.afterDays };
    }
  }
  return actions;
}

function rule(
  name: string,
  prefixes: readonly string[],
  tagValue: string | undefined,
  baseBlob: AzureBaseBlobActions,
): AzureLifecycleRule {
  const filters: AzureRuleFilters = {
    blobTypes: ['blockBlob'],
    prefixMatch: prefixes.map((container) => `${container}/`),
  };
  if (tagValue !== undefined) {
    filters.blobIndexMatch = [{ name: RETENTION_TAG, op: '==', value: tagValue }];
  }
  return { name, enabled: true, type: 'Lifecycle', definition: { filters, actions: { baseBlob } } };
}

/**
 * Translates the retention policy into the storage account's lifecycle management policy.
 *
 * Per class `c`, in declaration order:
 * - `retention<C>` selects blobs tagged `retention=c` in the classified containers and tiers and
 *   deletes them on the class's schedule (age = days since last modification);
 * - `retention<C>Held` selects `retention=c.held` (a legal hold applies) and tiers them on the same
 *   schedule but has no delete action, so Azure never deletes a held blob. It is omitted when the
 *   class has no tiers, because a rule must carry at least one action.
 * Then `auditCheckpoints` tiers the checkpoint container; its delete action is left out while any
 * legal hold is active, since held data stays verifiable only as long as its checkpoints exist.
 *
 * Precondition: `policy` came from loadRetentionPolicy (the loader also checks that this output
 * passes validateAzureManagementPolicy).
 */
export function generateAzureManagementPolicy(policy: RetentionPolicy): AzureManagementPolicy {
  const rules: AzureLifecycleRule[] = [];
  for (const [className, retentionClass] of Object.entries(policy.classes)) {
    const tiering = tieringActions(retentionClass.tiers);
    rules.push(
      rule(ruleNameForClass(className, false), CLASSIFIED_CONTAINERS, className, {
        ...tiering,
        delete: { daysAfterModificationGreaterThan: retentionClass.delete.afterDays },
      }),
    );
    if (Object.keys(tiering).length > 0) {
      rules.push(
        rule(
          ruleNameForClass(className, true),
          CLASSIFIED_CONTAINERS,
          `${className}${HELD_SUFFIX}`,
          tiering,
        ),
      );
    }
  }

  const checkpointActions = tieringActions(policy.checkpoints.tiers);
  const anyActiveHold = policy.legalHolds.some((hold) => hold.releasedAt === undefined);
  if (policy.checkpoints.delete !== null && !anyActiveHold) {
    checkpointActions.delete = {
      daysAfterModificationGreaterThan: policy.checkpoints.delete.afterDays,
    };
  }
  if (Object.keys(checkpointActions).length > 0) {
    rules.push(rule(CHECKPOINT_RULE_NAME, [CHECKPOINT_CONTAINER], undefined, checkpointActions));
  }
  return { rules };
}
