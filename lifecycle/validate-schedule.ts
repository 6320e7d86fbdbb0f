/** Validation of retention classes and checkpoint retention: schedules, tier order, early-deletion minimums. */
import { IssueList, field, readInteger, readObject, readString, rejectUnknownKeys } from './check';
import { COOLER_TIER_NAMES, EARLY_DELETION_MINIMUM_DAYS, TIER_OF_NAME } from './tiers';
import type { CoolerTierName } from './types';

// Class names become rule names (`retention<Name>`) and tag values, so they stay lower-case alphanumeric.
const CLASS_NAME = /^[a-z][a-z0-9]{0,31}$/;

/** One step of a class's schedule: a tier move or the deletion, at `days` since modification. */
interface Step {
  readonly label: string;
  readonly path: string;
  readonly days: number;
  readonly tier?: CoolerTierName;
}

/**
 * Reads `{ cool?, cold?, archive? }` (only `allowedTiers`) and returns the steps present, warmest first.
 */
function readTierSteps(
  value: unknown,
  path: string,
  issues: IssueList,
  allowedTiers: readonly CoolerTierName[],
  notAllowedReason: string,
): Step[] | undefined {
  const tiers = readObject(value, path, issues);
  if (tiers === undefined) return undefined;
  for (const key of Object.keys(tiers)) {
    if ((COOLER_TIER_NAMES as readonly string[]).includes(key)) {
      if (!allowedTiers.includes(key as CoolerTierName)) {
        issues.add(field(path, key), `not allowed: ${notAllowedReason}`);
      }
    } else {
      issues.add(field(path, key), `unknown field (allowed: ${allowedTiers.join(', ')})`);
    }
  }
  const steps: Step[] = [];
  let complete = true;
  for (const tier of allowedTiers) {
    if (tiers[tier] === undefined) continue;
    const stepPath = field(path, tier);
    const step = readObject(tiers[tier], stepPath, issues);
    if (step === undefined) {
      complete = false;
      continue;
    }
    rejectUnknownKeys(step, ['afterDays'], stepPath, issues);
    const days = readInteger(step.afterDays, field(stepPath, 'afterDays'), issues, 0);
    if (days === undefined) {
      complete = false;
      continue;
    }
    steps.push({
      label: `tiers.${tier}.afterDays`,
      path: field(stepPath, 'afterDays'),
      days,
      tier,
    });
  }
  return complete ? steps : undefined;
}

/**
 * Checks that the steps run in order and that no blob leaves a tier before the tier's
 * early-deletion minimum. A step followed by one on the same day never runs (Azure applies the
 * cheaper action), so it starts no early-deletion clock.
 * Returns false if the order is broken (later checks would only repeat the same mistake).
 */
function checkSchedule(steps: readonly Step[], issues: IssueList): boolean {
  let ordered = true;
  for (let index = 1; index < steps.length; index += 1) {
    const previous = steps[index - 1] as Step;
    const step = steps[index] as Step;
    if (step.days < previous.days) {
      issues.add(step.path, `must be >= ${previous.label} (${previous.days})`);
      ordered = false;
    }
  }
  if (!ordered) return false;

  const effective = steps.filter(
    (step, index) => (steps[index + 1]?.days ?? Number.POSITIVE_INFINITY) > step.days,
  );
  for (let index = 1; index < effective.length; index += 1) {
    const previous = effective[index - 1] as Step;
    const step = effective[index] as Step;
    if (previous.tier === undefined) continue;
    const tier = TIER_OF_NAME[previous.tier];
    const minimum = EARLY_DELETION_MINIMUM_DAYS[tier];
    if (step.days - previous.days < minimum) {
      issues.add(
        step.path,
        `must be >= ${previous.label} + ${minimum} (${previous.days + minimum}): ` +
          `a blob leaving ${tier} sooner pays ${tier}'s early-deletion charge`,
      );
    }
  }
  return true;
}

interface ClassSummary {
  readonly deleteDays: number;
}

export function readClass(
  name: string,
  value: unknown,
  path: string,
  issues: IssueList,
): ClassSummary | undefined {
  if (!CLASS_NAME.test(name)) {
    issues.add(path, `class names must match ${CLASS_NAME.source}`);
  }
  const retentionClass = readObject(value, path, issues);
  if (retentionClass === undefined) return undefined;
  rejectUnknownKeys(retentionClass, ['description', 'hot', 'tiers', 'delete'], path, issues);
  if (retentionClass.description !== undefined) {
    readString(retentionClass.description, field(path, 'description'), issues);
  }

  const hotPath = field(path, 'hot');
  const hot = readObject(retentionClass.hot, hotPath, issues);
  let hotDays: number | undefined;
  if (hot !== undefined) {
    rejectUnknownKeys(hot, ['days'], hotPath, issues);
    hotDays = readInteger(hot.days, field(hotPath, 'days'), issues, 1);
  }

  const tierSteps = readTierSteps(
    retentionClass.tiers ?? {},
    field(path, 'tiers'),
    issues,
    COOLER_TIER_NAMES,
    '',
  );

  const deletePath = field(path, 'delete');
  const deletion = readObject(retentionClass.delete, deletePath, issues);
  let deleteDays: number | undefined;
  if (deletion !== undefined) {
    rejectUnknownKeys(deletion, ['afterDays'], deletePath, issues);
    deleteDays = readInteger(deletion.afterDays, field(deletePath, 'afterDays'), issues, 1);
  }

  if (tierSteps === undefined || deleteDays === undefined) return undefined;
  const steps: Step[] = [
    ...tierSteps,
    { label: 'delete.afterDays', path: field(deletePath, 'afterDays'), days: deleteDays },
  ];
  checkSchedule(steps, issues);

  // Events leave the hot Table before their segment leaves the Hot tier: while an event is hot,
  // queries, proofs and verification may read its segment, and reads from cooler tiers are billed
  // per GB; and the segment must still exist when the Table hands the event off.
  const first = steps[0] as Step;
  if (hotDays !== undefined && hotDays > first.days) {
    issues.add(field(hotPath, 'days'), `must be <= ${first.label} (${first.days})`);
  }
  return { deleteDays };
}

export function readCheckpoints(
  value: unknown,
  issues: IssueList,
  longest: { name: string; deleteDays: number } | undefined,
): void {
  const checkpoints = readObject(value, 'checkpoints', issues);
  if (checkpoints === undefined) return;
  rejectUnknownKeys(checkpoints, ['tiers', 'delete'], 'checkpoints', issues);
  const steps = readTierSteps(
    checkpoints.tiers ?? {},
    'checkpoints.tiers',
    issues,
    ['cool', 'cold'],
    'checkpoints must stay online, because verification reads them',
  );
  if (checkpoints.delete === undefined) {
    issues.add(
      'checkpoints.delete',
      'is required ({ "afterDays": n }, or null to keep checkpoints forever)',
    );
    return;
  }
  if (checkpoints.delete === null) return;
  const deletion = readObject(checkpoints.delete, 'checkpoints.delete', issues);
  if (deletion === undefined) return;
  rejectUnknownKeys(deletion, ['afterDays'], 'checkpoints.delete', issues);
  const deleteDays = readInteger(deletion.afterDays, 'checkpoints.delete.afterDays', issues, 1);
  if (deleteDays === undefined) return;
  if (longest !== undefined && deleteDays < longest.deleteDays) {
    issues.add(
      'checkpoints.delete.afterDays',
      `must be >= the longest class's delete.afterDays (${longest.deleteDays}, class ${longest.name}): ` +
        'archived events stay verifiable only while their checkpoints exist',
    );
  }
  if (steps !== undefined) {
    checkSchedule(
      [
        ...steps,
        { label: 'delete.afterDays', path: 'checkpoints.delete.afterDays', days: deleteDays },
      ],
      issues,
    );
  }
}
