import type { Column, Database, Table } from './catalog';
import { FIRST_NAMES, LAST_NAMES } from './catalog';
import type { Random } from './random';

export type StatementKind =
  'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE' | 'DDL' | 'EXEC' | 'GRANT' | 'OTHER';

/** One SQL MCP tool call, before its outcome is decided. */
export interface ToolCall {
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly text: string;
  readonly kind: StatementKind;
  /** Schema objects touched, `schema.table`. */
  readonly objects: readonly string[];
  readonly parameters?: Record<string, unknown>;
  /** Upper bound of rows a success returns (reads) or changes (writes). */
  readonly maxRows: number;
  /** Rows a typical success returns or changes, before the actor's habits scale it. */
  readonly typicalRows: number;
  /** How heavy the statement is: scales its duration. */
  readonly cost: number;
}

/** The simulated "today" and the randomness a statement draws from. */
export interface SqlContext {
  readonly random: Random;
  readonly now: number;
}

const DAY_MS = 86_400_000;

export function qualified(table: Table): string {
  return `${table.schema}.${table.name}`;
}

function alias(table: Table, taken: string = ''): string {
  const letters = table.name
    .split('_')
    .map((part) => part.charAt(0))
    .join('');
  return letters === taken ? `${letters}2` : letters;
}

function idColumn(table: Table): Column {
  return table.columns.find((column) => column.type === 'id') ?? (table.columns[0] as Column);
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** A literal a person or agent would plausibly compare this column with. */
function literal(column: Column, ctx: SqlContext, table: Table): string | number {
  const { random } = ctx;
  switch (column.type) {
    case 'id':
      return random.int(1, Math.max(2, table.rows));
    case 'ref':
    case 'int':
      return random.int(1, column.type === 'ref' ? 50_000 : 500);
    case 'money':
      return random.pick([100, 250, 500, 1000, 2500, 10000]);
    case 'date':
      return isoDate(ctx.now - random.int(1, 120) * DAY_MS);
    case 'timestamp':
      return `${isoDate(ctx.now - random.int(0, 30) * DAY_MS)}T00:00:00`;
    case 'enum':
      return random.pick(column.values);
    case 'text':
      return random.pick(column.values.length > 0 ? column.values : ['a']);
    case 'email':
      return `${random.pick(FIRST_NAMES)}.${random.pick(LAST_NAMES)}@example.com`;
    case 'person':
      return `${capitalized(random.pick(FIRST_NAMES))} ${capitalized(random.pick(LAST_NAMES))}`;
    case 'flag':
      return random.int(0, 1);
  }
}

function sqlLiteral(value: string | number): string {
  return typeof value === 'number' ? String(value) : quote(value);
}

interface Predicate {
  readonly text: string;
  readonly parameters?: Record<string, unknown>;
  /** Fraction of rows the predicate keeps, roughly. */
  readonly selectivity: number;
}

function predicate(
  column: Column,
  prefix: string,
  ctx: SqlContext,
  table: Table,
  parameterize: boolean,
): Predicate {
  const { random } = ctx;
  const name = `${prefix}${column.name}`;
  const value = literal(column, ctx, table);
  const bind = (op: string, selectivity: number): Predicate =>
    parameterize
      ? {
          text: `${name} ${op} @${column.name}`,
          parameters: { [`@${column.name}`]: value },
          selectivity,
        }
      : { text: `${name} ${op} ${sqlLiteral(value)}`, selectivity };
  switch (column.type) {
    case 'id':
    case 'ref':
    case 'email':
    case 'person':
    case 'flag':
      return bind('=', column.type === 'flag' ? 0.5 : 0.0005);
    case 'int':
    case 'money':
      return bind(random.chance(0.5) ? '>=' : '<', 0.3);
    case 'date':
    case 'timestamp':
      return bind('>=', 0.1);
    case 'enum':
      if (!parameterize && column.values.length > 2 && random.chance(0.3)) {
        const chosen = random.sample(column.values, 2);
        return {
          text: `${name} IN (${chosen.map(quote).join(', ')})`,
          selectivity: 2 / column.values.length,
        };
      }
      return bind('=', 1 / Math.max(1, column.values.length));
    case 'text':
      return { text: `${name} LIKE ${quote(`%${String(value)}%`)}`, selectivity: 0.05 };
  }
}

function filterable(table: Table): Column[] {
  return table.columns.filter((column) => column.type !== 'id');
}

export function listTables(database: Database): ToolCall {
  return {
    tool: 'list_tables',
    arguments: {},
    text: "SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE'",
    kind: 'SELECT',
    objects: ['INFORMATION_SCHEMA.TABLES'],
    maxRows: database.tables.length,
    typicalRows: database.tables.length,
    cost: 0.2,
  };
}

export function describeTable(table: Table): ToolCall {
  return {
    tool: 'describe_table',
    arguments: { table: qualified(table) },
    text: `SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = '${table.name}'`,
    kind: 'SELECT',
    objects: [qualified(table)],
    maxRows: table.columns.length,
    typicalRows: table.columns.length,
    cost: 0.2,
  };
}

export interface SelectOptions {
  /** Write TOP (n) into the statement. */
  readonly top?: number;
  readonly parameterize: boolean;
  readonly selectStar: boolean;
  readonly maxRowsArgument: number;
}

/** `SELECT ... FROM t [JOIN parent] WHERE ... [ORDER BY ...]`. */
export function selectQuery(
  database: Database,
  table: Table,
  ctx: SqlContext,
  options: SelectOptions,
): ToolCall {
  const { random } = ctx;
  const a = alias(table);
  const reference = table.columns.find((column) => column.type === 'ref');
  const parent =
    reference === undefined
      ? undefined
      : database.tables.find((t) => t.name === reference.values[0]);
  const join =
    reference !== undefined && parent !== undefined && parent !== table && random.chance(0.35);
  const b = parent === undefined ? '' : alias(parent, a);
  const columns = options.selectStar
    ? [`${a}.*`]
    : random
        .sample(table.columns, random.int(2, Math.min(5, table.columns.length)))
        .map((c) => `${a}.${c.name}`);
  if (join && parent !== undefined) {
    const extra = parent.columns.find(
      (column) => column.type === 'text' || column.type === 'enum' || column.type === 'person',
    );
    if (extra !== undefined) columns.push(`${b}.${extra.name}`);
  }
  const candidates = filterable(table);
  const wanted = random.int(1, 2);
  const predicates = random
    .sample(candidates, wanted)
    .map((column) => predicate(column, `${a}.`, ctx, table, options.parameterize));
  const dateColumn = table.columns.find(
    (column) => column.type === 'date' || column.type === 'timestamp',
  );
  const top = options.top === undefined ? '' : `TOP (${options.top}) `;
  let text = `SELECT ${top}${columns.join(', ')} FROM ${qualified(table)} AS ${a}`;
  if (join && parent !== undefined && reference !== undefined) {
    text += ` JOIN ${qualified(parent)} AS ${b} ON ${b}.${idColumn(parent).name} = ${a}.${reference.name}`;
  }
  if (predicates.length > 0) text += ` WHERE ${predicates.map((p) => p.text).join(' AND ')}`;
  if (dateColumn !== undefined && random.chance(0.6))
    text += ` ORDER BY ${a}.${dateColumn.name} DESC`;
  const selectivity = predicates.reduce((product, p) => product * p.selectivity, 1);
  const parameters = predicates.reduce<Record<string, unknown> | undefined>(
    (all, p) => (p.parameters === undefined ? all : { ...all, ...p.parameters }),
    undefined,
  );
  const cap = Math.min(options.top ?? Number.MAX_SAFE_INTEGER, options.maxRowsArgument, table.rows);
  const objects =
    join && parent !== undefined ? [qualified(table), qualified(parent)] : [qualified(table)];
  return {
    tool: 'read_query',
    arguments: { maxRows: options.maxRowsArgument },
    text,
    kind: 'SELECT',
    objects,
    ...(parameters === undefined ? {} : { parameters }),
    maxRows: Math.max(0, cap),
    typicalRows: Math.max(1, Math.round(table.rows * selectivity)),
    cost: join ? 3 : 1,
  };
}

/** `SELECT g, COUNT(*), SUM(m) ... GROUP BY g`: few rows, more work. */
export function aggregateQuery(table: Table, ctx: SqlContext): ToolCall {
  const { random } = ctx;
  const a = alias(table);
  const groups = table.columns.filter((column) => column.type === 'enum');
  const measures = table.columns.filter(
    (column) => column.type === 'money' || column.type === 'int',
  );
  const group = groups.length > 0 ? random.pick(groups) : undefined;
  const measure = measures.length > 0 ? random.pick(measures) : undefined;
  const dateColumn = table.columns.find(
    (column) => column.type === 'date' || column.type === 'timestamp',
  );
  const select: string[] = [];
  if (group !== undefined) select.push(`${a}.${group.name}`);
  select.push('COUNT(*) AS row_count');
  if (measure !== undefined) {
    const fn = random.pick(['SUM', 'AVG', 'MAX']);
    select.push(`${fn}(${a}.${measure.name}) AS ${fn.toLowerCase()}_${measure.name}`);
  }
  let text = `SELECT ${select.join(', ')} FROM ${qualified(table)} AS ${a}`;
  if (dateColumn !== undefined) {
    text += ` WHERE ${a}.${dateColumn.name} >= '${isoDate(ctx.now - random.pick([7, 30, 90, 365]) * DAY_MS)}'`;
  }
  if (group !== undefined) text += ` GROUP BY ${a}.${group.name} ORDER BY row_count DESC`;
  const rows = group === undefined ? 1 : group.values.length;
  return {
    tool: 'aggregate',
    arguments: { table: qualified(table), ...(group === undefined ? {} : { groupBy: group.name }) },
    text,
    kind: 'SELECT',
    objects: [qualified(table)],
    maxRows: rows,
    typicalRows: rows,
    cost: Math.max(2, Math.log10(table.rows)),
  };
}

/** An UPDATE, INSERT or DELETE of a few rows, as applications and people make them. */
export function writeQuery(table: Table, ctx: SqlContext): ToolCall {
  const { random } = ctx;
  const id = idColumn(table);
  const others = filterable(table);
  const choice = random.next();
  let text: string;
  let kind: StatementKind;
  let typicalRows = 1;
  let parameters: Record<string, unknown> | undefined;
  if (choice < 0.5) {
    const set = random.sample(others, random.int(1, 2));
    const assignments = set.map(
      (column) => `${column.name} = ${sqlLiteral(literal(column, ctx, table))}`,
    );
    text = `UPDATE ${qualified(table)} SET ${assignments.join(', ')} WHERE ${id.name} = ${literal(id, ctx, table)}`;
    kind = 'UPDATE';
  } else if (choice < 0.85) {
    const values = others.map((column) => literal(column, ctx, table));
    if (random.chance(0.5)) {
      parameters = Object.fromEntries(others.map((column, i) => [`@${column.name}`, values[i]]));
      text = `INSERT INTO ${qualified(table)} (${others.map((c) => c.name).join(', ')}) VALUES (${others.map((c) => `@${c.name}`).join(', ')})`;
    } else {
      text = `INSERT INTO ${qualified(table)} (${others.map((c) => c.name).join(', ')}) VALUES (${values.map(sqlLiteral).join(', ')})`;
    }
    kind = 'INSERT';
  } else {
    const dated = table.columns.find(
      (column) => column.type === 'date' || column.type === 'timestamp',
    );
    if (dated !== undefined) {
      text = `DELETE FROM ${qualified(table)} WHERE ${dated.name} < '${isoDate(ctx.now - random.int(365, 1500) * DAY_MS)}'`;
      typicalRows = random.int(10, 4000);
    } else {
      text = `DELETE FROM ${qualified(table)} WHERE ${id.name} = ${literal(id, ctx, table)}`;
    }
    kind = 'DELETE';
  }
  return {
    tool: 'write_query',
    arguments: {},
    text,
    kind,
    objects: [qualified(table)],
    ...(parameters === undefined ? {} : { parameters }),
    maxRows: Math.max(typicalRows, 1),
    typicalRows,
    cost: 1.5,
  };
}

/** A warehouse load: MERGE from a staging table. */
export function mergeQuery(table: Table, ctx: SqlContext): ToolCall {
  const keys = table.columns
    .filter((column) => column.type === 'date' || column.type === 'enum')
    .slice(0, 2);
  const on = (keys.length > 0 ? keys : [idColumn(table)])
    .map((c) => `t.${c.name} = s.${c.name}`)
    .join(' AND ');
  const values = filterable(table).filter((column) => !keys.includes(column));
  const set = values.map((c) => `t.${c.name} = s.${c.name}`).join(', ');
  const all = [...keys, ...values].map((c) => c.name);
  const rows = ctx.random.int(200, 20_000);
  return {
    tool: 'write_query',
    arguments: {},
    text: `MERGE ${qualified(table)} AS t USING staging.${table.name} AS s ON ${on} WHEN MATCHED THEN UPDATE SET ${set} WHEN NOT MATCHED THEN INSERT (${all.join(', ')}) VALUES (${all.map((n) => `s.${n}`).join(', ')});`,
    kind: 'MERGE',
    objects: [qualified(table), `staging.${table.name}`],
    maxRows: rows,
    typicalRows: rows,
    cost: 20,
  };
}

export function execProcedure(database: Database, ctx: SqlContext): ToolCall {
  const procedure = ctx.random.pick(database.procedures);
  const asOf = isoDate(ctx.now - DAY_MS);
  return {
    tool: 'execute_procedure',
    arguments: { procedure },
    text: `EXEC ${procedure} @as_of = '${asOf}'`,
    kind: 'EXEC',
    objects: [procedure],
    maxRows: 0,
    typicalRows: ctx.random.int(0, 5000),
    cost: 15,
  };
}

/** Schema maintenance a DBA or a migration service runs. */
export function ddlStatement(table: Table, ctx: SqlContext): ToolCall {
  const { random } = ctx;
  const column = random.pick(filterable(table));
  const options = [
    `CREATE NONCLUSTERED INDEX IX_${table.name}_${column.name} ON ${qualified(table)} (${column.name})`,
    `ALTER TABLE ${qualified(table)} ADD ${random.pick(['archived_at', 'source_system', 'row_version'])} ${random.pick(['datetime2 NULL', 'nvarchar(64) NULL', 'rowversion'])}`,
    `ALTER INDEX ALL ON ${qualified(table)} REBUILD WITH (ONLINE = ON)`,
  ];
  return {
    tool: 'execute_ddl',
    arguments: {},
    text: random.pick(options),
    kind: 'DDL',
    objects: [qualified(table)],
    maxRows: 0,
    typicalRows: 0,
    cost: 30,
  };
}

export function grantStatement(table: Table, ctx: SqlContext): ToolCall {
  const role = ctx.random.pick(['reporting_reader', 'analyst_role', 'etl_writer', 'support_agent']);
  const permission = role === 'etl_writer' ? 'SELECT, INSERT, UPDATE' : 'SELECT';
  return {
    tool: 'execute_ddl',
    arguments: {},
    text: `GRANT ${permission} ON ${qualified(table)} TO [${role}]`,
    kind: 'GRANT',
    objects: [qualified(table)],
    maxRows: 0,
    typicalRows: 0,
    cost: 1,
  };
}
