import type { QueryColumn } from './ql-fields';

export type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains';

/** One comparison of an entity column with a constant. Numeric columns always carry a number. */
export interface CmpExpr {
  readonly kind: 'cmp';
  readonly field: QueryColumn;
  readonly op: CmpOp;
  readonly value: string | number;
}

export interface AndExpr {
  readonly kind: 'and';
  /** At least two operands, none of them itself an `and`. */
  readonly items: readonly Expr[];
}

export interface OrExpr {
  readonly kind: 'or';
  /** At least two operands, none of them itself an `or`. */
  readonly items: readonly Expr[];
}

export interface NotExpr {
  readonly kind: 'not';
  readonly item: Expr;
}

export type Expr = AndExpr | OrExpr | NotExpr | CmpExpr;

/**
 * What a query asks for. `from` is inclusive and `to` exclusive; `tenants` and the time range select
 * partitions, `filter` is evaluated on each event. Absent parts do not restrict.
 */
export interface QueryPlan {
  from?: Date;
  to?: Date;
  tenants?: string[];
  filter?: Expr;
}

/** Builds an `and` of the operands, flattening nested `and`s; undefined for none, the operand for one. */
export function allOf(items: readonly Expr[]): Expr | undefined {
  const flat = items.flatMap((item) => (item.kind === 'and' ? item.items : [item]));
  if (flat.length === 0) return undefined;
  if (flat.length === 1) return flat[0];
  return { kind: 'and', items: flat };
}

/** Builds an `or` of the operands, flattening nested `or`s. Precondition: at least one operand. */
export function anyOf(items: readonly Expr[]): Expr {
  const flat = items.flatMap((item) => (item.kind === 'or' ? item.items : [item]));
  const [first] = flat;
  if (first === undefined) throw new RangeError('anyOf needs at least one operand');
  return flat.length === 1 ? first : { kind: 'or', items: flat };
}
