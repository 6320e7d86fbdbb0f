import { QUERY_FIELDS, type QueryColumn } from './ql-fields';
import type { CmpExpr, Expr } from './ql-types';

/** Azure Table allows at most 15 discrete comparisons in one $filter. */
export const MAX_ODATA_COMPARISONS = 15;

export interface ODataOptions {
  /**
   * Comparisons this filter may use; pass 15 minus the comparisons the caller adds itself (for
   * example PartitionKey and RowKey bounds). Defaults to 15.
   */
  readonly maxComparisons?: number;
}

const INT64_COLUMNS = new Set<QueryColumn>(
  QUERY_FIELDS.filter((field) => field.edmType === 'Edm.Int64').map((field) => field.column),
);

/**
 * The part of `expr` Azure Table can evaluate server-side, as an OData `$filter`, or undefined when no
 * part can be. Every row matching `expr` matches the result (it is implied by `expr`), so the caller
 * reads with this filter and then applies `evaluate(expr, row)` to each row.
 *
 * What is left out: `contains` (no such operator in Table OData); `not`, because Azure and Azurite may
 * treat a missing property differently under negation than `evaluate` does; an `or` with any operand
 * left out; and comparisons beyond the budget, so a large query never trips the 15-comparison limit.
 */
export function toODataFilter(expr: Expr, options: ODataOptions = {}): string | undefined {
  const pushable = odataSubset(expr, options);
  return pushable === undefined ? undefined : render(pushable, false);
}

/** The expression toODataFilter renders: the expressible part of `expr`, implied by it, or undefined. */
export function odataSubset(expr: Expr, options: ODataOptions = {}): Expr | undefined {
  return implied(expr, { left: options.maxComparisons ?? MAX_ODATA_COMPARISONS });
}

/** The largest expressible expression implied by `expr` within the comparison budget (spends from it). */
function implied(expr: Expr, budget: { left: number }): Expr | undefined {
  switch (expr.kind) {
    case 'cmp':
      if (!expressible(expr) || budget.left < 1) return undefined;
      budget.left -= 1;
      return expr;
    case 'not':
      return undefined;
    case 'and': {
      const items = expr.items.flatMap((item) => implied(item, budget) ?? []);
      if (items.length === 0) return undefined;
      return items.length === 1 ? items[0] : { kind: 'and', items };
    }
    case 'or': {
      // All operands or nothing: dropping one operand of an OR would exclude the rows only it admits.
      const trial = { left: budget.left };
      const items: Expr[] = [];
      for (const item of expr.items) {
        const part = implied(item, trial);
        if (part === undefined) return undefined;
        items.push(part);
      }
      budget.left = trial.left;
      return { kind: 'or', items };
    }
  }
}

function expressible(cmp: CmpExpr): boolean {
  if (cmp.op === 'contains') return false;
  // Only whole numbers: OData has no literal for NaN or Infinity, and String(1e21) is not an OData literal.
  return typeof cmp.value === 'string' || Number.isSafeInteger(cmp.value);
}

function render(expr: Expr, nested: boolean): string {
  switch (expr.kind) {
    case 'cmp':
      return `${expr.field} ${expr.op} ${literal(expr)}`;
    case 'and':
    case 'or': {
      const joined = expr.items.map((item) => render(item, true)).join(` ${expr.kind} `);
      return nested ? `(${joined})` : joined;
    }
    case 'not':
      throw new TypeError('not is never pushed down');
  }
}

/** Strings in single quotes with '' for a quote; Int64 columns get the L suffix Azure Table requires. */
function literal(cmp: CmpExpr): string {
  if (typeof cmp.value === 'string') return `'${cmp.value.replace(/'/g, "''")}'`;
  return INT64_COLUMNS.has(cmp.field) ? `${cmp.value}L` : String(cmp.value);
}
