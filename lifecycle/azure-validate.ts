import type { AzureManagementPolicy } from './azure-policy';
import {
  IssueList,
  field,
  isRecord,
  item,
  readArray,
  readInteger,
  readObject,
  rejectUnknownKeys,
} from './check';
import { AzureManagementPolicyError } from './errors';

/** Azure's published limits for a lifecycle management policy (learn.microsoft.com, lifecycle-management-policy-structure). */
export const AZURE_POLICY_LIMITS = {
  rules: 100,
  ruleNameLength: 256,
  prefixesPerRule: 10,
  tagConditionsPerRule: 10,
  tagNameLength: 128,
  tagValueLength: 256,
} as const;

const RULE_NAME = /^[A-Za-z0-9]+$/;
// Blob index tag keys and values: letters, digits, space, and + - . / : = _ (learn.microsoft.com, storage-manage-find-blobs).
const TAG_TEXT = /^[A-Za-z0-9 +\-./:=_]*$/;
const AGE_CONDITIONS = ['daysAfterModificationGreaterThan', 'daysAfterCreationGreaterThan'];
const BASE_BLOB_ACTIONS = ['tierToCool', 'tierToCold', 'tierToArchive', 'delete'];

/** Container names: 3-63 characters, lower-case letters, digits and single hyphens, starting and ending with a letter or digit. */
export function isValidContainerName(name: string): boolean {
  return /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(name);
}

function checkPrefix(prefix: unknown, path: string, issues: IssueList): void {
  if (typeof prefix !== 'string' || prefix === '') {
    issues.add(path, 'must be a non-empty string');
    return;
  }
  const container = prefix.split('/', 1)[0] ?? '';
  if (!isValidContainerName(container)) {
    issues.add(path, `must start with a container name (got "${prefix}")`);
  }
}

function checkTagFilter(value: unknown, path: string, issues: IssueList): void {
  const filter = readObject(value, path, issues);
  if (filter === undefined) return;
  rejectUnknownKeys(filter, ['name', 'op', 'value'], path, issues);
  const { name, op, value: tagValue } = filter;
  if (
    typeof name !== 'string' ||
    name.length < 1 ||
    name.length > AZURE_POLICY_LIMITS.tagNameLength ||
    !TAG_TEXT.test(name)
  ) {
    issues.add(
      field(path, 'name'),
      `must be 1-${AZURE_POLICY_LIMITS.tagNameLength} characters of letters, digits, space and + - . / : = _`,
    );
  }
  if (op !== '==') {
    issues.add(field(path, 'op'), `must be "==" (the only operator Azure supports)`);
  }
  if (
    typeof tagValue !== 'string' ||
    tagValue.length > AZURE_POLICY_LIMITS.tagValueLength ||
    !TAG_TEXT.test(tagValue)
  ) {
    issues.add(
      field(path, 'value'),
      `must be 0-${AZURE_POLICY_LIMITS.tagValueLength} characters of letters, digits, space and + - . / : = _`,
    );
  }
}

function checkFilters(value: unknown, path: string, issues: IssueList): void {
  const filters = readObject(value, path, issues);
  if (filters === undefined) return;
  rejectUnknownKeys(filters, ['blobTypes', 'prefixMatch', 'blobIndexMatch'], path, issues);

  const blobTypes = filters.blobTypes;
  if (!Array.isArray(blobTypes) || blobTypes.length !== 1 || blobTypes[0] !== 'blockBlob') {
    issues.add(
      field(path, 'blobTypes'),
      'must be ["blockBlob"]: archive segments are block blobs and the evaluator mirrors block blobs only',
    );
  }

  if (filters.prefixMatch !== undefined) {
    const prefixPath = field(path, 'prefixMatch');
    const prefixes = readArray(filters.prefixMatch, prefixPath, issues);
    if (prefixes !== undefined) {
      if (prefixes.length > AZURE_POLICY_LIMITS.prefixesPerRule) {
        issues.add(
          prefixPath,
          `has ${prefixes.length} prefixes, at most ${AZURE_POLICY_LIMITS.prefixesPerRule} are allowed`,
        );
      }
      prefixes.forEach((prefix, index) => checkPrefix(prefix, item(prefixPath, index), issues));
    }
  }

  if (filters.blobIndexMatch !== undefined) {
    const tagPath = field(path, 'blobIndexMatch');
    const conditions = readArray(filters.blobIndexMatch, tagPath, issues);
    if (conditions !== undefined) {
      if (conditions.length > AZURE_POLICY_LIMITS.tagConditionsPerRule) {
        issues.add(
          tagPath,
          `has ${conditions.length} conditions, at most ${AZURE_POLICY_LIMITS.tagConditionsPerRule} are allowed`,
        );
      }
      conditions.forEach((condition, index) =>
        checkTagFilter(condition, item(tagPath, index), issues),
      );
    }
  }
}

function checkAgeCondition(value: unknown, path: string, issues: IssueList): void {
  const condition = readObject(value, path, issues);
  if (condition === undefined) return;
  rejectUnknownKeys(condition, AGE_CONDITIONS, path, issues);
  const present = AGE_CONDITIONS.filter((key) => condition[key] !== undefined);
  if (present.length !== 1) {
    issues.add(path, `must set exactly one of ${AGE_CONDITIONS.join(', ')}`);
    return;
  }
  const key = present[0] as string;
  readInteger(condition[key], field(path, key), issues, 0);
}

function checkActions(value: unknown, path: string, issues: IssueList): void {
  const actions = readObject(value, path, issues);
  if (actions === undefined) return;
  rejectUnknownKeys(actions, ['baseBlob'], path, issues);
  const basePath = field(path, 'baseBlob');
  const baseBlob = readObject(actions.baseBlob, basePath, issues);
  if (baseBlob === undefined) return;
  rejectUnknownKeys(baseBlob, BASE_BLOB_ACTIONS, basePath, issues);
  const defined = BASE_BLOB_ACTIONS.filter((action) => baseBlob[action] !== undefined);
  if (defined.length === 0) {
    issues.add(basePath, `must define at least one of ${BASE_BLOB_ACTIONS.join(', ')}`);
  }
  for (const action of defined) {
    checkAgeCondition(baseBlob[action], field(basePath, action), issues);
  }
}

function checkRule(value: unknown, path: string, issues: IssueList, seen: Set<string>): void {
  const rule = readObject(value, path, issues);
  if (rule === undefined) return;
  rejectUnknownKeys(rule, ['name', 'enabled', 'type', 'definition'], path, issues);

  const name = rule.name;
  if (
    typeof name !== 'string' ||
    name.length > AZURE_POLICY_LIMITS.ruleNameLength ||
    !RULE_NAME.test(name)
  ) {
    issues.add(
      field(path, 'name'),
      `must be 1-${AZURE_POLICY_LIMITS.ruleNameLength} alphanumeric characters`,
    );
  } else if (seen.has(name)) {
    issues.add(field(path, 'name'), `duplicates the name of an earlier rule ("${name}")`);
  } else {
    seen.add(name);
  }
  if (rule.enabled !== undefined && typeof rule.enabled !== 'boolean') {
    issues.add(field(path, 'enabled'), 'must be a boolean');
  }
  if (rule.type !== 'Lifecycle') {
    issues.add(field(path, 'type'), 'must be "Lifecycle"');
  }

  const definitionPath = field(path, 'definition');
  const definition = readObject(rule.definition, definitionPath, issues);
  if (definition === undefined) return;
  rejectUnknownKeys(definition, ['filters', 'actions'], definitionPath, issues);
  checkFilters(definition.filters, field(definitionPath, 'filters'), issues);
  checkActions(definition.actions, field(definitionPath, 'actions'), issues);
}

/**
 * Checks a management policy against Azure's limits (at most 100 rules, 10 prefixes and 10 tag
 * conditions per rule, prefixes starting with a container name, `==` only) and against the subset
 * evaluateLifecycle mirrors (block blobs, base-blob tiering and deletion by days since modification
 * or creation). Returns the same value typed; throws AzureManagementPolicyError listing every problem.
 */
export function validateAzureManagementPolicy(value: unknown): AzureManagementPolicy {
  const issues = new IssueList();
  const policy = readObject(value, '', issues);
  if (policy !== undefined) {
    rejectUnknownKeys(policy, ['rules'], '', issues);
    const rules = readArray(policy.rules, 'rules', issues);
    if (rules !== undefined) {
      if (rules.length === 0) {
        issues.add('rules', 'must contain at least one rule');
      }
      if (rules.length > AZURE_POLICY_LIMITS.rules) {
        issues.add(
          'rules',
          `has ${rules.length} rules, at most ${AZURE_POLICY_LIMITS.rules} are allowed`,
        );
      }
      const seen = new Set<string>();
      rules.forEach((rule, index) => checkRule(rule, item('rules', index), issues, seen));
    }
  }
  if (issues.count > 0) throw new AzureManagementPolicyError(issues.items);
  return value as AzureManagementPolicy;
}

export function isAzureManagementPolicyShape(value: unknown): boolean {
  return isRecord(value) && Array.isArray(value.rules);
}
