import type { Database, Table } from './catalog';
import {
  authFailed,
  configChanged,
  participant,
  sessionEnded,
  sessionStarted,
  toolEvent,
  type Draft,
  type SessionScope,
} from './events';
import { decidePolicy, rule } from './policy';
import { serverFor, type Actor, type Tenant } from './population';
import type { Random } from './random';
import {
  aggregateQuery,
  ddlStatement,
  describeTable,
  execProcedure,
  grantStatement,
  listTables,
  mergeQuery,
  selectQuery,
  writeQuery,
  type SqlContext,
  type ToolCall,
} from './sql';
import { uuidv7 } from './uuidv7';

/**
 * Everything the behaviour draws on and remembers: `config` holds each tenant's current server
 * settings, `introducedAgents` the agents anomalies have brought in (so each is new only once).
 */
export interface World {
  readonly random: Random;
  readonly tenants: readonly Tenant[];
  readonly config: Map<string, Map<string, unknown>>;
  readonly introducedAgents: Set<string>;
}

/** Pause before the actor's next call: people read results, agents chain calls, services do not wait. */
export function thinkTimeMs(actor: Actor, random: Random): number {
  switch (actor.type) {
    case 'user':
      return Math.round(random.logNormal(25_000, 0.9));
    case 'agent':
      return Math.round(random.logNormal(2_500, 0.8));
    case 'service':
      return Math.round(random.logNormal(800, 0.5));
  }
}

/** A session scope for an actor at a database, with fresh session and trace ids. */
export function openScope(
  world: World,
  tenant: Tenant,
  actor: Actor,
  database: Database,
  start: number,
): SessionScope {
  return {
    tenant,
    who: participant(actor),
    sessionId: uuidv7(start, world.random),
    traceId: world.random.hex(32),
    server: serverFor(database),
    database: database.name,
  };
}

interface Step {
  readonly call: ToolCall;
  readonly table?: Table;
}

/**
 * One ordinary session: started, a plausible sequence of tool calls for the actor's role, ended. A few
 * user sessions begin with a failed sign-in (an expired token) a moment before.
 */
export function planSession(world: World, tenant: Tenant, actor: Actor, start: number): Draft[] {
  const { random } = world;
  const database = chooseDatabase(tenant, actor, random);
  const scope = openScope(world, tenant, actor, database, start);
  const drafts: Draft[] = [];
  let opened = start;
  if (actor.type === 'user' && random.chance(0.03)) {
    const error = random.pick([
      { code: 'token_expired', message: 'The access token expired; sign in again.' },
      { code: 'invalid_token', message: 'The access token signature is invalid.' },
      {
        code: 'mfa_required',
        message: 'Multi-factor authentication is required for this resource.',
      },
    ]);
    drafts.push(authFailed(tenant, scope.who, scope.server, start, scope.traceId, error));
    opened = start + random.int(5_000, 90_000);
  }
  drafts.push(
    sessionStarted(scope, opened, random.int(8, 180), {
      decision: 'allow',
      ruleId: actor.allowRule,
    }),
  );
  let time = opened + random.int(200, 3_000);
  const ctx: SqlContext = { random, now: start };
  for (const step of planSteps(actor, database, ctx)) {
    const policy = decidePolicy(actor, database, step.table, step.call, random);
    const ruling = rule(actor, step.call, policy, random);
    drafts.push(toolEvent(scope, time, step.call, ruling.outcome, ruling.policy));
    time += ruling.outcome.durationMs + thinkTimeMs(actor, random);
  }
  drafts.push(sessionEnded(scope, time, opened));
  return drafts;
}

function chooseDatabase(tenant: Tenant, actor: Actor, random: Random): Database {
  // Now and then someone wanders outside their usual databases; that is where most denials come from.
  if (actor.type !== 'service' && random.chance(0.03)) return random.pick(tenant.databases);
  return random.weighted(actor.databases, (entry) => entry.weight).database;
}

function planSteps(actor: Actor, database: Database, ctx: SqlContext): Step[] {
  const { random } = ctx;
  const tables = database.tables;
  const table = (): Table => random.pick(tables);
  const steps: Step[] = [];
  const read = (focus: Table): Step => ({
    table: focus,
    call: selectQuery(database, focus, ctx, {
      top: random.chance(actor.type === 'agent' ? 0.45 : 0.65)
        ? random.pick([10, 50, 100, 500, 1000])
        : undefined,
      parameterize: random.chance(actor.type === 'agent' ? 0.4 : 0.2),
      selectStar: random.chance(actor.type === 'agent' ? 0.2 : 0.08),
      maxRowsArgument: actor.type === 'agent' ? 1000 : 5000,
    }),
  });
  switch (actor.role) {
    case 'etl': {
      const loads = random.int(1, 4);
      for (let i = 0; i < loads; i++) {
        const target = table();
        steps.push({ table: target, call: mergeQuery(target, ctx) });
      }
      if (random.chance(0.5)) steps.push({ call: execProcedure(database, ctx) });
      return steps;
    }
    case 'migrations': {
      const changes = random.int(1, 3);
      for (let i = 0; i < changes; i++) {
        const target = table();
        steps.push({ table: target, call: ddlStatement(target, ctx) });
      }
      return steps;
    }
    case 'reporter': {
      const reports = random.int(3, 8);
      for (let i = 0; i < reports; i++) {
        const target = table();
        steps.push({ table: target, call: aggregateQuery(target, ctx) });
      }
      return steps;
    }
    default:
      break;
  }
  if (random.chance(actor.type === 'agent' ? 0.8 : 0.5)) steps.push({ call: listTables(database) });
  const focus = random.sample(tables, random.int(1, 2));
  for (const target of focus) {
    if (random.chance(actor.type === 'agent' ? 0.7 : 0.4))
      steps.push({ table: target, call: describeTable(target) });
  }
  const calls = actor.type === 'agent' ? random.int(2, 10) : random.int(1, 7);
  for (let i = 0; i < calls; i++) {
    const target = random.chance(0.7) ? random.pick(focus) : table();
    const r = random.next();
    if (actor.role === 'dba') {
      if (r < 0.2) steps.push({ table: target, call: ddlStatement(target, ctx) });
      else if (r < 0.28) steps.push({ table: target, call: grantStatement(target, ctx) });
      else if (r < 0.38) steps.push({ call: execProcedure(database, ctx) });
      else steps.push(read(target));
    } else if (!actor.readOnly && r < (actor.role === 'triage' ? 0.45 : 0.15)) {
      steps.push({ table: target, call: writeQuery(target, ctx) });
    } else if (actor.readOnly && r < 0.02) {
      // An occasional write attempt by a read-only actor: the policy turns it away.
      steps.push({ table: target, call: writeQuery(target, ctx) });
    } else if (r < 0.5) {
      steps.push({ table: target, call: aggregateQuery(target, ctx) });
    } else if (r < 0.53 && !actor.readOnly) {
      steps.push({ call: execProcedure(database, ctx) });
    } else {
      steps.push(read(target));
    }
  }
  return steps;
}

const CONFIG_KEYS: readonly { key: string; values: readonly unknown[] }[] = [
  { key: 'limits.maxRows', values: [1000, 5000, 10000, 50000] },
  { key: 'limits.queryTimeoutSeconds', values: [15, 30, 60, 120] },
  { key: 'audit.redactLiterals', values: [false, true] },
  {
    key: 'policy.allowedTools',
    values: [
      ['list_tables', 'describe_table', 'read_query', 'aggregate'],
      ['list_tables', 'describe_table', 'read_query', 'aggregate', 'write_query'],
      [
        'list_tables',
        'describe_table',
        'read_query',
        'aggregate',
        'write_query',
        'execute_procedure',
      ],
    ],
  },
  { key: 'policy.readOnlyAgents', values: [true, false] },
];

/** An administrator (the DBA, or the migration service) changes one server setting. */
export function planConfigChange(world: World, tenant: Tenant, time: number): Draft[] {
  const { random } = world;
  const admins = tenant.actors.filter(
    (actor) => actor.role === 'dba' || actor.role === 'migrations',
  );
  const admin = random.pick(admins);
  const database = random.pick(tenant.databases);
  const setting = random.pick(CONFIG_KEYS);
  const state = world.config.get(tenant.id) ?? new Map<string, unknown>();
  world.config.set(tenant.id, state);
  const oldValue = state.has(setting.key) ? state.get(setting.key) : setting.values[0];
  const choices = setting.values.filter(
    (value) => JSON.stringify(value) !== JSON.stringify(oldValue),
  );
  const newValue = random.pick(choices);
  state.set(setting.key, newValue);
  return [
    configChanged(tenant, participant(admin), serverFor(database), time, random.hex(32), {
      key: setting.key,
      oldValue,
      newValue,
    }),
  ];
}
