import type { World } from '../behaviour';
import type { Database, Table } from '../catalog';
import {
  sessionEnded,
  sessionStarted,
  toolEvent,
  type Draft,
  type Participant,
  type SessionScope,
} from '../events';
import { serverFor } from '../population';
import { describeTable, listTables, qualified } from '../sql';
import { uuidv7 } from '../uuidv7';
import { allow, success } from './shared';

const NEW_AGENT_NAMES = [
  'data-export-agent',
  'autogen-analyst',
  'gpt-researcher',
  'copilot-sql-preview',
  'crewai-hr-helper',
  'n8n-sql-node',
];

/** An agent nobody has seen before goes straight for salaries, reviews and payroll. */
export function newAgentSensitiveTables(world: World, length: number, now: number): Draft[] {
  const { random } = world;
  const sensitive = (database: Database): Table[] =>
    database.tables.filter((table) => table.sensitivity !== 'public');
  const tenants = world.tenants.filter((tenant) =>
    tenant.databases.some((d) => d.server === 'secure'),
  );
  const tenant = random.pick(tenants.length > 0 ? tenants : world.tenants);
  const secure = tenant.databases.filter((d) => d.server === 'secure');
  const database = random.pick(secure.length > 0 ? secure : tenant.databases);
  const known = new Set(world.tenants.flatMap((t) => t.actors.map((actor) => actor.id)));
  let id = random.pick(NEW_AGENT_NAMES);
  while (known.has(id) || world.introducedAgents.has(id)) id = `agent-x${random.hex(4)}`;
  world.introducedAgents.add(id);
  const who: Participant = {
    id,
    type: 'agent',
    name: id,
    ip: random.chance(0.5)
      ? `198.51.100.${random.int(2, 250)}`
      : `10.${tenant.index + 10}.201.${random.int(2, 250)}`,
    client: random.pick([
      { name: 'autogen', version: '0.6.1' },
      { name: 'crewai', version: '0.130.0' },
      { name: 'mcp-remote', version: '0.1.16' },
    ]),
  };
  const start = now + random.int(1_000, 30_000);
  const scope: SessionScope = {
    tenant,
    who,
    sessionId: uuidv7(start, random),
    traceId: random.hex(32),
    server: serverFor(database),
    database: database.name,
    anomaly: 'new-agent-sensitive-tables',
  };
  const policy = allow('default-allow');
  const drafts: Draft[] = [sessionStarted(scope, start, random.int(20, 120), policy)];
  let time = start + random.int(300, 2_000);
  drafts.push(
    toolEvent(
      scope,
      time,
      listTables(database),
      success(database.tables.length, 0, random.int(4, 30)),
      policy,
    ),
  );
  time += random.int(300, 2_000);
  const targets = sensitive(database);
  const tables = targets.length > 0 ? targets : database.tables;
  for (let i = 0; i < length - 3; i++) {
    const table = tables[i % tables.length] as Table;
    const describe = i < tables.length && i % 2 === 0;
    const call = describe
      ? describeTable(table)
      : {
          tool: 'read_query',
          arguments: { maxRows: 10000 },
          text: `SELECT * FROM ${qualified(table)}`,
          kind: 'SELECT' as const,
          objects: [qualified(table)],
          maxRows: table.rows,
          typicalRows: table.rows,
          cost: 1,
        };
    const rows = describe ? table.columns.length : Math.min(table.rows, 10_000);
    const outcome = success(rows, 0, random.int(10, 60) + Math.round(rows * 0.02));
    drafts.push(toolEvent(scope, time, call, outcome, policy));
    time += outcome.durationMs + random.int(200, 1_500);
  }
  drafts.push(sessionEnded(scope, time, start));
  return drafts;
}
