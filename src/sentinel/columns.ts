import type { JsonValue } from '../schema/types';

/**
 * The columns of the Sentinel table `SqlMcpAudit_CL`, in one place: the row type `toAsimRow` returns, the
 * custom table and the data collection rule's stream declaration (infra/sentinel.ts) are all derived from
 * this list, so a column cannot exist in one and not the others.
 *
 * ASIM fields keep their ASIM names (AuditEvent schema 0.1 plus the common fields); fields ASIM has no name
 * for start with `Audit` and tie a Sentinel row back to the tamper-evident log (partition, log index, leaf
 * hash). Aliases the ASIM schema defines (User, Application, Src, Dst, IpAddr, Value, Rule, EventUid, ...)
 * are not stored: the parser (sentinel/parsers/) adds them.
 */

/** Column types as a data collection rule stream declares them (the Table API spells `datetime` `dateTime`). */
export type SentinelColumnType =
  'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic';

export interface SentinelColumn {
  readonly name: string;
  readonly type: SentinelColumnType;
  /** Set on every row (ASIM mandatory fields and the log coordinates). */
  readonly required: boolean;
  readonly description: string;
}

export const SENTINEL_TABLE_NAME = 'SqlMcpAudit_CL';
/** A DCR stream for a custom table is named `Custom-<table>`. */
export const SENTINEL_STREAM_NAME = `Custom-${SENTINEL_TABLE_NAME}`;

export const SENTINEL_COLUMNS = [
  // Log Analytics
  {
    name: 'TimeGenerated',
    type: 'datetime',
    required: true,
    description: 'When the audited action happened (event time).',
  },
  // ASIM common event fields
  {
    name: 'EventCount',
    type: 'int',
    required: true,
    description: 'Always 1: one row per audit event.',
  },
  { name: 'EventStartTime', type: 'datetime', required: true, description: 'Event time.' },
  {
    name: 'EventEndTime',
    type: 'datetime',
    required: true,
    description: 'Event time plus the reported duration, when known.',
  },
  { name: 'EventType', type: 'string', required: true, description: 'ASIM AuditEvent EventType.' },
  {
    name: 'EventSubType',
    type: 'string',
    required: false,
    description: 'What EventType does not convey, e.g. SessionStarted.',
  },
  {
    name: 'EventResult',
    type: 'string',
    required: true,
    description: 'Success, Partial, Failure or NA.',
  },
  {
    name: 'EventResultDetails',
    type: 'string',
    required: false,
    description: 'Why the result is not Success.',
  },
  {
    name: 'EventOriginalResultDetails',
    type: 'string',
    required: false,
    description: 'Error code and message as the MCP server reported them.',
  },
  {
    name: 'EventSeverity',
    type: 'string',
    required: true,
    description: 'Informational, Low, Medium or High.',
  },
  {
    name: 'EventOriginalType',
    type: 'string',
    required: true,
    description: 'CloudEvents type, e.g. com.sqlmcp.tool.invoked.',
  },
  {
    name: 'EventMessage',
    type: 'string',
    required: true,
    description: 'One-line summary of the event.',
  },
  {
    name: 'EventProduct',
    type: 'string',
    required: true,
    description: 'Product that generated the event.',
  },
  { name: 'EventVendor', type: 'string', required: true, description: 'Vendor of the product.' },
  { name: 'EventSchema', type: 'string', required: true, description: 'AuditEvent.' },
  {
    name: 'EventSchemaVersion',
    type: 'string',
    required: true,
    description: 'ASIM AuditEvent schema version.',
  },
  // Reporting device: the SQL MCP server
  {
    name: 'Dvc',
    type: 'string',
    required: true,
    description: 'The SQL MCP server (CloudEvents source).',
  },
  {
    name: 'DvcAction',
    type: 'string',
    required: false,
    description: 'Allow or Deny: the authorization policy decision.',
  },
  // Audit fields
  {
    name: 'Operation',
    type: 'string',
    required: true,
    description: 'The operation as the MCP server reported it.',
  },
  { name: 'Object', type: 'string', required: true, description: 'What the operation acted on.' },
  {
    name: 'ObjectType',
    type: 'string',
    required: true,
    description: 'Cloud Resource, Configuration Atom, Policy Rule or Other.',
  },
  {
    name: 'OldValue',
    type: 'string',
    required: false,
    description: 'Previous value of a changed setting (JSON).',
  },
  {
    name: 'NewValue',
    type: 'string',
    required: false,
    description: 'New value of a changed setting (JSON).',
  },
  {
    name: 'ValueType',
    type: 'string',
    required: false,
    description: 'Other, when OldValue or NewValue is set.',
  },
  // Actor
  { name: 'ActorUserId', type: 'string', required: true, description: 'Stable actor identifier.' },
  { name: 'ActorUsername', type: 'string', required: false, description: 'Actor display name.' },
  {
    name: 'ActorUsernameType',
    type: 'string',
    required: false,
    description: 'UPN, Windows, DN or Simple.',
  },
  {
    name: 'ActorUserType',
    type: 'string',
    required: true,
    description: 'Regular, Application or Service Principal.',
  },
  {
    name: 'ActorOriginalUserType',
    type: 'string',
    required: true,
    description: 'user, agent or service.',
  },
  { name: 'ActorSessionId', type: 'string', required: false, description: 'MCP session id.' },
  // Acting application: the MCP client
  {
    name: 'ActingAppName',
    type: 'string',
    required: false,
    description: 'MCP client name (clientInfo).',
  },
  {
    name: 'ActingAppType',
    type: 'string',
    required: false,
    description: 'Other, when ActingAppName is set.',
  },
  // Source
  {
    name: 'SrcIpAddr',
    type: 'string',
    required: false,
    description: 'Client IP address as the MCP server saw it.',
  },
  // Target application and system
  {
    name: 'TargetAppName',
    type: 'string',
    required: false,
    description: 'Database (or server, when no database is named).',
  },
  {
    name: 'TargetAppType',
    type: 'string',
    required: false,
    description: 'Service, when TargetAppName is set.',
  },
  {
    name: 'TargetHostname',
    type: 'string',
    required: false,
    description: 'Database server name without a domain.',
  },
  {
    name: 'TargetFQDN',
    type: 'string',
    required: false,
    description: 'Database server name with a domain.',
  },
  // Inspection
  {
    name: 'RuleName',
    type: 'string',
    required: false,
    description: 'Authorization policy rule that applied.',
  },
  // Ties to the tamper-evident log
  {
    name: 'AuditTenantId',
    type: 'string',
    required: true,
    description: 'Tenant the event belongs to.',
  },
  {
    name: 'AuditEventId',
    type: 'string',
    required: true,
    description: 'CloudEvents id (unique per source).',
  },
  {
    name: 'AuditEventSource',
    type: 'string',
    required: true,
    description: 'CloudEvents source; with the id, the event identity.',
  },
  {
    name: 'AuditRegion',
    type: 'string',
    required: false,
    description: 'Region whose log holds the record.',
  },
  {
    name: 'AuditPartition',
    type: 'string',
    required: true,
    description: 'Event Hubs partition, which is also the log.',
  },
  {
    name: 'AuditSequenceNumber',
    type: 'long',
    required: true,
    description: 'Event Hubs sequence number.',
  },
  {
    name: 'AuditLogIndex',
    type: 'long',
    required: true,
    description: 'Position of the record in its partition log.',
  },
  {
    name: 'AuditLeafHash',
    type: 'string',
    required: true,
    description: 'RFC 6962 leaf hash (hex) of the canonical record.',
  },
  {
    name: 'AuditEnqueuedTime',
    type: 'datetime',
    required: true,
    description: 'When Event Hubs accepted the event.',
  },
  {
    name: 'AuditRedactedFields',
    type: 'string',
    required: false,
    description: 'JSON pointers the redaction policy changed.',
  },
  {
    name: 'AuditTraceParent',
    type: 'string',
    required: false,
    description: 'W3C traceparent of the operation.',
  },
  // SQL detail the analytics rules use
  {
    name: 'AuditToolName',
    type: 'string',
    required: false,
    description: 'MCP tool that was called.',
  },
  {
    name: 'AuditClientVersion',
    type: 'string',
    required: false,
    description: 'MCP client version.',
  },
  {
    name: 'AuditStatementKind',
    type: 'string',
    required: false,
    description: 'SELECT, INSERT, ..., DDL, EXEC, GRANT, OTHER.',
  },
  {
    name: 'AuditStatementFingerprint',
    type: 'string',
    required: false,
    description: 'Id of the statement shape (literals removed).',
  },
  {
    name: 'AuditStatement',
    type: 'string',
    required: false,
    description: 'SQL text, cut to the field limit with a visible marker.',
  },
  {
    name: 'AuditRowsReturned',
    type: 'long',
    required: false,
    description: 'Rows the statement returned.',
  },
  {
    name: 'AuditRowsAffected',
    type: 'long',
    required: false,
    description: 'Rows the statement changed.',
  },
  {
    name: 'AuditDurationMs',
    type: 'real',
    required: false,
    description: 'How long the call took.',
  },
  {
    name: 'AuditErrorCode',
    type: 'string',
    required: false,
    description: 'Database or MCP error code.',
  },
] as const satisfies readonly SentinelColumn[];

type Column = (typeof SENTINEL_COLUMNS)[number];

type ValueOf<T extends SentinelColumnType> = T extends 'string' | 'datetime'
  ? string
  : T extends 'int' | 'long' | 'real'
    ? number
    : T extends 'boolean'
      ? boolean
      : JsonValue;

/** One row of `SqlMcpAudit_CL`: required columns always present, the others when the event carries them. */
export type AsimAuditEventRow = {
  -readonly [C in Column as C['required'] extends true ? C['name'] : never]: ValueOf<C['type']>;
} & {
  -readonly [C in Column as C['required'] extends true ? never : C['name']]?: ValueOf<C['type']>;
};

export type SentinelColumnName = Column['name'];

export const SENTINEL_COLUMN_NAMES: readonly SentinelColumnName[] = SENTINEL_COLUMNS.map(
  (column) => column.name,
);
