import type { Actor, Client, Tenant } from './population';
import type { Random } from './random';
import type { ToolCall } from './sql';
import type { AnomalyKind, EventType } from './types';
import { uuidv7 } from './uuidv7';

/** An event decided but not yet emitted: the envelope's id and span are drawn when it is emitted. */
export interface Draft {
  /** Unix milliseconds of the audited action. */
  readonly time: number;
  readonly type: EventType;
  readonly tenant: Tenant;
  readonly server: string;
  readonly subject?: string;
  /** The session's W3C trace id (32 hex digits). */
  readonly traceId: string;
  readonly data: Record<string, unknown>;
  readonly anomaly?: AnomalyKind;
}

export interface Outcome {
  readonly status: 'success' | 'failure' | 'denied';
  readonly rowsReturned?: number;
  readonly rowsAffected?: number;
  readonly durationMs: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export interface Policy {
  readonly decision: 'allow' | 'deny';
  readonly ruleId: string;
}

/** Who is acting in a session, from where and with which client. */
export interface Participant {
  readonly id: string;
  readonly type: Actor['type'];
  readonly name?: string;
  readonly ip: string;
  readonly client: Client;
}

export function participant(actor: Actor, ip: string = actor.ip): Participant {
  return { id: actor.id, type: actor.type, name: actor.name, ip, client: actor.client };
}

/**
 * The actor as events carry it. The display name and the MCP client are session facts: they ride on
 * `session.started` (and on `auth.failed`, which has no session), while later events carry the id, type
 * and address that queries and detections key on.
 */
export function actorData(who: Participant, withName: boolean): Record<string, unknown> {
  return who.name === undefined || !withName
    ? { id: who.id, type: who.type, ip: who.ip }
    : { id: who.id, type: who.type, name: who.name, ip: who.ip };
}

function clientData(client: Client): Record<string, unknown> {
  return { name: client.name, version: client.version };
}

/** Leaves out what is absent and row counts that do not apply (rows returned by a write, and so on). */
function outcomeData(outcome: Outcome, kind: string): Record<string, unknown> {
  const reads = kind === 'SELECT';
  return Object.fromEntries(
    Object.entries(outcome).filter(
      ([key, value]) =>
        value !== undefined &&
        !(value === 0 && ((key === 'rowsAffected' && reads) || (key === 'rowsReturned' && !reads))),
    ),
  );
}

export interface SessionScope {
  readonly tenant: Tenant;
  readonly who: Participant;
  readonly sessionId: string;
  readonly traceId: string;
  readonly server: string;
  readonly database: string;
  readonly anomaly?: AnomalyKind;
}

/** `handshakeMs`: how long initialize and authentication took. */
export function sessionStarted(
  scope: SessionScope,
  time: number,
  handshakeMs: number,
  policy: Policy,
): Draft {
  return draft(scope, time, 'com.sqlmcp.session.started', {
    actor: actorData(scope.who, true),
    client: clientData(scope.who.client),
    session: { id: scope.sessionId },
    target: { server: scope.server, database: scope.database },
    outcome: { status: 'success', durationMs: handshakeMs },
    policy,
  });
}

export function sessionEnded(scope: SessionScope, time: number, startedAt: number): Draft {
  return draft(scope, time, 'com.sqlmcp.session.ended', {
    actor: actorData(scope.who, false),
    session: { id: scope.sessionId },
    target: { server: scope.server, database: scope.database },
    outcome: { status: 'success', durationMs: time - startedAt },
  });
}

/** A tool call: `tool.invoked` when the policy allowed it, `policy.denied` when it did not. */
export function toolEvent(
  scope: SessionScope,
  time: number,
  call: ToolCall,
  outcome: Outcome,
  policy: Policy,
): Draft {
  const statement: Record<string, unknown> = { text: call.text, kind: call.kind };
  if (call.parameters !== undefined) statement.parameters = call.parameters;
  return draft(
    scope,
    time,
    policy.decision === 'deny' ? 'com.sqlmcp.policy.denied' : 'com.sqlmcp.tool.invoked',
    {
      actor: actorData(scope.who, false),
      session: { id: scope.sessionId },
      tool: { name: call.tool, arguments: call.arguments },
      target: { server: scope.server, database: scope.database, objects: [...call.objects] },
      statement,
      outcome: outcomeData(outcome, call.kind),
      policy,
    },
  );
}

export function authFailed(
  tenant: Tenant,
  who: Participant,
  server: string,
  time: number,
  traceId: string,
  error: { code: string; message: string },
  anomaly?: AnomalyKind,
): Draft {
  return {
    time,
    type: 'com.sqlmcp.auth.failed',
    tenant,
    server,
    traceId,
    data: {
      actor: actorData(who, true),
      client: clientData(who.client),
      target: { server },
      outcome: {
        status: 'failure',
        durationMs: 0,
        errorCode: error.code,
        errorMessage: error.message,
      },
    },
    ...(anomaly === undefined ? {} : { anomaly }),
  };
}

export function configChanged(
  tenant: Tenant,
  who: Participant,
  server: string,
  time: number,
  traceId: string,
  change: { key: string; oldValue: unknown; newValue: unknown },
): Draft {
  return {
    time,
    type: 'com.sqlmcp.config.changed',
    tenant,
    server,
    subject: change.key,
    traceId,
    data: {
      actor: actorData(who, true),
      client: clientData(who.client),
      target: { server },
      config: change,
      outcome: { status: 'success', durationMs: 0 },
      policy: { decision: 'allow', ruleId: 'config-admins' },
    },
  };
}

function draft(
  scope: SessionScope,
  time: number,
  type: EventType,
  data: Record<string, unknown>,
): Draft {
  return {
    time,
    type,
    tenant: scope.tenant,
    server: scope.server,
    subject: scope.database,
    traceId: scope.traceId,
    data,
    ...(scope.anomaly === undefined ? {} : { anomaly: scope.anomaly }),
  };
}

/**
 * The CloudEvents 1.0 structured-mode event for a draft. The id is a UUIDv7 of the event time and the
 * traceparent names a fresh span in the session's trace, both drawn from `random` at emission.
 */
export function toCloudEvent(d: Draft, random: Random): Record<string, unknown> {
  const event: Record<string, unknown> = {
    specversion: '1.0',
    id: uuidv7(d.time, random),
    source: `mcp://sql-mcp.${d.tenant.id}.example/${d.server}`,
    type: d.type,
    time: new Date(d.time).toISOString(),
  };
  if (d.subject !== undefined) event.subject = d.subject;
  event.datacontenttype = 'application/json';
  event.tenantid = d.tenant.id;
  event.traceparent = `00-${d.traceId}-${spanId(random)}-01`;
  event.data = d.data;
  return event;
}

/** 16 hex digits, never all zero (W3C Trace Context forbids an all-zero parent id). */
function spanId(random: Random): string {
  const id = random.hex(16);
  return /^0+$/.test(id) ? `${id.slice(0, 15)}1` : id;
}
