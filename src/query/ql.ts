/**
 * The query language for audit events: `actor:agent-7 AND database:sales AND rows>1000 since:24h`.
 * docs/query.md is the user's guide; this module is the one entry point for code.
 */
export { parseQuery } from './ql-parser';
export { filtersToPlan, FILTER_PARAMETERS } from './ql-filters';
export { toODataFilter, odataSubset, MAX_ODATA_COMPARISONS, type ODataOptions } from './ql-odata';
export { evaluate } from './ql-evaluate';
export { QueryError, QuerySyntaxError, QueryParameterError } from './ql-errors';
export { parseTimeValue } from './ql-terms';
export {
  QUERY_FIELDS,
  EVENT_TYPES,
  EVENT_TYPE_PREFIX,
  TIME_TERMS,
  TENANT_TERM,
  TENANT_ID_PATTERN,
  findField,
  type QueryColumn,
  type QueryField,
  type FieldValueKind,
  type NumericEdmType,
} from './ql-fields';
export type { Expr, CmpExpr, AndExpr, OrExpr, NotExpr, CmpOp, QueryPlan } from './ql-types';
