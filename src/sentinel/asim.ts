import { isIP } from 'node:net';
import type { AuditRecord } from '../pipeline/record';
import type { ActorType, AuditEvent, JsonValue } from '../schema/types';
import { toAsimClassification, type AsimClassification } from '../schema/asim';
import {
  ASIM_EVENT_PRODUCT,
  ASIM_EVENT_VENDOR,
  ASIM_SCHEMA,
  ASIM_SCHEMA_VERSION,
  type AsimUserType,
  type AsimUsernameType,
} from './asim-schema';
import type { AsimAuditEventRow } from './columns';
import { truncateUtf8 } from './field-limit';

export type { AsimAuditEventRow } from './columns';

const USER_TYPE_OF_ACTOR: Readonly<Record<ActorType, AsimUserType>> = {
  user: 'Regular',
  agent: 'Application',
  service: 'Service Principal',
};

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The Sentinel row (ASIM AuditEvent 0.1, table SqlMcpAudit_CL) of one stored record.
 *
 * `leafHash` is the record's RFC 6962 leaf hash in lower-case hex, as the hot store keeps it: with
 * AuditPartition and AuditLogIndex it lets anyone prove the row against the log (GET /api/events/{id}/proof).
 * Every string value is cut to the Logs Ingestion field limit, with a visible marker; the full text stays in
 * the archive. Deterministic: the same record always gives the same row.
 */
export function toAsimRow(record: AuditRecord, leafHash: string): AsimAuditEventRow {
  if (!SHA256_HEX.test(leafHash)) {
    throw new RangeError(`leaf hash must be 64 lower-case hex digits, got "${leafHash}"`);
  }
  const event = record.event;
  const data = event.data;
  const facts = record.derived;
  const classification: AsimClassification = toAsimClassification(event, facts);
  const outcome = data.outcome;
  const start = new Date(event.time);
  const end =
    outcome?.durationMs !== undefined && Number.isFinite(outcome.durationMs)
      ? new Date(start.getTime() + Math.round(outcome.durationMs))
      : start;
  const server = data.target?.server;
  const actorIp =
    typeof data.actor.ip === 'string' && isIP(data.actor.ip) !== 0 ? data.actor.ip : undefined;
  const config = event.type === 'com.sqlmcp.config.changed' ? data.config : undefined;
  const oldValue =
    config !== undefined && config.oldValue !== undefined ? jsonText(config.oldValue) : undefined;
  const newValue =
    config !== undefined && config.newValue !== undefined ? jsonText(config.newValue) : undefined;
  const policy = data.policy;

  const row: AsimAuditEventRow = {
    TimeGenerated: start.toISOString(),
    EventCount: 1,
    EventStartTime: start.toISOString(),
    EventEndTime: end.toISOString(),
    EventType: classification.EventType,
    EventSubType: subTypeOf(event),
    EventResult: classification.EventResult,
    EventResultDetails: resultDetailsOf(event),
    EventOriginalResultDetails: originalResultDetailsOf(event),
    EventSeverity: classification.EventSeverity,
    EventOriginalType: event.type,
    EventMessage: messageOf(event, classification),
    EventProduct: ASIM_EVENT_PRODUCT,
    EventVendor: ASIM_EVENT_VENDOR,
    EventSchema: ASIM_SCHEMA,
    EventSchemaVersion: ASIM_SCHEMA_VERSION,
    Dvc: event.source,
    DvcAction: policy === undefined ? undefined : policy.decision === 'allow' ? 'Allow' : 'Deny',
    Operation: classification.Operation,
    Object: classification.Object,
    ObjectType: classification.ObjectType,
    OldValue: oldValue,
    NewValue: newValue,
    ValueType: oldValue !== undefined || newValue !== undefined ? 'Other' : undefined,
    ActorUserId: data.actor.id,
    ActorUsername: data.actor.name,
    ActorUsernameType: data.actor.name === undefined ? undefined : usernameTypeOf(data.actor.name),
    ActorUserType: USER_TYPE_OF_ACTOR[data.actor.type],
    ActorOriginalUserType: data.actor.type,
    ActorSessionId: data.session?.id,
    ActingAppName: data.client?.name,
    ActingAppType: data.client === undefined ? undefined : 'Other',
    SrcIpAddr: actorIp,
    TargetAppName: data.target?.database ?? server,
    TargetAppType:
      data.target?.database !== undefined || server !== undefined ? 'Service' : undefined,
    TargetHostname: server !== undefined && !server.includes('.') ? server : undefined,
    TargetFQDN: server !== undefined && server.includes('.') ? server : undefined,
    RuleName: policy?.ruleId,
    AuditTenantId: event.tenantid,
    AuditEventId: event.id,
    AuditEventSource: event.source,
    AuditRegion: record.log.region,
    AuditPartition: record.log.partition,
    AuditSequenceNumber: record.log.sequenceNumber,
    AuditLogIndex: record.log.index,
    AuditLeafHash: leafHash,
    AuditEnqueuedTime: new Date(record.log.enqueuedTime).toISOString(),
    AuditRedactedFields:
      record.redacted !== undefined && record.redacted.length > 0
        ? record.redacted.join(',')
        : undefined,
    AuditTraceParent: event.traceparent,
    AuditToolName: data.tool?.name,
    AuditClientVersion: data.client?.version,
    AuditStatementKind: facts.statementKind,
    AuditStatementFingerprint: facts.fingerprintId,
    AuditStatement: data.statement?.text,
    AuditRowsReturned: outcome?.rowsReturned,
    AuditRowsAffected: outcome?.rowsAffected,
    AuditDurationMs: outcome?.durationMs,
    AuditErrorCode: outcome?.errorCode === undefined ? undefined : String(outcome.errorCode),
  };
  return withinFieldLimits(row);
}

/** Drops absent columns (the service would store them as empty anyway) and cuts every string to the limit. */
function withinFieldLimits(row: AsimAuditEventRow): AsimAuditEventRow {
  const limited: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (value === undefined) continue;
    limited[name] = typeof value === 'string' ? truncateUtf8(value) : value;
  }
  return limited as AsimAuditEventRow;
}

function jsonText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function subTypeOf(event: AuditEvent): string | undefined {
  switch (event.type) {
    case 'com.sqlmcp.session.started':
      return 'SessionStarted';
    case 'com.sqlmcp.session.ended':
      return 'SessionEnded';
    case 'com.sqlmcp.auth.failed':
      return 'AuthenticationFailed';
    case 'com.sqlmcp.policy.denied':
      return 'PolicyDenied';
    case 'com.sqlmcp.config.changed':
      return 'ConfigurationChanged';
    case 'com.sqlmcp.tool.invoked':
      return event.data.tool?.name === undefined ? undefined : 'ToolInvoked';
  }
}

function resultDetailsOf(event: AuditEvent): string | undefined {
  if (event.type === 'com.sqlmcp.policy.denied' || event.data.outcome?.status === 'denied')
    return 'Denied';
  if (event.type === 'com.sqlmcp.auth.failed') return 'Authentication failure';
  if (event.data.outcome?.status === 'failure') return 'Error';
  return undefined;
}

function originalResultDetailsOf(event: AuditEvent): string | undefined {
  const outcome = event.data.outcome;
  if (outcome === undefined) return undefined;
  const code = outcome.errorCode === undefined ? undefined : String(outcome.errorCode);
  const message = outcome.errorMessage;
  if (code !== undefined && message !== undefined) return `${code}: ${message}`;
  return code ?? message;
}

function usernameTypeOf(name: string): AsimUsernameType {
  if (/^[^@\s]+@[^@\s]+$/.test(name)) return 'UPN';
  if (/^[^\\\s]+\\[^\\]+$/.test(name)) return 'Windows';
  if (/^(CN|OU|DC|UID)=/i.test(name)) return 'DN';
  return 'Simple';
}

/**
 * e.g. `report-bot (agent) SELECT on dbo.Orders: Success, 120000 rows returned`. Names what was acted on
 * (the objects, else the database) even where ASIM's Object is something else, such as a denying rule.
 */
function messageOf(event: AuditEvent, classification: AsimClassification): string {
  const { actor, outcome, target } = event.data;
  const objects =
    target?.objects !== undefined && target.objects.length > 0
      ? target.objects.join(', ')
      : undefined;
  const details = resultDetailsOf(event);
  const parts = [
    details === undefined
      ? classification.EventResult
      : `${classification.EventResult} (${details})`,
  ];
  if (outcome?.rowsReturned !== undefined) parts.push(`${outcome.rowsReturned} rows returned`);
  if (outcome?.rowsAffected !== undefined) parts.push(`${outcome.rowsAffected} rows affected`);
  const on = objects ?? target?.database ?? classification.Object;
  return `${actor.name ?? actor.id} (${actor.type}) ${classification.Operation} on ${on}: ${parts.join(', ')}`;
}
