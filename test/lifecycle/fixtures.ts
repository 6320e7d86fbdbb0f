import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRetentionPolicy, type BlobFacts, type RetentionPolicy } from '../../lifecycle';

export const DAY_MS = 86_400_000;
export const DATA_DIR = join(__dirname, '..', 'data', 'lifecycle');

export function readData(name: string): unknown {
  return JSON.parse(readFileSync(join(DATA_DIR, name), 'utf8'));
}

/** A fresh, mutable copy of test/data/lifecycle/policy.fixture.json. */
export function fixturePolicyJson(): Record<string, unknown> {
  return readData('policy.fixture.json') as Record<string, unknown>;
}

export function fixturePolicy(): RetentionPolicy {
  return loadRetentionPolicy(fixturePolicyJson());
}

function walk(document: unknown, path: string): { parent: Record<string, unknown>; key: string } {
  const keys = path.split('.');
  let node = document as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null)
      throw new Error(`no object at ${key} in ${path}`);
    node = next as Record<string, unknown>;
  }
  return { parent: node, key: keys[keys.length - 1] as string };
}

/** Applies dotted-path edits (array indices as path segments) to a JSON document in place. */
export function applyEdits(
  document: unknown,
  set: Readonly<Record<string, unknown>> = {},
  unset: readonly string[] = [],
): void {
  for (const [path, value] of Object.entries(set)) {
    const { parent, key } = walk(document, path);
    parent[key] = value;
  }
  for (const path of unset) {
    const { parent, key } = walk(document, path);
    delete parent[key];
  }
}

/** An archive segment in Hot, created and last written at `written`, tagged with `retention`. */
export function segment(
  name: string,
  written: Date,
  retention: string | undefined,
  overrides: Partial<BlobFacts> = {},
): BlobFacts {
  return {
    container: 'audit-archive',
    name,
    tier: 'Hot',
    createdOn: written,
    lastModified: written,
    tags: retention === undefined ? {} : { retention },
    sizeBytes: 1024,
    ...overrides,
  };
}

export function daysAfter(start: Date, days: number): Date {
  return new Date(start.getTime() + days * DAY_MS);
}
