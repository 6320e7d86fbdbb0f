/** Validation of the assignment rules that map tenants and event types to classes. */
import {
  IssueList,
  field,
  item,
  readArray,
  readObject,
  readString,
  rejectUnknownKeys,
} from './check';

function readStringList(
  value: unknown,
  path: string,
  issues: IssueList,
): readonly string[] | undefined {
  const list = readArray(value, path, issues);
  if (list === undefined) return undefined;
  if (list.length === 0) {
    issues.add(path, 'must not be empty (omit the field to match any)');
    return undefined;
  }
  const strings: string[] = [];
  list.forEach((entry, index) => {
    const text = readString(entry, item(path, index), issues);
    if (text !== undefined) strings.push(text);
  });
  return strings;
}

export function checkTenant(value: unknown, path: string, issues: IssueList): void {
  const tenant = readString(value, path, issues);
  if (tenant !== undefined && tenant.includes('/')) {
    issues.add(path, 'must not contain "/" (tenant ids are the first segment of blob names)');
  }
}

function classList(classNames: readonly string[]): string {
  return classNames.join(', ');
}

function checkClassReference(
  value: unknown,
  path: string,
  issues: IssueList,
  classNames: readonly string[],
): void {
  const name = readString(value, path, issues);
  if (name !== undefined && !classNames.includes(name)) {
    issues.add(path, `unknown class "${name}" (classes: ${classList(classNames)})`);
  }
}

export function readAssignment(
  value: unknown,
  issues: IssueList,
  classNames: readonly string[],
): void {
  const assignment = readObject(value, 'assignment', issues);
  if (assignment === undefined) return;
  rejectUnknownKeys(assignment, ['rules', 'defaultClass'], 'assignment', issues);
  const rules = readArray(assignment.rules, 'assignment.rules', issues);
  const seenIds = new Set<string>();
  rules?.forEach((entry, index) => {
    const path = item('assignment.rules', index);
    const rule = readObject(entry, path, issues);
    if (rule === undefined) return;
    rejectUnknownKeys(rule, ['id', 'tenants', 'eventTypes', 'class'], path, issues);
    const id = readString(rule.id, field(path, 'id'), issues);
    if (id !== undefined) {
      if (seenIds.has(id)) issues.add(field(path, 'id'), `duplicates an earlier rule id ("${id}")`);
      seenIds.add(id);
    }
    if (rule.tenants !== undefined) {
      const tenants = readStringList(rule.tenants, field(path, 'tenants'), issues);
      tenants?.forEach((tenant, tenantIndex) =>
        checkTenant(tenant, item(field(path, 'tenants'), tenantIndex), issues),
      );
    }
    if (rule.eventTypes !== undefined) {
      readStringList(rule.eventTypes, field(path, 'eventTypes'), issues);
    }
    checkClassReference(rule.class, field(path, 'class'), issues, classNames);
  });
  checkClassReference(assignment.defaultClass, 'assignment.defaultClass', issues, classNames);
}
