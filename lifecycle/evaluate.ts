import {
  generateAzureManagementPolicy,
  type AzureAgeCondition,
  type AzureLifecycleRule,
  type AzureManagementPolicy,
} from './azure-policy';
import { isAzureManagementPolicyShape, validateAzureManagementPolicy } from './azure-validate';
import { holdsForSegment } from './holds';
import {
  CLASSIFIED_CONTAINERS,
  HELD_SUFFIX,
  LEGAL_HOLD_TAG,
  RETENTION_TAG,
  parseSegmentName,
} from './layout';
import { parseRetentionTag } from './tags';
import {
  ACTIONS_CHEAPEST_FIRST,
  EARLY_DELETION_MINIMUM_DAYS,
  TARGET_TIER,
  isColder,
  type LifecycleActionName,
} from './tiers';
import type { BlobTier, RetentionPolicy } from './types';

const DAY_MS = 86_400_000;

/** What the evaluator needs to know about one blob (BlobItem properties plus its index tags). */
export interface BlobFacts {
  readonly container: string;
  readonly name: string;
  readonly tier: BlobTier;
  readonly createdOn: Date;
  readonly lastModified: Date;
  /** When the blob last changed tier (accessTierChangedOn); absent if it never did. */
  readonly tierChangedOn?: Date;
  readonly tags: Readonly<Record<string, string>>;
  readonly sizeBytes: number;
}

/** The pro-rata charge Azure levies when a blob leaves a tier before the tier's minimum days. */
export interface EarlyDeletion {
  readonly tier: BlobTier;
  readonly daysInTier: number;
  readonly minimumDays: number;
  readonly chargeableDays: number;
}

export type BlockedBy = 'legal-hold' | 'early-deletion';

/**
 * One thing lifecycle management does (or would do) to a blob. An action with `blockedBy` is
 * reported, never performed: executors skip it.
 */
export interface LifecycleAction {
  readonly blob: BlobFacts;
  readonly action: LifecycleActionName;
  /** The management policy rule whose condition is due. */
  readonly rule: string;
  readonly reason: string;
  readonly blockedBy?: BlockedBy;
  /** Ids of the legal holds behind a `legal-hold` block, as far as they are known. */
  readonly legalHolds?: readonly string[];
  /** Set when the action takes the blob out of Cool, Cold or Archive before the tier's minimum. */
  readonly earlyDeletion?: EarlyDeletion;
}

/**
 * `charge` (the default) does what Azure does: the action runs and the early-deletion charge is
 * reported. `defer` blocks the action with `blockedBy: 'early-deletion'` until the minimum is met.
 */
export type EarlyDeletionMode = 'charge' | 'defer';

export interface EvaluateOptions {
  readonly earlyDeletion?: EarlyDeletionMode;
}

interface Due {
  readonly action: LifecycleActionName;
  readonly rule: string;
  readonly reason: string;
}

function ageInDays(since: Date, now: Date): number {
  return (now.getTime() - since.getTime()) / DAY_MS;
}

function ageOf(
  condition: AzureAgeCondition,
  blob: BlobFacts,
  now: Date,
): { days: number; threshold: number; basis: string } {
  if (condition.daysAfterCreationGreaterThan !== undefined) {
    return {
      days: ageInDays(blob.createdOn, now),
      threshold: condition.daysAfterCreationGreaterThan,
      basis: 'creation',
    };
  }
  return {
    days: ageInDays(blob.lastModified, now),
    threshold: condition.daysAfterModificationGreaterThan ?? Number.POSITIVE_INFINITY,
    basis: 'last modification',
  };
}

/**
 * Whether a rule's filters select the blob: enabled, `container/name` starting with one of the
 * prefixes (when any are given), and every blob index condition equal.
 */
export function ruleSelects(rule: AzureLifecycleRule, blob: BlobFacts): boolean {
  if (rule.enabled === false) return false;
  const { prefixMatch, blobIndexMatch } = rule.definition.filters;
  const path = `${blob.container}/${blob.name}`;
  if (
    prefixMatch !== undefined &&
    prefixMatch.length > 0 &&
    !prefixMatch.some((prefix) => path.startsWith(prefix))
  ) {
    return false;
  }
  return (blobIndexMatch ?? []).every((condition) => blob.tags[condition.name] === condition.value);
}

/**
 * The action Azure would take on the blob now: among every due action of every selecting rule,
 * the cheapest (delete, then tierToArchive, tierToCold, tierToCool); nothing if that is a move to
 * a tier the blob is already in or below. An action is due once the age in days (fractional,
 * from the timestamps) is strictly greater than the rule's number.
 */
function dueAction(
  rules: readonly AzureLifecycleRule[],
  blob: BlobFacts,
  now: Date,
): Due | undefined {
  let best: (Due & { rank: number }) | undefined;
  for (const rule of rules) {
    if (!ruleSelects(rule, blob)) continue;
    for (const action of ACTIONS_CHEAPEST_FIRST) {
      const condition = rule.definition.actions.baseBlob[action];
      if (condition === undefined) continue;
      const age = ageOf(condition, blob, now);
      if (!(age.days > age.threshold)) continue;
      const rank = ACTIONS_CHEAPEST_FIRST.indexOf(action);
      if (best === undefined || rank < best.rank) {
        best = {
          action,
          rule: rule.name,
          reason: `${rule.name}: ${age.days.toFixed(2)} days since ${age.basis} > ${age.threshold}`,
          rank,
        };
      }
    }
  }
  if (best === undefined) return undefined;
  const target = TARGET_TIER[best.action];
  if (target !== undefined && !isColder(target, blob.tier)) return undefined;
  return { action: best.action, rule: best.rule, reason: best.reason };
}

function withRetentionTag(blob: BlobFacts, value: string): BlobFacts {
  return { ...blob, tags: { ...blob.tags, [RETENTION_TAG]: value } };
}

function performed(due: Due, blob: BlobFacts, now: Date, mode: EarlyDeletionMode): LifecycleAction {
  const minimumDays = EARLY_DELETION_MINIMUM_DAYS[blob.tier];
  const daysInTier = ageInDays(blob.tierChangedOn ?? blob.createdOn, now);
  if (minimumDays === 0 || daysInTier >= minimumDays) {
    return { blob, action: due.action, rule: due.rule, reason: due.reason };
  }
  const earlyDeletion: EarlyDeletion = {
    tier: blob.tier,
    daysInTier,
    minimumDays,
    chargeableDays: minimumDays - daysInTier,
  };
  const stay = `early deletion from ${blob.tier} after ${daysInTier.toFixed(2)} of ${minimumDays} days`;
  return mode === 'defer'
    ? {
        blob,
        action: due.action,
        rule: due.rule,
        reason: `${due.reason}; deferred: ${stay}`,
        blockedBy: 'early-deletion',
        earlyDeletion,
      }
    : {
        blob,
        action: due.action,
        rule: due.rule,
        reason: `${due.reason}; ${stay}: ${earlyDeletion.chargeableDays.toFixed(2)} days charged`,
        earlyDeletion,
      };
}

function heldBack(
  due: Due,
  blob: BlobFacts,
  holdIds: readonly string[],
  why: string,
): LifecycleAction {
  return {
    blob,
    action: due.action,
    rule: due.rule,
    reason: `${due.reason}; ${why}`,
    blockedBy: 'legal-hold',
    legalHolds: holdIds,
  };
}

function policyHoldIds(retention: RetentionPolicy | undefined, blob: BlobFacts): string[] {
  if (retention === undefined || !CLASSIFIED_CONTAINERS.includes(blob.container)) return [];
  const location = parseSegmentName(blob.name);
  return location === undefined ? [] : holdsForSegment(retention, location).map((hold) => hold.id);
}

function evaluateBlob(
  rules: readonly AzureLifecycleRule[],
  retention: RetentionPolicy | undefined,
  blob: BlobFacts,
  now: Date,
  mode: EarlyDeletionMode,
): LifecycleAction[] {
  const decision = dueAction(rules, blob, now);
  const tag = parseRetentionTag(blob.tags[RETENTION_TAG]);
  const fromPolicy = policyHoldIds(retention, blob);

  if (tag?.held === true && decision?.action !== 'delete') {
    // Azure applies the `.held` rules, which never delete. Report the deletion they prevent.
    const actions: LifecycleAction[] = [];
    const unheld = dueAction(rules, withRetentionTag(blob, tag.className), now);
    if (unheld?.action === 'delete') {
      const fromTag = (blob.tags[LEGAL_HOLD_TAG] ?? '').split(' ').filter((id) => id !== '');
      const ids = [...new Set([...fromTag, ...fromPolicy])];
      const by =
        ids.length > 0
          ? `held by ${ids.join(', ')}`
          : `held (${RETENTION_TAG}=${tag.className}${HELD_SUFFIX})`;
      actions.push(heldBack(unheld, blob, ids, by));
    }
    if (decision !== undefined) actions.push(performed(decision, blob, now, mode));
    return actions;
  }

  if (decision?.action === 'delete' && fromPolicy.length > 0) {
    // The policy holds the blob but its tags do not say so yet: Azure would delete it.
    const actions: LifecycleAction[] = [
      heldBack(
        decision,
        blob,
        fromPolicy,
        `held by ${fromPolicy.join(', ')}, but the blob is not tagged ` +
          `${RETENTION_TAG}=${tag?.className ?? '<class>'}${HELD_SUFFIX}, so Azure would delete it`,
      ),
    ];
    if (tag !== undefined) {
      const asHeld = dueAction(
        rules,
        withRetentionTag(blob, `${tag.className}${HELD_SUFFIX}`),
        now,
      );
      if (asHeld !== undefined) actions.push(performed(asHeld, blob, now, mode));
    }
    return actions;
  }

  return decision === undefined ? [] : [performed(decision, blob, now, mode)];
}

/** The management policy to evaluate, and the retention policy behind it when there is one. */
export function resolvePolicies(policy: RetentionPolicy | AzureManagementPolicy): {
  azure: AzureManagementPolicy;
  retention: RetentionPolicy | undefined;
} {
  if (isAzureManagementPolicyShape(policy)) {
    return { azure: validateAzureManagementPolicy(policy), retention: undefined };
  }
  const retention = policy as RetentionPolicy;
  return { azure: generateAzureManagementPolicy(retention), retention };
}

/**
 * What Azure lifecycle management would do to these blobs at `now`, computed from the management
 * policy itself: pass the generated AzureManagementPolicy, or the RetentionPolicy (which is first
 * turned into that same management policy), so the local evaluation and Azure cannot drift.
 *
 * Mirrors Azure: rules select by prefix and `==` tags; an action is due once the age in days
 * exceeds its number; the cheapest due action wins; moves never go to a warmer tier. Blobs tagged
 * `<class>.held` get the held rules (no delete) and the prevented deletion is reported as blocked
 * by `legal-hold`. Given the RetentionPolicy, the evaluator also checks its legal holds against
 * each segment's name and blocks a deletion that Azure would perform because the blob's tags lag
 * behind the policy. Early deletion follows `options.earlyDeletion` (default `charge`, as Azure).
 * Does not mutate anything; executing the actions is the caller's job.
 */
export function evaluateLifecycle(
  policy: RetentionPolicy | AzureManagementPolicy,
  blobs: readonly BlobFacts[],
  now: Date,
  options: EvaluateOptions = {},
): LifecycleAction[] {
  const { azure, retention } = resolvePolicies(policy);
  const mode = options.earlyDeletion ?? 'charge';
  return blobs.flatMap((blob) => evaluateBlob(azure.rules, retention, blob, now, mode));
}
