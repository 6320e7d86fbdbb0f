import type { ValidationIssue } from './errors';

/** Collects every problem in a document instead of stopping at the first one. */
export class IssueList {
  readonly items: ValidationIssue[] = [];

  add(path: string, message: string): void {
    this.items.push({ path: path === '' ? '(root)' : path, message });
  }

  get count(): number {
    return this.items.length;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function field(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function item(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** Reports keys outside `allowed`: a misspelt field would otherwise be silently ignored. */
export function rejectUnknownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  issues: IssueList,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      issues.add(field(path, key), `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
}

export function readObject(
  value: unknown,
  path: string,
  issues: IssueList,
): Record<string, unknown> | undefined {
  if (value === undefined) {
    issues.add(path, 'is required');
    return undefined;
  }
  if (!isRecord(value)) {
    issues.add(path, 'must be an object');
    return undefined;
  }
  return value;
}

export function readArray(
  value: unknown,
  path: string,
  issues: IssueList,
): readonly unknown[] | undefined {
  if (value === undefined) {
    issues.add(path, 'is required');
    return undefined;
  }
  if (!Array.isArray(value)) {
    issues.add(path, 'must be an array');
    return undefined;
  }
  return value;
}

export function readInteger(
  value: unknown,
  path: string,
  issues: IssueList,
  minimum: number,
): number | undefined {
  if (value === undefined) {
    issues.add(path, 'is required');
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    issues.add(path, `must be an integer >= ${minimum}`);
    return undefined;
  }
  return value;
}

export function readString(value: unknown, path: string, issues: IssueList): string | undefined {
  if (value === undefined) {
    issues.add(path, 'is required');
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    issues.add(path, 'must be a non-empty string');
    return undefined;
  }
  return value;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp with an explicit offset: retention arithmetic must not depend on the host's time zone. */
export function readTimestamp(value: unknown, path: string, issues: IssueList): Date | undefined {
  const text = readString(value, path, issues);
  if (text === undefined) return undefined;
  const parsed = Date.parse(text);
  if (!RFC3339.test(text) || Number.isNaN(parsed)) {
    issues.add(
      path,
      `must be an RFC 3339 timestamp with offset, e.g. 2026-01-31T00:00:00Z (got "${text}")`,
    );
    return undefined;
  }
  return new Date(parsed);
}
