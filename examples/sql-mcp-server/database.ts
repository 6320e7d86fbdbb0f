import { readFile } from 'node:fs/promises';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';

/** A small sales schema with a few rows, so the tools have something to show. */
const DEMO_SCHEMA = `
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  country TEXT NOT NULL
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  total REAL NOT NULL,
  placed_at TEXT NOT NULL
);
INSERT INTO customers (id, name, country) VALUES
  (1, 'Contoso Ltd', 'NL'), (2, 'Fabrikam Inc', 'US'), (3, 'Northwind Traders', 'DE');
INSERT INTO orders (id, customer_id, total, placed_at) VALUES
  (1, 1, 120.5, '2025-01-04'), (2, 1, 80, '2025-02-11'), (3, 2, 310.25, '2025-02-12'),
  (4, 3, 42, '2025-03-01');
`;

/**
 * Opens an in-memory SQLite database (sql.js, WebAssembly): a copy of `file` when given, otherwise
 * the demo schema. Changes live in memory only; the file is never written.
 */
export async function openDatabase(file?: string): Promise<Database> {
  const SQL = await initSqlJs();
  if (file !== undefined) return new SQL.Database(await readFile(file));
  const db = new SQL.Database();
  db.run(DEMO_SCHEMA);
  return db;
}

/** A result row as JSON: blobs become base64 text. */
export type Row = Record<string, string | number | null>;

export function jsonRow(row: Record<string, SqlValue>): Row {
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) {
    out[column] = value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
  }
  return out;
}
