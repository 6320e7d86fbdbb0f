import type { JsonValue, Statement, Target } from '../../src/schema/types';

/** One tools/call as the wrapper saw it, for describeCall. */
export interface ToolCall {
  name: string;
  /** The arguments as the client sent them. */
  arguments: Record<string, unknown> | undefined;
  /** The CallToolResult returned to the client (absent when the handler threw). */
  result?: {
    isError?: boolean;
    structuredContent?: Record<string, unknown>;
    content?: unknown[];
  };
}

/** What the audit record should say about a call beyond its name, arguments, timing and status. */
export interface ToolCallFacts {
  statement?: Statement;
  target?: Target;
  rowsReturned?: number;
  rowsAffected?: number;
}

/** Argument names read as SQL text, in order of preference. */
export const SQL_ARGUMENT_NAMES: readonly string[] = ['sql', 'query', 'statement'];

/**
 * The default describeCall for SQL tools, by convention rather than configuration:
 * - statement.text: the first string argument named `sql`, `query` or `statement`;
 * - statement.parameters: an object or array argument named `parameters` or `params`;
 * - rowsReturned: `structuredContent.rows` (its length, when an array) or `structuredContent.rowCount`;
 * - rowsAffected: `structuredContent.rowsAffected` or `structuredContent.changes`.
 * Anything else a server wants recorded it supplies with its own describeCall.
 */
export function describeSqlToolCall(call: ToolCall): ToolCallFacts {
  const facts: ToolCallFacts = {};
  const args = call.arguments ?? {};
  const text = SQL_ARGUMENT_NAMES.map((name) => args[name]).find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  const parameters = args['parameters'] ?? args['params'];
  if (text !== undefined || isParameters(parameters)) {
    facts.statement = {
      ...(text === undefined ? {} : { text }),
      ...(isParameters(parameters) ? { parameters } : {}),
    };
  }
  const structured = call.result?.structuredContent;
  if (structured !== undefined) {
    const rows = structured['rows'];
    const rowsReturned = Array.isArray(rows) ? rows.length : count(structured['rowCount']);
    if (rowsReturned !== undefined) facts.rowsReturned = rowsReturned;
    const rowsAffected = count(structured['rowsAffected']) ?? count(structured['changes']);
    if (rowsAffected !== undefined) facts.rowsAffected = rowsAffected;
  }
  return facts;
}

function count(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

function isParameters(value: unknown): value is { [key: string]: JsonValue } | JsonValue[] {
  return typeof value === 'object' && value !== null;
}
