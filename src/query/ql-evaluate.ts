import type { CmpExpr, Expr } from './ql-types';

/**
 * Whether a hot-store row (entity columns by name) matches `expr`, with the semantics the OData pushdown
 * has, so reading with `toODataFilter(expr)` and then keeping rows where this is true is the same as
 * evaluating `expr` alone:
 * - a comparison with a missing (undefined or null) column is false, whatever the operator;
 * - strings compare exactly and case-sensitively, ordered by UTF-16 code units;
 * - `contains` is a case-insensitive substring test; on an array column, any element may match;
 * - numeric comparisons accept numbers, bigints, numeric strings and `{ value, type }` Edm objects, as
 *   `@azure/data-tables` may return them.
 */
export function evaluate(expr: Expr, row: Readonly<Record<string, unknown>>): boolean {
  switch (expr.kind) {
    case 'and':
      return expr.items.every((item) => evaluate(item, row));
    case 'or':
      return expr.items.some((item) => evaluate(item, row));
    case 'not':
      return !evaluate(expr.item, row);
    case 'cmp':
      return compare(expr, unwrapEdm(row[expr.field]));
  }
}

function unwrapEdm(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'value' in value) {
    return (value as { value: unknown }).value;
  }
  return value;
}

function compare(cmp: CmpExpr, actual: unknown): boolean {
  if (actual === undefined || actual === null) return false;
  if (cmp.op === 'contains') {
    const needle = String(cmp.value).toLowerCase();
    const haystacks = Array.isArray(actual) ? actual : [actual];
    return haystacks.some(
      (item) => typeof item === 'string' && item.toLowerCase().includes(needle),
    );
  }
  if (Array.isArray(actual)) return cmp.op === 'eq' && actual.some((item) => item === cmp.value);
  const order =
    typeof cmp.value === 'number'
      ? compareNumbers(actual, cmp.value)
      : compareStrings(actual, cmp.value);
  if (order === undefined) return false;
  switch (cmp.op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}

/** Sign of actual - expected, or undefined when `actual` is not a number. */
function compareNumbers(actual: unknown, expected: number): number | undefined {
  let value: number | bigint;
  if (typeof actual === 'number') value = actual;
  else if (typeof actual === 'bigint') value = actual;
  else if (typeof actual === 'string' && /^-?\d+(\.\d+)?$/.test(actual))
    value = /\./.test(actual) ? Number(actual) : BigInt(actual);
  else return undefined;
  if (Number.isNaN(value)) return undefined;
  if (typeof value === 'bigint' && Number.isInteger(expected)) {
    const target = BigInt(expected);
    return value === target ? 0 : value > target ? 1 : -1;
  }
  const numeric = Number(value);
  return numeric === expected ? 0 : numeric > expected ? 1 : -1;
}

function compareStrings(actual: unknown, expected: string): number | undefined {
  if (typeof actual !== 'string') return undefined;
  return actual === expected ? 0 : actual > expected ? 1 : -1;
}
