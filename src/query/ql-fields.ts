/**
 * The query language's fields and the hot-store entity columns they read, in one place. The store that
 * writes `auditevents` entities and the query code that filters them both import this table, so a column
 * renamed here is renamed for both.
 */

/**
 * Hot-store row columns a query can filter on. `objects` and `statementText` are not stored on the row;
 * readers whose filter names them take them from the record (RECORD_ONLY_COLUMNS in hot-entity.ts).
 */
export type QueryColumn =
  | 'actorId'
  | 'actorType'
  | 'actorIp'
  | 'database'
  | 'server'
  | 'toolName'
  | 'status'
  | 'type'
  | 'sessionId'
  | 'statementKind'
  | 'statementText'
  | 'rowsReturned'
  | 'rowsAffected'
  | 'durationMs'
  | 'errorCode'
  | 'policyDecision'
  | 'policyRuleId'
  | 'fingerprintId'
  | 'objects'
  | 'tenant';

/**
 * How a field's values are read and compared.
 * - `text`: exact, case-sensitive string; `:` is eq, `!=` is ne; a trailing `*` asks for a prefix.
 * - `enum`: one of `values`, matched case-insensitively and stored in its canonical spelling.
 * - `contains`: case-insensitive substring; only `:` (contains) and `!=` (does not contain).
 * - `count`: a non-negative integer; every comparison operator.
 * - `duration`: milliseconds, written `250`, `250ms`, `2s`, `1.5s`, `1m` or `1h`; every comparison operator.
 */
export type FieldValueKind = 'text' | 'enum' | 'contains' | 'count' | 'duration';

/**
 * The Edm type a numeric column is stored as. Azure Table compares a property only with a literal of
 * the same type, so the entity writer must store these columns with exactly this type for OData
 * pushdown to select the right rows.
 */
export type NumericEdmType = 'Edm.Int64';

export interface QueryField {
  /** What people type, first the canonical name, then aliases. */
  readonly names: readonly string[];
  readonly column: QueryColumn;
  readonly kind: FieldValueKind;
  /** For `enum` fields: the canonical values. */
  readonly values?: readonly string[];
  /** For numeric fields: the stored Edm type. */
  readonly edmType?: NumericEdmType;
  readonly description: string;
}

export const EVENT_TYPES = [
  'com.sqlmcp.tool.invoked',
  'com.sqlmcp.session.started',
  'com.sqlmcp.session.ended',
  'com.sqlmcp.auth.failed',
  'com.sqlmcp.policy.denied',
  'com.sqlmcp.config.changed',
] as const;

/** Event types may be written without this prefix: `type:tool.invoked`. */
export const EVENT_TYPE_PREFIX = 'com.sqlmcp.';

export const QUERY_FIELDS: readonly QueryField[] = [
  {
    names: ['actor', 'user'],
    column: 'actorId',
    kind: 'text',
    description: 'actor id (user, agent or service)',
  },
  {
    names: ['actortype'],
    column: 'actorType',
    kind: 'enum',
    values: ['user', 'agent', 'service'],
    description: 'kind of actor',
  },
  { names: ['database'], column: 'database', kind: 'text', description: 'target database' },
  { names: ['server'], column: 'server', kind: 'text', description: 'target server' },
  { names: ['tool'], column: 'toolName', kind: 'text', description: 'MCP tool name' },
  {
    names: ['status'],
    column: 'status',
    kind: 'enum',
    values: ['success', 'failure', 'denied'],
    description: 'outcome status',
  },
  {
    names: ['type'],
    column: 'type',
    kind: 'enum',
    values: EVENT_TYPES,
    description: 'CloudEvents type, with or without "com.sqlmcp."',
  },
  { names: ['session'], column: 'sessionId', kind: 'text', description: 'MCP session id' },
  {
    names: ['kind'],
    column: 'statementKind',
    kind: 'enum',
    values: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'DDL', 'EXEC', 'GRANT', 'OTHER'],
    description: 'statement kind',
  },
  {
    names: ['rows'],
    column: 'rowsReturned',
    kind: 'count',
    edmType: 'Edm.Int64',
    description: 'rows returned',
  },
  {
    names: ['affected'],
    column: 'rowsAffected',
    kind: 'count',
    edmType: 'Edm.Int64',
    description: 'rows affected',
  },
  {
    names: ['duration'],
    column: 'durationMs',
    kind: 'duration',
    edmType: 'Edm.Int64',
    description: 'duration in milliseconds',
  },
  { names: ['ip'], column: 'actorIp', kind: 'text', description: 'client IP address' },
  { names: ['error'], column: 'errorCode', kind: 'text', description: 'error code' },
  {
    names: ['policy'],
    column: 'policyDecision',
    kind: 'enum',
    values: ['allow', 'deny'],
    description: 'policy decision',
  },
  { names: ['rule'], column: 'policyRuleId', kind: 'text', description: 'policy rule id' },
  {
    names: ['fingerprint'],
    column: 'fingerprintId',
    kind: 'text',
    description: 'statement fingerprint id',
  },
  {
    names: ['object'],
    column: 'objects',
    kind: 'contains',
    description: 'schema object touched (substring)',
  },
  {
    names: ['text'],
    column: 'statementText',
    kind: 'contains',
    description: 'statement text (substring); a bare word means the same',
  },
];

/** Terms that bound the time range; they select partitions, so they sit only at the top-level AND. */
export const TIME_TERMS = ['since', 'from', 'until', 'to'] as const;
export type TimeTerm = (typeof TIME_TERMS)[number];

/** The tenant term; like time terms it selects partitions. Its column is `tenant`. */
export const TENANT_TERM = 'tenant';

/** Tenant ids: the same rule as the event's `tenantid` attribute. */
export { TENANT_ID_PATTERN } from '../schema/parse';

const FIELDS_BY_NAME = new Map<string, QueryField>(
  QUERY_FIELDS.flatMap((field) => field.names.map((name) => [name, field] as const)),
);

/** Field names are case-insensitive: `Actor:x` is `actor:x`. */
export function findField(name: string): QueryField | undefined {
  return FIELDS_BY_NAME.get(name.toLowerCase());
}

/** Every name a query may put before an operator, for error messages. */
export function allTermNames(): string[] {
  return [...QUERY_FIELDS.flatMap((field) => field.names), ...TIME_TERMS, TENANT_TERM];
}

export function isNumericField(field: QueryField): boolean {
  return field.kind === 'count' || field.kind === 'duration';
}
