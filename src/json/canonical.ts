import { memberPlanOf } from './member-plan';
import { quoteJsonString } from './quote';

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization: object keys sorted by UTF-16 code units, no
 * whitespace, ECMAScript number and string formatting. The leaf hash covers these bytes, so any verifier
 * that re-serializes a record the same way recomputes the same hash.
 *
 * Precondition: the value is plain JSON data (no undefined inside arrays, no functions, finite numbers);
 * object properties whose value is undefined are omitted, as JSON.stringify does.
 *
 * It sits on the ingest hot path, so it avoids work where it can: the sorted order and quoted keys of
 * each object shape are computed once (member-plan.ts), and strings that need no escaping are quoted
 * directly. The output, and the error thrown for a value it refuses, are those of the plain algorithm
 * (sort each object's Object.keys(), recurse in that order) for every input; test/json/canonical.test.ts
 * checks this against that algorithm.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoteJsonString(value);
    case 'number':
      return numberJson(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? arrayJson(value) : objectJson(value as Record<string, unknown>);
    default:
      throw new TypeError(`cannot canonicalize a value of type ${typeof value}`);
  }
}

function numberJson(value: number): string {
  if (!Number.isFinite(value)) {
    throw new TypeError(`cannot canonicalize non-finite number ${value}`);
  }
  // For a finite number, string concatenation and JSON.stringify both apply Number::toString (so -0
  // becomes "0"), which is the RFC 8785 number format; concatenation is the cheaper call.
  return '' + value;
}

function arrayJson(items: readonly unknown[]): string {
  if (items.length === 0) return '[]';
  let out = '[' + canonicalJson(items[0]);
  for (let i = 1; i < items.length; i++) {
    out += ',' + canonicalJson(items[i]);
  }
  return out + ']';
}

function objectJson(record: Record<string, unknown>): string {
  const plan = memberPlanOf(Object.keys(record));
  const keys = plan.keys;
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const item = record[keys[i] as string];
    if (item === undefined) continue;
    out += (out === '' ? plan.opening[i] : plan.following[i]) + canonicalJson(item);
  }
  return out === '' ? '{}' : out + '}';
}
