import { generateAzureManagementPolicy } from './azure-policy';
import { validateAzureManagementPolicy } from './azure-validate';
import { IssueList, field, readInteger, readObject, readString, rejectUnknownKeys } from './check';
import { AzureManagementPolicyError, RetentionPolicyError } from './errors';
import type { RetentionPolicy } from './types';
import { readAssignment } from './validate-assignment';
import { readLegalHolds } from './validate-holds';
import { readCheckpoints, readClass } from './validate-schedule';

/**
 * A detached copy with optional containers filled in, so callers never see the input object (or
 * its later mutations) and never need to default `tiers` or `legalHolds` themselves.
 * Precondition: `root` passed validation.
 */
function normalise(root: Record<string, unknown>): RetentionPolicy {
  const copy = structuredClone(root) as {
    classes: Record<string, { tiers?: object }>;
    legalHolds?: unknown[];
    checkpoints: { tiers?: object };
  };
  for (const retentionClass of Object.values(copy.classes)) {
    retentionClass.tiers ??= {};
  }
  copy.legalHolds ??= [];
  copy.checkpoints.tiers ??= {};
  return copy as unknown as RetentionPolicy;
}

/**
 * Validates a retention policy document (normally lifecycle/policy.json) and returns it typed.
 * Collects every problem and throws one RetentionPolicyError whose `issues` name the field and the
 * rule broken, e.g. `classes.standard.tiers.cold.afterDays: must be >= tiers.cool.afterDays (30)`.
 *
 * Beyond shape, it refuses schedules Azure would bill or reject: a blob leaving a tier before the
 * tier's early-deletion minimum (Cool 30, Cold 90, Archive 180 days), tiers out of order, a hot
 * window longer than the first move, checkpoints deleted before the longest-lived class or sent to
 * Archive, and any policy whose generated management policy breaks Azure's limits.
 */
export function loadRetentionPolicy(json: unknown): RetentionPolicy {
  const issues = new IssueList();
  const root = readObject(json, '', issues);
  if (root === undefined) throw new RetentionPolicyError(issues.items);
  rejectUnknownKeys(
    root,
    [
      '$comment',
      'version',
      'description',
      'classes',
      'assignment',
      'legalHolds',
      'checkpoints',
      'holdMatching',
    ],
    '',
    issues,
  );
  if (root.version !== 1) issues.add('version', 'must be 1');
  if (root.description !== undefined) readString(root.description, 'description', issues);

  const classes = readObject(root.classes, 'classes', issues);
  const classNames = classes === undefined ? [] : Object.keys(classes);
  let longest: { name: string; deleteDays: number } | undefined;
  if (classes !== undefined) {
    if (classNames.length === 0) issues.add('classes', 'must define at least one class');
    for (const name of classNames) {
      const summary = readClass(name, classes[name], field('classes', name), issues);
      if (
        summary !== undefined &&
        (longest === undefined || summary.deleteDays > longest.deleteDays)
      ) {
        longest = { name, deleteDays: summary.deleteDays };
      }
    }
  }

  readAssignment(root.assignment, issues, classNames);
  readLegalHolds(root.legalHolds ?? [], issues);
  readCheckpoints(root.checkpoints, issues, longest);

  const holdMatching = readObject(root.holdMatching, 'holdMatching', issues);
  if (holdMatching !== undefined) {
    rejectUnknownKeys(holdMatching, ['segmentMarginHours'], 'holdMatching', issues);
    readInteger(holdMatching.segmentMarginHours, 'holdMatching.segmentMarginHours', issues, 0);
  }

  if (issues.count > 0) throw new RetentionPolicyError(issues.items);

  const policy = normalise(root);
  try {
    validateAzureManagementPolicy(generateAzureManagementPolicy(policy));
  } catch (error) {
    if (!(error instanceof AzureManagementPolicyError)) throw error;
    throw new RetentionPolicyError(
      error.issues.map((issue) => ({
        path: '(generated management policy)',
        message: `${issue.path}: ${issue.message}`,
      })),
    );
  }
  return policy;
}
