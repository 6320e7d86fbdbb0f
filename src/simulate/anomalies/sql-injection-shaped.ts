import { openScope, type World } from '../behaviour';
import { denialReason } from '../policy';
import type { ColumnType, Database, Table } from '../catalog';
import {
  sessionEnded,
  sessionStarted,
  toolEvent,
  type Draft,
  type Outcome,
  type Policy,
} from '../events';
import type { Actor } from '../population';
import type { Random } from '../random';
import { qualified, type StatementKind, type ToolCall } from '../sql';
import { allow, success } from './shared';

/** Statement text shaped like SQL injection: tautologies, UNION SELECT, stacked and time-based payloads. */
export function sqlInjectionShaped(world: World, length: number, now: number): Draft[] {
  const { random } = world;
  const tenant = random.pick(world.tenants);
  const actors = tenant.actors.filter((actor) => actor.type !== 'service');
  const actor = random.pick(actors);
  const database = random.weighted(actor.databases, (entry) => entry.weight).database;
  const start = now + random.int(1_000, 30_000);
  const scope = {
    ...openScope(world, tenant, actor, database, start),
    anomaly: 'sql-injection-shaped' as const,
  };
  const drafts: Draft[] = [
    sessionStarted(scope, start, random.int(20, 120), allow(actor.allowRule)),
  ];
  let time = start + random.int(500, 3_000);
  // Injected text lands in string comparisons, so the attempts go to tables with a text column.
  const searchable = database.tables.filter((table) =>
    table.columns.some((column) => TEXTUAL.includes(column.type)),
  );
  for (let i = 0; i < length - 2; i++) {
    const table = random.pick(searchable.length > 0 ? searchable : database.tables);
    const { call, outcome, policy } = injectionAttempt(database, table, actor, random);
    drafts.push(toolEvent(scope, time, call, outcome, policy));
    time += outcome.durationMs + random.int(300, 8_000);
  }
  drafts.push(sessionEnded(scope, time, start));
  return drafts;
}

const TEXTUAL: readonly ColumnType[] = ['text', 'email', 'person'];

function injectionAttempt(
  database: Database,
  table: Table,
  actor: Actor,
  random: Random,
): { call: ToolCall; outcome: Outcome; policy: Policy } {
  const t = qualified(table);
  const id = table.columns.find((column) => column.type === 'id')?.name ?? 'id';
  const text = table.columns.find((column) => TEXTUAL.includes(column.type))?.name ?? id;
  const variant = random.int(0, 6);
  const many = Math.min(table.rows, 5000);
  const failure = (code: string, message: string): Outcome => ({
    status: 'failure',
    rowsReturned: 0,
    rowsAffected: 0,
    durationMs: random.int(2, 40),
    errorCode: code,
    errorMessage: message,
  });
  const denied = (ruleId: string): Outcome => ({
    status: 'denied',
    durationMs: random.int(1, 5),
    errorCode: 'POLICY_DENIED',
    errorMessage: `Denied by rule ${ruleId}: ${denialReason(ruleId)}.`,
  });
  const shapes: readonly {
    sql: string;
    kind: StatementKind;
    outcome: () => Outcome;
    policy: Policy;
  }[] = [
    {
      sql: `SELECT * FROM ${t} WHERE ${text} = '' OR '1'='1'`,
      kind: 'SELECT',
      outcome: () => success(many, 0, random.int(200, 3_000)),
      policy: allow(actor.allowRule),
    },
    {
      sql: `SELECT * FROM ${t} WHERE ${id} = 1 OR 1=1 --`,
      kind: 'SELECT',
      outcome: () => success(many, 0, random.int(200, 3_000)),
      policy: allow(actor.allowRule),
    },
    {
      sql: `SELECT ${id}, ${text} FROM ${t} WHERE ${text} = 'x' UNION SELECT name, password_hash FROM dbo.users--`,
      kind: 'SELECT',
      outcome: () => failure('208', "Invalid object name 'dbo.users'."),
      policy: allow(actor.allowRule),
    },
    {
      sql: `SELECT ${id}, ${text} FROM ${t} WHERE ${id} = -1 UNION ALL SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES--`,
      kind: 'SELECT',
      outcome: () => success(database.tables.length, 0, random.int(5, 60)),
      policy: allow(actor.allowRule),
    },
    {
      sql: `SELECT * FROM ${t} WHERE ${id} = 5; DROP TABLE ${t};--`,
      kind: 'SELECT',
      outcome: () => denied('stacked-statements'),
      policy: { decision: 'deny', ruleId: 'stacked-statements' },
    },
    {
      sql: `SELECT * FROM ${t} WHERE ${text} LIKE '%a%'; WAITFOR DELAY '0:0:5'--`,
      kind: 'SELECT',
      outcome: () => denied('stacked-statements'),
      policy: { decision: 'deny', ruleId: 'stacked-statements' },
    },
    {
      sql: `SELECT * FROM ${t} WHERE ${id} = 1 AND 1=CONVERT(int, (SELECT TOP 1 name FROM sys.tables))`,
      kind: 'SELECT',
      outcome: () =>
        failure(
          '245',
          `Conversion failed when converting the nvarchar value '${table.name}' to data type int.`,
        ),
      policy: allow(actor.allowRule),
    },
  ];
  const shape = shapes[variant] as (typeof shapes)[number];
  const call: ToolCall = {
    tool: 'read_query',
    arguments: { maxRows: 5000 },
    text: shape.sql,
    kind: shape.kind,
    objects: [t],
    maxRows: many,
    typicalRows: many,
    cost: 1,
  };
  return { call, outcome: shape.outcome(), policy: shape.policy };
}
