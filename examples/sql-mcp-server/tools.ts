import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Database, Statement } from 'sql.js';
import { z } from 'zod';
import { jsonRow, type Row } from './database';

const rowsOutput = { rows: z.array(z.record(z.string(), z.unknown())) };

/**
 * Registers the four SQL tools on `server`: list_tables, describe_table, read_query, write_query.
 * The handlers know nothing about auditing; each returns its rows (or rowsAffected) as structured
 * content, which is where the audit wrapper's default describeCall finds them.
 */
export function registerSqlTools(server: McpServer, db: Database): void {
  server.registerTool(
    'list_tables',
    {
      description: 'Lists the tables of the database.',
      outputSchema: rowsOutput,
    },
    async () =>
      result(
        queryRows(
          db,
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ),
      ),
  );

  server.registerTool(
    'describe_table',
    {
      description:
        'Lists the columns of a table: name, type, whether NULL is allowed, default, key.',
      inputSchema: { table: z.string().min(1) },
      outputSchema: rowsOutput,
    },
    async ({ table }) => {
      const exists = queryRows(
        db,
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
        [table],
      );
      if (exists.length === 0) throw new Error(`no such table: ${table}`);
      const columns = queryRows(db, `PRAGMA table_info(${quoteIdentifier(table)})`).map((c) => ({
        name: c['name'] ?? null,
        type: c['type'] ?? null,
        nullable: c['notnull'] === 0,
        default: c['dflt_value'] ?? null,
        primaryKey: c['pk'] !== 0,
      }));
      return result(columns);
    },
  );

  server.registerTool(
    'read_query',
    {
      description: 'Runs one read-only SQL statement (SELECT) and returns its rows.',
      inputSchema: { query: z.string().min(1) },
      outputSchema: rowsOutput,
    },
    async ({ query }) => {
      const statement = single(db, query);
      // Run inside a savepoint that is always rolled back: whatever the statement does is undone,
      // and a statement that changed anything is refused.
      const before = changeCounters(db);
      db.run('SAVEPOINT read_query');
      try {
        const rows: Row[] = [];
        while (statement.step()) rows.push(jsonRow(statement.getAsObject()));
        if (!sameCounters(before, changeCounters(db))) {
          throw new Error('read_query runs read-only statements; use write_query to change data');
        }
        return result(rows);
      } finally {
        statement.free();
        db.run('ROLLBACK TO read_query');
        db.run('RELEASE read_query');
      }
    },
  );

  server.registerTool(
    'write_query',
    {
      description:
        'Runs one SQL statement that changes data or schema (INSERT, UPDATE, DELETE, CREATE...).',
      inputSchema: { query: z.string().min(1) },
      outputSchema: { rowsAffected: z.number().int().min(0) },
    },
    async ({ query }) => {
      const statement = single(db, query);
      const before = changeCounters(db);
      try {
        if (statement.step()) {
          throw new Error('write_query does not return rows; use read_query for SELECT');
        }
      } finally {
        statement.free();
      }
      const rowsAffected = changeCounters(db).totalChanges - before.totalChanges;
      return {
        content: [{ type: 'text' as const, text: JSON.stringify({ rowsAffected }) }],
        structuredContent: { rowsAffected },
      };
    },
  );
}

function result(rows: Record<string, unknown>[]) {
  return {
    content: [{ type: 'text' as const, text: JSON.stringify(rows) }],
    structuredContent: { rows },
  };
}

function queryRows(db: Database, sql: string, params: (string | number)[] = []): Row[] {
  const statement = db.prepare(sql, params);
  try {
    const rows: Row[] = [];
    while (statement.step()) rows.push(jsonRow(statement.getAsObject()));
    return rows;
  } finally {
    statement.free();
  }
}

/** Prepares `sql`, which must hold exactly one statement. */
function single(db: Database, sql: string): Statement {
  // The iterator frees each statement when it moves to the next, so the first is prepared again.
  const statements = db.iterateStatements(sql);
  const first = statements.next();
  if (first.done === true) throw new Error('expected one SQL statement, got none');
  const text = first.value.getSQL();
  const second = statements.next();
  if (second.done !== true) {
    second.value.free();
    throw new Error('expected one SQL statement, got several');
  }
  return db.prepare(text);
}

interface Counters {
  totalChanges: number;
  schemaVersion: number;
}

function changeCounters(db: Database): Counters {
  const [row] = queryRows(db, 'SELECT total_changes() AS changes');
  const [schema] = queryRows(db, 'PRAGMA schema_version');
  return {
    totalChanges: Number(row?.['changes'] ?? 0),
    schemaVersion: Number(schema?.['schema_version'] ?? 0),
  };
}

function sameCounters(a: Counters, b: Counters): boolean {
  return a.totalChanges === b.totalChanges && a.schemaVersion === b.schemaVersion;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
