import { openScope, type World } from '../behaviour';
import { sessionEnded, sessionStarted, toolEvent, type Draft, type Outcome } from '../events';
import { qualified, type ToolCall } from '../sql';
import { agentsOf, allow, success } from './shared';

/** An agent that only ever reads starts changing the schema, and the legacy allow-all rule lets it. */
export function ddlFromReadOnlyAgent(world: World, length: number, now: number): Draft[] {
  const { random } = world;
  const tenant = random.pick(world.tenants);
  const agent = random.pick(agentsOf(tenant).filter((actor) => actor.readOnly));
  const database = random.weighted(agent.databases, (entry) => entry.weight).database;
  const start = now + random.int(1_000, 30_000);
  const scope = {
    ...openScope(world, tenant, agent, database, start),
    anomaly: 'ddl-from-read-only-agent' as const,
  };
  const drafts: Draft[] = [
    sessionStarted(scope, start, random.int(20, 120), allow(agent.allowRule)),
  ];
  let time = start + random.int(500, 3_000);
  const target = random.pick(database.tables);
  const read: ToolCall = {
    tool: 'read_query',
    arguments: { maxRows: 1000 },
    text: `SELECT TOP (50) * FROM ${qualified(target)}`,
    kind: 'SELECT',
    objects: [qualified(target)],
    maxRows: 50,
    typicalRows: 50,
    cost: 1,
  };
  drafts.push(
    toolEvent(
      scope,
      time,
      read,
      success(Math.min(50, target.rows), 0, random.int(8, 60)),
      allow(agent.allowRule),
    ),
  );
  time += random.int(1_000, 6_000);
  const scratch = `dbo.tmp_export_${random.hex(4)}`;
  const statements: readonly { text: string; objects: string[] }[] = [
    { text: `DROP TABLE ${qualified(target)}_archive`, objects: [`${qualified(target)}_archive`] },
    {
      text: `ALTER TABLE ${qualified(target)} ADD export_flag bit NULL`,
      objects: [qualified(target)],
    },
    {
      text: `CREATE TABLE ${scratch} (id int IDENTITY PRIMARY KEY, payload nvarchar(max))`,
      objects: [scratch],
    },
    { text: `TRUNCATE TABLE ${qualified(target)}`, objects: [qualified(target)] },
    { text: 'CREATE USER [ext_sync] WITHOUT LOGIN', objects: [] },
    { text: 'ALTER ROLE db_owner ADD MEMBER [ext_sync]', objects: [] },
  ];
  const chosen = random.sample(statements, length - 3);
  for (const { text, objects } of chosen) {
    const call: ToolCall = {
      tool: 'execute_ddl',
      arguments: {},
      text,
      kind: 'DDL',
      objects,
      maxRows: 0,
      typicalRows: 0,
      cost: 10,
    };
    const failed = text.startsWith('DROP') && random.chance(0.5);
    const outcome: Outcome = failed
      ? {
          status: 'failure',
          rowsReturned: 0,
          rowsAffected: 0,
          durationMs: random.int(2, 20),
          errorCode: '3701',
          errorMessage: `Cannot drop the table '${qualified(target)}_archive', because it does not exist or you do not have permission.`,
        }
      : success(0, 0, random.int(10, 400));
    drafts.push(toolEvent(scope, time, call, outcome, allow('legacy-allow-all')));
    time += outcome.durationMs + random.int(800, 5_000);
  }
  drafts.push(sessionEnded(scope, time, start));
  return drafts;
}
