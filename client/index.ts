/**
 * The producer client for sql-mcp-audit: builds v1 audit events, validates them with the ingest
 * pipeline's own parser, publishes them to Event Hubs with an offline spool, guards calls
 * fail-closed or fail-open, and audits McpServer tool calls. See docs/client.md.
 */
export {
  AuditEventBuilder,
  type AuditEventBuilderOptions,
  type AuthFailedData,
  type ConfigChangedData,
  type EventAttributes,
  type EventDataByType,
  type PolicyDeniedData,
  type SessionEndedData,
  type SessionStartedData,
  type ToolInvokedData,
} from './events/builder';
export { encodeEvent, type EncodedEvent } from './events/encode';
export { InvalidAuditEventError } from './events/errors';
export { traceAttributesOf, type TraceAttributes } from './events/trace-context';
export { createUuidV7Generator, UUID_V7_PATTERN } from './events/uuidv7';

export {
  AuditProducer,
  DEFAULT_RETRY_OPTIONS,
  type AuditProducerOptions,
  type ProducerState,
  type ProducerStats,
  type PublishReceipt,
  type Readiness,
} from './publish/producer';
export {
  ConnectionSettingError,
  connectionFromSettings,
  type EventHubsConnection,
} from './publish/connection';
export {
  AuditEventTooLargeError,
  EventHubsUnavailableError,
  ProducerClosedError,
} from './publish/errors';
export type { BackoffOptions } from './publish/backoff';
export type { AuditGap, GapReason } from './publish/telemetry';

export {
  DEFAULT_SPOOL_MAX_BYTES,
  inspectSpool,
  Spool,
  type SpoolInspection,
  type SpoolOptions,
  type SpoolRecovery,
} from './spool/spool';
export {
  SpoolClosedError,
  SpoolCorruptError,
  SpoolFullError,
  SpoolWriteError,
} from './spool/errors';
export { SpoolInUseError } from './spool/lock';
export type { SpoolFile } from './spool/file';

export {
  AuditNotRecordedError,
  auditedCall,
  type AuditMode,
  type AuditPolicy,
  type CallOutcome,
} from './guard/audited-call';

export {
  auditMcpServer,
  McpAuditSetupError,
  type McpAudit,
  type McpAuditOptions,
  type McpCaller,
} from './mcp/audit-mcp-server';
export {
  describeSqlToolCall,
  SQL_ARGUMENT_NAMES,
  type ToolCall,
  type ToolCallFacts,
} from './mcp/tool-call-facts';

export type { AuditEvent, AuditEventType, Actor, Target } from '../src/schema/types';
export type { Rejection } from '../src/schema/parse';
