import { openScope, type World } from '../behaviour';
import type { Database, Table } from '../catalog';
import { sessionEnded, sessionStarted, toolEvent, type Draft } from '../events';
import { localTime, type Tenant } from '../population';
import type { Random } from '../random';
import { listTables, qualified, type ToolCall } from '../sql';
import { agentsOf, allow, success } from './shared';

const HOUR_MS = 3_600_000;

/** Night, in the tenant's local time: from midnight to 6 a.m. */
export const NIGHT_HOURS = { from: 0, to: 6 } as const;

/**
 * When the tenant's night next allows an export: within a minute when it is night there now, else at
 * the next local 02:00 to 03:00. With the five default tenants it is always night somewhere.
 */
function nextNight(tenant: Tenant, now: number, random: Random): number {
  const { hour } = localTime(now, tenant.utcOffsetMinutes);
  // Leave room for the export itself to finish before 6 a.m.
  if (hour >= NIGHT_HOURS.from && hour < NIGHT_HOURS.to - 1) return now + random.int(5_000, 60_000);
  const hoursAhead = (2 - hour + 24) % 24;
  return now + Math.round(hoursAhead * HOUR_MS) + random.int(0, HOUR_MS - 60_000);
}

/** A quiet agent wakes in the small hours and pulls whole tables, millions of rows each. */
export function bulkExportAtNight(world: World, length: number, now: number): Draft[] {
  const { random } = world;
  const options = world.tenants
    .filter((tenant) => agentsOf(tenant).length > 0)
    .map((tenant) => ({ tenant, start: nextNight(tenant, now, random) }));
  const soonest = options.reduce((best, option) => (option.start < best.start ? option : best));
  const { tenant } = soonest;
  const agent = random.pick(agentsOf(tenant));
  const database = tenant.databases.reduce((best, d) =>
    largestTable(d).rows > largestTable(best).rows ? d : best,
  );
  const scope = {
    ...openScope(world, tenant, agent, database, soonest.start),
    anomaly: 'bulk-export-at-night' as const,
  };
  const drafts: Draft[] = [
    sessionStarted(scope, soonest.start, random.int(20, 120), allow(agent.allowRule)),
  ];
  let time = soonest.start + random.int(500, 2_000);
  const list = listTables(database);
  drafts.push(
    toolEvent(
      scope,
      time,
      list,
      success(database.tables.length, 0, random.int(5, 30)),
      allow(agent.allowRule),
    ),
  );
  time += random.int(300, 1_500);
  const bySize = [...database.tables].sort((a, b) => b.rows - a.rows);
  for (let i = 0; i < length - 3; i++) {
    const table = bySize[i % bySize.length] as Table;
    const rows =
      table.rows >= 1_000_000
        ? Math.min(table.rows, Math.round(random.logNormal(2_500_000, 0.4)))
        : table.rows;
    const call: ToolCall = {
      tool: 'read_query',
      arguments: { maxRows: 0 },
      text: `SELECT * FROM ${qualified(table)}`,
      kind: 'SELECT',
      objects: [qualified(table)],
      maxRows: rows,
      typicalRows: rows,
      cost: 1,
    };
    const durationMs = Math.round(rows * random.logNormal(0.03, 0.3)) + random.int(50, 500);
    drafts.push(toolEvent(scope, time, call, success(rows, 0, durationMs), allow(agent.allowRule)));
    time += durationMs + random.int(500, 4_000);
  }
  drafts.push(sessionEnded(scope, time, soonest.start));
  return drafts;
}

function largestTable(database: Database): Table {
  return database.tables.reduce((best, t) => (t.rows > best.rows ? t : best));
}
