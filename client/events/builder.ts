import type { Context } from '@opentelemetry/api';
import type {
  AuditEvent,
  AuditEventData,
  AuditEventType,
  Client,
  ConfigChange,
  Outcome,
  Policy,
  Session,
  Tool,
} from '../../src/schema/types';
import { encodeEvent } from './encode';
import { traceAttributesOf } from './trace-context';
import { createUuidV7Generator } from './uuidv7';

/** `data` of com.sqlmcp.tool.invoked: tool and outcome are required. */
export type ToolInvokedData = AuditEventData & { tool: Tool; outcome: Outcome };
/** `data` of com.sqlmcp.session.started: session and client are required. */
export type SessionStartedData = AuditEventData & { session: Session; client: Client };
/** `data` of com.sqlmcp.session.ended: session is required. */
export type SessionEndedData = AuditEventData & { session: Session };
/** `data` of com.sqlmcp.auth.failed: an outcome that failed or was denied. */
export type AuthFailedData = AuditEventData & {
  outcome: Outcome & { status: 'failure' | 'denied' };
};
/** `data` of com.sqlmcp.policy.denied: a deny decision; an outcome, if any, is denied. */
export type PolicyDeniedData = AuditEventData & {
  policy: Policy & { decision: 'deny' };
  outcome?: Outcome & { status: 'denied' };
};
/** `data` of com.sqlmcp.config.changed: config is required. */
export type ConfigChangedData = AuditEventData & { config: ConfigChange };

/**
 * What each event type requires of `data` (the schema's per-type allOf). Keyed by every
 * AuditEventType, so a type added to the schema fails to compile here until it is described.
 */
export interface EventDataByType extends Record<AuditEventType, AuditEventData> {
  'com.sqlmcp.tool.invoked': ToolInvokedData;
  'com.sqlmcp.session.started': SessionStartedData;
  'com.sqlmcp.session.ended': SessionEndedData;
  'com.sqlmcp.auth.failed': AuthFailedData;
  'com.sqlmcp.policy.denied': PolicyDeniedData;
  'com.sqlmcp.config.changed': ConfigChangedData;
}

export interface AuditEventBuilderOptions {
  /** URI-reference naming this SQL MCP server, e.g. /sqlmcp/servers/prod-eu-01. */
  source: string;
  /** Tenant of the events unless an event names another. */
  tenantId: string;
  /** Wall clock in Unix milliseconds, for `time` and the id's time field. Default Date.now. */
  now?: () => number;
  /** Event id generator. Default UUIDv7 from `now`. */
  newId?: () => string;
}

/** Per-event attributes; everything else comes from the builder. */
export interface EventAttributes {
  id?: string;
  /** When the action happened. Default now. */
  time?: Date | string;
  tenantId?: string;
  subject?: string;
  partitionkey?: string;
  /** Explicit W3C traceparent; otherwise taken from `otelContext` or the active context. */
  traceparent?: string;
  tracestate?: string;
  /** The OpenTelemetry context whose span the event belongs to. Default the active context. */
  otelContext?: Context;
}

/**
 * Builds v1 audit events (schema/audit-event.v1.json) and validates each with the pipeline's own
 * parser before handing it out: a built event is one the ingest function accepts. Throws
 * InvalidAuditEventError, carrying the pipeline's rejection, otherwise.
 */
export class AuditEventBuilder {
  readonly source: string;
  readonly tenantId: string;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(options: AuditEventBuilderOptions) {
    this.source = options.source;
    this.tenantId = options.tenantId;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? createUuidV7Generator(this.now);
  }

  build<T extends AuditEventType>(
    type: T,
    data: EventDataByType[T],
    attributes: EventAttributes = {},
  ): AuditEvent {
    const time = attributes.time ?? new Date(this.now());
    const trace =
      attributes.traceparent !== undefined
        ? { traceparent: attributes.traceparent, tracestate: attributes.tracestate }
        : traceAttributesOf(attributes.otelContext);
    return encodeEvent({
      specversion: '1.0',
      id: attributes.id ?? this.newId(),
      source: this.source,
      type,
      time: typeof time === 'string' ? time : time.toISOString(),
      ...(attributes.subject === undefined ? {} : { subject: attributes.subject }),
      datacontenttype: 'application/json',
      tenantid: attributes.tenantId ?? this.tenantId,
      ...(trace === undefined ? {} : trace),
      ...(attributes.partitionkey === undefined ? {} : { partitionkey: attributes.partitionkey }),
      data,
    }).event;
  }

  toolInvoked(data: ToolInvokedData, attributes?: EventAttributes): AuditEvent {
    return this.build('com.sqlmcp.tool.invoked', data, attributes);
  }

  sessionStarted(data: SessionStartedData, attributes?: EventAttributes): AuditEvent {
    return this.build('com.sqlmcp.session.started', data, attributes);
  }

  sessionEnded(data: SessionEndedData, attributes?: EventAttributes): AuditEvent {
    return this.build('com.sqlmcp.session.ended', data, attributes);
  }

  authFailed(data: AuthFailedData, attributes?: EventAttributes): AuditEvent {
    return this.build('com.sqlmcp.auth.failed', data, attributes);
  }

  policyDenied(data: PolicyDeniedData, attributes?: EventAttributes): AuditEvent {
    return this.build('com.sqlmcp.policy.denied', data, attributes);
  }

  configChanged(data: ConfigChangedData, attributes?: EventAttributes): AuditEvent {
    return this.build('com.sqlmcp.config.changed', data, attributes);
  }
}
