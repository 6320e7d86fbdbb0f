// Generated from schema/audit-event.v1.json by src/schema/generate-types.ts. Do not edit:
// change the schema, then run `npm run build && node dist/src/schema/generate-types.js`.

/** Any JSON value. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One audit event from a SQL MCP server: a CloudEvents 1.0 structured-mode JSON event with the tenantid extension attribute and SQL MCP data. docs/schema.md is the producer's guide.
 * Per-type requirements (the schema's allOf) are not expressed in this type; see docs/schema.md.
 * Other CloudEvents extension attributes may be present at run time; they are not typed.
 */
export interface AuditEvent {
  /** CloudEvents specification version. */
  specversion: '1.0';
  /** Producer-assigned identifier, unique per source. A retry with the same source and id is a duplicate. Must not contain / \ # ? or control characters. */
  id: string;
  /** URI-reference naming the producing SQL MCP server, e.g. /sqlmcp/servers/prod-01. */
  source: string;
  type: AuditEventType;
  /** When the audited action happened, RFC 3339 (e.g. 2025-01-31T12:00:00.123Z). */
  time: string;
  /** Optional CloudEvents subject, e.g. the database the event is about. */
  subject?: string;
  /** Media type of data; JSON only. */
  datacontenttype?: string;
  /** Optional URI of the schema data adheres to. */
  dataschema?: string;
  /** Tenant the event belongs to: 2-63 characters, lower-case letters, digits and hyphens, starting with a letter or digit. It prefixes Table partition keys and names a blob path segment. */
  tenantid: string;
  /** W3C Trace Context traceparent of the operation that produced the event (CloudEvents distributed tracing extension). */
  traceparent?: string;
  /** W3C Trace Context tracestate accompanying traceparent. */
  tracestate?: string;
  /** CloudEvents partitioning extension: events with the same key keep their order. Must not contain / \ # ? or control characters. */
  partitionkey?: string;
  data: AuditEventData;
}

/** What happened. */
export type AuditEventType =
  | 'com.sqlmcp.tool.invoked'
  | 'com.sqlmcp.session.started'
  | 'com.sqlmcp.session.ended'
  | 'com.sqlmcp.auth.failed'
  | 'com.sqlmcp.policy.denied'
  | 'com.sqlmcp.config.changed';
/** Every AuditEventType, in schema order. */
export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = [
  'com.sqlmcp.tool.invoked',
  'com.sqlmcp.session.started',
  'com.sqlmcp.session.ended',
  'com.sqlmcp.auth.failed',
  'com.sqlmcp.policy.denied',
  'com.sqlmcp.config.changed',
];

/** SQL MCP payload. actor is always required; docs/schema.md lists what each type requires. */
export interface AuditEventData {
  actor: Actor;
  client?: Client;
  session?: Session;
  tool?: Tool;
  target?: Target;
  statement?: Statement;
  outcome?: Outcome;
  policy?: Policy;
  config?: ConfigChange;
}

/** Who acted. */
export interface Actor {
  /** Stable identifier (object id, agent id). */
  id: string;
  type: ActorType;
  /** Display name. */
  name?: string;
  /** Client IP address as the MCP server saw it. */
  ip?: string;
}

/** A person, an AI agent, or a non-interactive service. */
export type ActorType = 'user' | 'agent' | 'service';
/** Every ActorType, in schema order. */
export const ACTOR_TYPES: readonly ActorType[] = ['user', 'agent', 'service'];

/** The MCP client (clientInfo from initialize). */
export interface Client {
  name: string;
  version?: string;
}

/** The MCP session. */
export interface Session {
  id: string;
}

/** The MCP tool that was called. */
export interface Tool {
  name: string;
  /** The tool call's arguments as sent by the client (free-form JSON object). */
  arguments?: { [key: string]: JsonValue };
}

/** What the action was aimed at. */
export interface Target {
  server?: string;
  database?: string;
  /** Schema objects touched, e.g. dbo.Orders. */
  objects?: string[];
}

/** The SQL statement the tool ran. */
export interface Statement {
  /** SQL text; tab, CR and LF allowed. */
  text?: string;
  kind?: StatementKind;
  /** Bound parameters: an object for named, an array for positional (free-form JSON). */
  parameters?: { [key: string]: JsonValue } | JsonValue[];
}

/** Statement class; derived from text when absent. */
export type StatementKind =
  'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE' | 'DDL' | 'EXEC' | 'GRANT' | 'OTHER';
/** Every StatementKind, in schema order. */
export const STATEMENT_KINDS: readonly StatementKind[] = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'DDL',
  'EXEC',
  'GRANT',
  'OTHER',
];

/** How the action ended. */
export interface Outcome {
  status: OutcomeStatus;
  rowsReturned?: number;
  rowsAffected?: number;
  durationMs?: number;
  /** Database or MCP error code (e.g. 208, '42S02'). */
  errorCode?: string | number;
  /** Error text; tab, CR and LF allowed. */
  errorMessage?: string;
}

export type OutcomeStatus = 'success' | 'failure' | 'denied';
/** Every OutcomeStatus, in schema order. */
export const OUTCOME_STATUSES: readonly OutcomeStatus[] = ['success', 'failure', 'denied'];

/** The authorization policy decision that applied. */
export interface Policy {
  decision: PolicyDecision;
  ruleId?: string;
}

export type PolicyDecision = 'allow' | 'deny';
/** Every PolicyDecision, in schema order. */
export const POLICY_DECISIONS: readonly PolicyDecision[] = ['allow', 'deny'];

/** A configuration setting of the MCP server that changed. */
export interface ConfigChange {
  /** Setting name, e.g. policy.allowedTools. */
  key: string;
  /** Previous value (any JSON). */
  oldValue?: JsonValue;
  /** New value (any JSON). */
  newValue?: JsonValue;
}
