import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  CallToolRequestSchema,
  McpError,
  type CallToolRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { Actor, AuditEvent, Client, JsonValue, Outcome, Target } from '../../src/schema/types';
import type { AuditEventBuilder } from '../events/builder';
import { createUuidV7Generator } from '../events/uuidv7';
import { auditedCall, type AuditMode } from '../guard/audited-call';
import type { AuditProducer } from '../publish/producer';
import { chainCallback } from './chain-callback';
import { describeSqlToolCall, type ToolCall, type ToolCallFacts } from './tool-call-facts';

/** Who is calling, as far as the MCP server knows. */
export interface McpCaller {
  sessionId: string;
  /** clientInfo from initialize. */
  client?: Client;
  /** The verified token of an authenticated transport (streamable HTTP with auth). */
  authInfo?: AuthInfo;
}

export interface McpAuditOptions {
  producer: AuditProducer;
  /** Builds the events: source and tenant of this server. */
  events: AuditEventBuilder;
  /** The actor of each event: fixed, or derived from the caller (for example from authInfo). */
  actor: Actor | ((caller: McpCaller) => Actor);
  /** What this server fronts (server and database names), merged into every tool event. */
  target?: Target;
  mode: AuditMode;
  /** fail-closed: how long a result may wait for its event to be durable. Default 5000 ms. */
  timeoutMs?: number;
  /** Extracts statement, rows and target from a call. Default describeSqlToolCall. */
  describeCall?: (call: ToolCall) => ToolCallFacts;
}

/** The auditing attached to one McpServer. */
export interface McpAudit {
  /** The current session's id: the transport's session id, or one generated at initialize. */
  readonly sessionId: string | undefined;
}

/** auditMcpServer was called too late to see tool calls. */
export class McpAuditSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpAuditSetupError';
  }
}

const MAX_ERROR_MESSAGE = 4096;
const MAX_ERROR_CODE = 64;

/**
 * Audits an McpServer without touching its tool handlers: every tools/call becomes a
 * com.sqlmcp.tool.invoked event (arguments, duration, outcome, rows, errors), and each session a
 * com.sqlmcp.session.started and com.sqlmcp.session.ended event.
 *
 * It wraps the tools/call request handler the McpServer installs when its first tool is
 * registered, so it sees every call, including calls the server refuses (unknown tool, invalid
 * arguments). Precondition: call it before registering the first tool; otherwise it throws
 * McpAuditSetupError. Under fail-closed a refused call reaches the client as a JSON-RPC error
 * (InternalError, -32603) whose message is the AuditNotRecordedError's.
 *
 * Session events are recorded fail-open (an initialize cannot be undone): a lost one is a gap.
 */
export function auditMcpServer(server: McpServer, options: McpAuditOptions): McpAudit {
  const protocol = server.server;
  try {
    protocol.assertCanSetRequestHandler(CallToolRequestSchema.shape.method.value);
  } catch {
    throw new McpAuditSetupError(
      'auditMcpServer must be called before the first tool is registered: the tools/call handler is already installed',
    );
  }
  const newSessionId = createUuidV7Generator();
  const describe = options.describeCall ?? describeSqlToolCall;
  const policy = { mode: options.mode, timeoutMs: options.timeoutMs ?? 5000 };
  let session: { id: string; client?: Client } | undefined;

  const currentSession = (
    transportSessionId: string | undefined,
  ): { id: string; client?: Client } => {
    session ??= { id: transportSessionId ?? newSessionId() };
    return session;
  };
  const actorOf = (caller: McpCaller): Actor =>
    typeof options.actor === 'function' ? options.actor(caller) : options.actor;

  chainCallback(protocol, 'oninitialized', () => {
    const info = protocol.getClientVersion();
    session = {
      id: protocol.transport?.sessionId ?? newSessionId(),
      ...(info === undefined ? {} : { client: clientOf(info) }),
    };
    const started = session;
    recordSafely(options.producer, () =>
      options.events.sessionStarted({
        actor: actorOf({
          sessionId: started.id,
          ...(started.client ? { client: started.client } : {}),
        }),
        session: { id: started.id },
        client: started.client ?? { name: 'unknown' },
      }),
    );
  });
  chainCallback(protocol, 'onclose', () => {
    const ended = session;
    session = undefined;
    if (ended === undefined) return;
    recordSafely(options.producer, () =>
      options.events.sessionEnded({
        actor: actorOf({ sessionId: ended.id, ...(ended.client ? { client: ended.client } : {}) }),
        session: { id: ended.id },
        ...(ended.client ? { client: ended.client } : {}),
      }),
    );
  });

  type Handler = Parameters<typeof protocol.setRequestHandler<typeof CallToolRequestSchema>>[1];
  const install = protocol.setRequestHandler.bind(protocol);
  const audited =
    (handler: Handler): Handler =>
    async (request, extra) => {
      const current = currentSession(extra.sessionId);
      const caller: McpCaller = {
        sessionId: current.id,
        ...(current.client ? { client: current.client } : {}),
        ...(extra.authInfo ? { authInfo: extra.authInfo } : {}),
      };
      const name = request.params.name;
      return auditedCall(
        options.producer,
        policy,
        `tool ${name}`,
        () => Promise.resolve(handler(request, extra)),
        (outcome) => {
          const result =
            outcome.status === 'returned' ? (outcome.value as ToolCall['result']) : undefined;
          const facts = describe({
            name,
            arguments: request.params.arguments,
            ...(result === undefined ? {} : { result }),
          });
          const target = { ...options.target, ...facts.target };
          return options.events.toolInvoked(
            {
              actor: actorOf(caller),
              ...(caller.client ? { client: caller.client } : {}),
              session: { id: caller.sessionId },
              tool: toolOf(request),
              ...(Object.keys(target).length > 0 ? { target } : {}),
              ...(facts.statement ? { statement: facts.statement } : {}),
              outcome: outcomeOf(outcome, result, facts),
            },
            {},
          );
        },
      );
    };
  protocol.setRequestHandler = ((schema: unknown, handler: unknown) =>
    schema === CallToolRequestSchema
      ? install(CallToolRequestSchema, audited(handler as Handler))
      : (install as (s: unknown, h: unknown) => void)(
          schema,
          handler,
        )) as typeof protocol.setRequestHandler;

  return {
    get sessionId() {
      return session?.id;
    },
  };
}

function toolOf(request: CallToolRequest): {
  name: string;
  arguments?: { [key: string]: JsonValue };
} {
  const args = request.params.arguments;
  return {
    name: request.params.name,
    ...(args === undefined ? {} : { arguments: args as { [key: string]: JsonValue } }),
  };
}

function outcomeOf(
  outcome:
    | { status: 'returned'; durationMs: number }
    | { status: 'threw'; error: unknown; durationMs: number },
  result: ToolCall['result'],
  facts: ToolCallFacts,
): Outcome {
  const rows = {
    ...(facts.rowsReturned === undefined ? {} : { rowsReturned: facts.rowsReturned }),
    ...(facts.rowsAffected === undefined ? {} : { rowsAffected: facts.rowsAffected }),
  };
  const durationMs = Math.round(outcome.durationMs * 1000) / 1000;
  if (outcome.status === 'threw') {
    const error = outcome.error;
    const code = error instanceof McpError ? error.code : (error as { code?: unknown })?.code;
    return {
      status: 'failure',
      durationMs,
      ...rows,
      ...(typeof code === 'number' && Number.isSafeInteger(code) ? { errorCode: code } : {}),
      ...(typeof code === 'string'
        ? { errorCode: Array.from(code).slice(0, MAX_ERROR_CODE).join('') }
        : {}),
      errorMessage: cleanMessage(error instanceof Error ? error.message : String(error)),
    };
  }
  if (result?.isError === true) {
    return {
      status: 'failure',
      durationMs,
      ...rows,
      errorMessage: cleanMessage(textOf(result.content)),
    };
  }
  return { status: 'success', durationMs, ...rows };
}

/** The text parts of a tool result, which is where an MCP tool error says what went wrong. */
function textOf(content: unknown[] | undefined): string {
  const texts = (content ?? [])
    .filter((part): part is { type: 'text'; text: string } => {
      const candidate = part as { type?: unknown; text?: unknown };
      return candidate.type === 'text' && typeof candidate.text === 'string';
    })
    .map((part) => part.text);
  return texts.length > 0 ? texts.join('\n') : 'the tool reported an error without text';
}

/**
 * Fits an error message to the schema: at most 4096 code points, and no control characters other
 * than tab, CR and LF (others become U+FFFD), so a strange message cannot make the event invalid.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this replaces
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function cleanMessage(message: string): string {
  const cleaned = message.replace(FORBIDDEN_CONTROLS, '\ufffd');
  const points = Array.from(cleaned);
  return points.length > MAX_ERROR_MESSAGE ? points.slice(0, MAX_ERROR_MESSAGE).join('') : cleaned;
}

function clientOf(info: { name: string; version?: string }): Client {
  return { name: info.name, ...(info.version ? { version: info.version } : {}) };
}

/** Session events: built and recorded fail-open; a failure to build one is a gap like any other. */
function recordSafely(producer: AuditProducer, build: () => AuditEvent): void {
  try {
    producer.record(build());
  } catch (error) {
    producer.reportGap(error);
  }
}
