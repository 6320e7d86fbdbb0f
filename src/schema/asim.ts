import type { DerivedFacts } from '../normalize/facts';
import type { AuditEvent } from './types';

/**
 * How an audit event is classified in the Microsoft Sentinel ASIM AuditEvent schema (version 0.1).
 * The enumerations are ASIM's; the mapping from SQL MCP events is this project's and is documented in
 * docs/schema.md.
 */

export type AsimEventType =
  | 'Set'
  | 'Read'
  | 'Create'
  | 'Delete'
  | 'Execute'
  | 'Install'
  | 'Clear'
  | 'Enable'
  | 'Disable'
  | 'Other';
export const ASIM_EVENT_TYPES: readonly AsimEventType[] = [
  'Set',
  'Read',
  'Create',
  'Delete',
  'Execute',
  'Install',
  'Clear',
  'Enable',
  'Disable',
  'Other',
];

export type AsimEventResult = 'Success' | 'Partial' | 'Failure' | 'NA';
export const ASIM_EVENT_RESULTS: readonly AsimEventResult[] = [
  'Success',
  'Partial',
  'Failure',
  'NA',
];

export type AsimEventSeverity = 'Informational' | 'Low' | 'Medium' | 'High';
export const ASIM_EVENT_SEVERITIES: readonly AsimEventSeverity[] = [
  'Informational',
  'Low',
  'Medium',
  'High',
];

export type AsimObjectType = 'Cloud Resource' | 'Configuration Atom' | 'Policy Rule' | 'Other';
export const ASIM_OBJECT_TYPES: readonly AsimObjectType[] = [
  'Cloud Resource',
  'Configuration Atom',
  'Policy Rule',
  'Other',
];

/**
 * ASIM values no SQL MCP event maps to, on purpose: nothing an MCP server reports installs software,
 * and an event's outcome is never partial (a statement succeeds or fails as a whole).
 */
export const UNUSED_ASIM_VALUES: {
  readonly EventType: readonly AsimEventType[];
  readonly EventResult: readonly AsimEventResult[];
} = { EventType: ['Install'], EventResult: ['Partial'] };

export interface AsimClassification {
  EventType: AsimEventType;
  EventResult: AsimEventResult;
  EventSeverity: AsimEventSeverity;
  /** The operation as the source names it: the statement verb, else the tool, else the event type. */
  Operation: string;
  /** The one object the event is about. */
  Object: string;
  ObjectType: AsimObjectType;
}

const TYPE_PREFIX = 'com.sqlmcp.';
const SEVERITY_RANK: Readonly<Record<AsimEventSeverity, number>> = {
  Informational: 0,
  Low: 1,
  Medium: 2,
  High: 3,
};

/** Classifies `event`; `facts` must be deriveFacts(event). */
export function toAsimClassification(event: AuditEvent, facts: DerivedFacts): AsimClassification {
  const object = objectOf(event);
  return {
    EventType: eventTypeOf(event, facts),
    EventResult: eventResultOf(event),
    EventSeverity: severityOf(event, facts),
    Operation: operationOf(event, facts),
    Object: object.name,
    ObjectType: object.type,
  };
}

function eventTypeOf(event: AuditEvent, facts: DerivedFacts): AsimEventType {
  switch (event.type) {
    case 'com.sqlmcp.config.changed':
      return 'Set';
    case 'com.sqlmcp.session.started':
    case 'com.sqlmcp.session.ended':
    case 'com.sqlmcp.auth.failed':
      return 'Other';
    case 'com.sqlmcp.tool.invoked':
    case 'com.sqlmcp.policy.denied':
      if (facts.statementKind !== undefined) {
        return statementEventType(facts);
      }
      // A tool call without SQL (listing tables, describing a schema) still executed a tool.
      return event.data.tool !== undefined ? 'Execute' : 'Other';
  }
}

function statementEventType(facts: DerivedFacts): AsimEventType {
  switch (facts.statementKind) {
    case 'SELECT':
      return 'Read';
    case 'INSERT':
      return 'Create';
    case 'UPDATE':
    case 'MERGE':
      return 'Set';
    case 'DELETE':
      return 'Delete';
    case 'EXEC':
      return 'Execute';
    case 'GRANT':
      // Permissions are configuration of the database: granting and revoking both change it.
      return 'Set';
    case 'DDL':
      return ddlEventType(facts.statementVerb);
    default:
      return 'Other';
  }
}

function ddlEventType(verb: string | undefined): AsimEventType {
  switch (verb) {
    case 'CREATE':
      return 'Create';
    case 'DROP':
      return 'Delete';
    case 'TRUNCATE':
      return 'Clear';
    case 'ENABLE':
      return 'Enable';
    case 'DISABLE':
      return 'Disable';
    default:
      // ALTER, RENAME, COMMENT, or a producer-sent DDL kind without text.
      return 'Set';
  }
}

function eventResultOf(event: AuditEvent): AsimEventResult {
  switch (event.data.outcome?.status) {
    case 'success':
      return 'Success';
    case 'failure':
    case 'denied':
      return 'Failure';
    default:
      return event.type === 'com.sqlmcp.policy.denied' || event.type === 'com.sqlmcp.auth.failed'
        ? 'Failure'
        : 'NA';
  }
}

/**
 * The highest severity any rule assigns:
 * - High: an agent's successful DROP, TRUNCATE or permission change (GRANT/REVOKE/DENY);
 * - Medium: a failed authentication; a denial (policy.denied or outcome denied); any DDL or permission
 *   statement by an agent;
 * - Low: a failed outcome; a configuration change; DDL or permission statements by users or services;
 * - Informational: everything else.
 */
function severityOf(event: AuditEvent, facts: DerivedFacts): AsimEventSeverity {
  let severity: AsimEventSeverity = 'Informational';
  const raise = (to: AsimEventSeverity): void => {
    if (SEVERITY_RANK[to] > SEVERITY_RANK[severity]) {
      severity = to;
    }
  };
  const status = event.data.outcome?.status;
  const byAgent = event.data.actor.type === 'agent';
  const changesSchemaOrPermissions =
    facts.statementKind === 'DDL' || facts.statementKind === 'GRANT';
  const destructive =
    facts.statementKind === 'GRANT' ||
    facts.statementVerb === 'DROP' ||
    facts.statementVerb === 'TRUNCATE';
  if (status === 'failure' || event.type === 'com.sqlmcp.config.changed') {
    raise('Low');
  }
  if (changesSchemaOrPermissions) {
    raise(byAgent ? 'Medium' : 'Low');
  }
  if (
    event.type === 'com.sqlmcp.auth.failed' ||
    event.type === 'com.sqlmcp.policy.denied' ||
    status === 'denied'
  ) {
    raise('Medium');
  }
  if (byAgent && destructive && status === 'success') {
    raise('High');
  }
  return severity;
}

function operationOf(event: AuditEvent, facts: DerivedFacts): string {
  const acts =
    event.type === 'com.sqlmcp.tool.invoked' || event.type === 'com.sqlmcp.policy.denied';
  if (acts && facts.statementVerb !== undefined) {
    return facts.statementVerb;
  }
  if (acts && event.data.tool !== undefined) {
    return event.data.tool.name;
  }
  return event.type.slice(TYPE_PREFIX.length);
}

function objectOf(event: AuditEvent): { name: string; type: AsimObjectType } {
  const data = event.data;
  if (event.type === 'com.sqlmcp.config.changed' && data.config !== undefined) {
    return { name: data.config.key, type: 'Configuration Atom' };
  }
  if (event.type === 'com.sqlmcp.policy.denied' && data.policy?.ruleId !== undefined) {
    return { name: data.policy.ruleId, type: 'Policy Rule' };
  }
  const target = data.target?.objects?.[0] ?? data.target?.database ?? data.target?.server;
  if (target !== undefined) {
    return { name: target, type: 'Cloud Resource' };
  }
  const other = data.tool?.name ?? data.session?.id ?? event.source;
  return { name: other, type: 'Other' };
}
