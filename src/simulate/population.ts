import {
  DATABASES,
  FIRST_NAMES,
  LAST_NAMES,
  SERVER_NAMES,
  TENANT_TEMPLATES,
  databaseByName,
  type Database,
} from './catalog';
import type { Random } from './random';

export type ActorType = 'user' | 'agent' | 'service';

export type Role =
  | 'analyst'
  | 'engineer'
  | 'support'
  | 'hr'
  | 'finance'
  | 'dba'
  | 'assistant'
  | 'reporter'
  | 'triage'
  | 'etl'
  | 'migrations';

/**
 * When an actor works, in the tenant's local time: `office` people keep working hours on weekdays,
 * `business` agents follow the people who drive them, `morning` bots run before the day starts,
 * `always` services run around the clock.
 */
export type Schedule = 'office' | 'business' | 'morning' | 'always';

export interface Client {
  readonly name: string;
  readonly version: string;
}

export interface Actor {
  readonly id: string;
  readonly type: ActorType;
  readonly name: string;
  readonly role: Role;
  readonly ip: string;
  readonly client: Client;
  readonly schedule: Schedule;
  /** Local hour the working day starts (office and business schedules). */
  readonly workStart: number;
  readonly workHours: number;
  /** Relative share of the tenant's sessions while active. */
  readonly weight: number;
  /** Databases the actor uses, with how much it prefers each. */
  readonly databases: readonly { readonly database: Database; readonly weight: number }[];
  /** Median rows a read returns for this actor: its habit, with a long tail around it. */
  readonly medianRows: number;
  readonly readOnly: boolean;
  /** Databases whose restricted tables this actor may read. */
  readonly restrictedAccess: readonly string[];
  /** The policy rule that allows this actor's ordinary calls. */
  readonly allowRule: string;
}

export interface Tenant {
  readonly id: string;
  readonly index: number;
  readonly utcOffsetMinutes: number;
  readonly databases: readonly Database[];
  readonly actors: readonly Actor[];
}

const USER_CLIENTS: readonly Client[] = [
  { name: 'Visual Studio Code', version: '1.100.2' },
  { name: 'claude-ai', version: '0.1.0' },
  { name: 'cursor-vscode', version: '1.0.0' },
  { name: 'azure-data-studio-mcp', version: '1.48.1' },
];

const SERVICE_CLIENT: Client = { name: 'sqlmcp-python', version: '1.4.2' };

interface AgentTemplate {
  readonly id: (random: Random) => string;
  readonly name: string;
  readonly role: Role;
  readonly client: Client;
  readonly schedule: Schedule;
  readonly medianRows: number;
  readonly readOnly: boolean;
  /** Databases it prefers when the tenant has them. */
  readonly prefers: readonly string[];
}

const AGENT_TEMPLATES: readonly AgentTemplate[] = [
  {
    id: () => 'copilot-sql',
    name: 'Copilot SQL assistant',
    role: 'assistant',
    client: { name: 'GitHub Copilot', version: '1.322.0' },
    schedule: 'business',
    medianRows: 40,
    readOnly: true,
    prefers: ['sales', 'analytics', 'inventory', 'support', 'marketing'],
  },
  {
    id: (random) => `agent-${random.int(2, 60)}`,
    name: 'Insights agent',
    role: 'assistant',
    client: { name: 'langgraph-agent', version: '0.4.8' },
    schedule: 'business',
    medianRows: 150,
    readOnly: true,
    prefers: ['sales', 'analytics', 'marketing'],
  },
  {
    id: () => 'report-bot',
    name: 'Daily report bot',
    role: 'reporter',
    client: { name: 'mcp-python-sdk', version: '1.9.4' },
    schedule: 'morning',
    medianRows: 12,
    readOnly: true,
    prefers: ['analytics', 'sales', 'finance'],
  },
  {
    id: () => 'support-triage-agent',
    name: 'Support triage agent',
    role: 'triage',
    client: { name: 'openai-agents', version: '0.0.17' },
    schedule: 'always',
    medianRows: 8,
    readOnly: false,
    prefers: ['support'],
  },
  {
    id: () => 'claude-analyst',
    name: 'Claude analyst',
    role: 'assistant',
    client: { name: 'claude-code', version: '1.0.31' },
    schedule: 'business',
    medianRows: 80,
    readOnly: true,
    prefers: ['analytics', 'sales', 'marketing', 'inventory'],
  },
];

const PUBLIC_DATABASES = ['sales', 'analytics', 'marketing', 'inventory', 'support'];

const ROLE_DATABASES: Record<Role, readonly string[]> = {
  analyst: PUBLIC_DATABASES,
  engineer: ['sales', 'inventory', 'support'],
  support: ['support', 'sales'],
  hr: ['hr', 'analytics'],
  finance: ['finance', 'sales'],
  dba: DATABASES.map((database) => database.name),
  assistant: PUBLIC_DATABASES,
  reporter: ['analytics', 'sales', 'finance'],
  triage: ['support'],
  etl: ['analytics', 'marketing'],
  migrations: DATABASES.map((database) => database.name),
};

/**
 * Builds the tenants, their databases and the people, agents and services that use them. Draws from
 * `random` in a fixed order, so the same seed gives the same population.
 */
export function buildPopulation(tenantCount: number, random: Random): Tenant[] {
  const tenants: Tenant[] = [];
  for (let index = 0; index < tenantCount; index++) {
    const template = TENANT_TEMPLATES[
      index % TENANT_TEMPLATES.length
    ] as (typeof TENANT_TEMPLATES)[number];
    const round = Math.floor(index / TENANT_TEMPLATES.length);
    const id = round === 0 ? template.id : `${template.id}-${round + 1}`;
    const databases = template.databases.map(databaseByName);
    const actors = [
      ...buildUsers(index, databases, random),
      ...buildAgents(index, databases, random),
      ...buildServices(index, databases),
    ];
    tenants.push({ id, index, utcOffsetMinutes: template.utcOffsetMinutes, databases, actors });
  }
  return tenants;
}

function preferred(
  databases: readonly Database[],
  names: readonly string[],
  random: Random,
): Actor['databases'] {
  const chosen = names.flatMap(
    (name) => databases.find((database) => database.name === name) ?? [],
  );
  const pool =
    chosen.length > 0 ? chosen : databases.filter((d) => d.name !== 'hr' && d.name !== 'finance');
  const usable = pool.length > 0 ? pool : databases;
  // The first preference dominates: people have a home database.
  return usable.map((database, i) => ({ database, weight: i === 0 ? 4 : 0.5 + random.next() }));
}

function buildUsers(tenantIndex: number, databases: readonly Database[], random: Random): Actor[] {
  const has = (name: string): boolean => databases.some((d) => d.name === name);
  const roles: Role[] = ['dba'];
  if (has('hr')) roles.push('hr');
  if (has('finance')) roles.push('finance');
  const count = random.int(8, 14);
  while (roles.length < count) {
    const r = random.next();
    roles.push(r < 0.5 ? 'analyst' : r < 0.8 ? 'engineer' : has('support') ? 'support' : 'analyst');
  }
  const used = new Set<string>();
  return roles.map((role): Actor => {
    let first: string;
    let last: string;
    do {
      first = random.pick(FIRST_NAMES);
      last = random.pick(LAST_NAMES);
    } while (used.has(`${first}.${last}`));
    used.add(`${first}.${last}`);
    const vpn = random.chance(0.25);
    const ip = vpn
      ? `100.64.${random.int(0, 63)}.${random.int(2, 250)}`
      : `10.${tenantIndex + 10}.${random.int(1, 30)}.${random.int(2, 250)}`;
    return {
      id: `${first}.${last}`,
      type: 'user',
      name: `${capitalize(first)} ${capitalize(last)}`,
      role,
      ip,
      client: random.pick(USER_CLIENTS),
      schedule: 'office',
      workStart: random.int(7, 10),
      workHours: random.int(8, 9),
      weight: role === 'dba' ? 0.5 : 1,
      databases: preferred(databases, random.sample(ROLE_DATABASES[role], 3), random),
      medianRows: Math.round(random.logNormal(role === 'analyst' ? 200 : 30, 0.6)),
      readOnly: role === 'analyst' || role === 'hr',
      restrictedAccess:
        role === 'dba'
          ? databases.map((d) => d.name)
          : role === 'hr'
            ? ['hr']
            : role === 'finance'
              ? ['finance']
              : [],
      allowRule: `role-${role}`,
    };
  });
}

function buildAgents(tenantIndex: number, databases: readonly Database[], random: Random): Actor[] {
  const [copilot, ...others] = AGENT_TEMPLATES;
  const templates = [copilot as AgentTemplate, ...random.sample(others, random.int(1, 3))];
  return templates.map((template, i): Actor => {
    const id = template.id(random);
    return {
      id,
      type: 'agent',
      name: template.name,
      role: template.role,
      ip: `10.${tenantIndex + 10}.200.${10 + i}`,
      client: template.client,
      schedule: template.schedule,
      workStart: 8,
      workHours: 10,
      weight: template.schedule === 'morning' ? 1 : 1.5,
      databases: preferred(databases, template.prefers, random),
      medianRows: template.medianRows,
      readOnly: template.readOnly,
      restrictedAccess: [],
      allowRule: template.readOnly ? 'agents-read-only' : `agent-${id}-scoped`,
    };
  });
}

function buildServices(tenantIndex: number, databases: readonly Database[]): Actor[] {
  const base = {
    type: 'service' as const,
    client: SERVICE_CLIENT,
    workStart: 9,
    workHours: 8,
    medianRows: 0,
    readOnly: false,
    restrictedAccess: [],
  };
  const services: Actor[] = [
    {
      ...base,
      id: 'svc-migrations',
      name: 'Schema migrations',
      role: 'migrations',
      ip: `10.${tenantIndex + 10}.250.5`,
      schedule: 'office',
      weight: 0.05,
      databases: databases.map((database) => ({ database, weight: 1 })),
      allowRule: 'service-migrations',
    },
  ];
  const warehouse = databases.filter((d) => ROLE_DATABASES.etl.includes(d.name));
  if (warehouse.length > 0) {
    services.push({
      ...base,
      id: 'svc-etl-loader',
      name: 'Warehouse loader',
      role: 'etl',
      ip: `10.${tenantIndex + 10}.250.4`,
      schedule: 'always',
      weight: 0.4,
      databases: warehouse.map((database) => ({ database, weight: 1 })),
      allowRule: 'service-etl',
    });
  }
  return services;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The actor's local hour (fractional) and weekday (0 = Sunday) at a UTC instant. */
export function localTime(
  utcMs: number,
  utcOffsetMinutes: number,
): { hour: number; weekday: number } {
  const local = new Date(utcMs + utcOffsetMinutes * 60_000);
  return { hour: local.getUTCHours() + local.getUTCMinutes() / 60, weekday: local.getUTCDay() };
}

/** How likely the actor is to start a session now, 0..1, before its weight. */
export function activity(actor: Actor, hour: number, weekday: number): number {
  const weekend = weekday === 0 || weekday === 6;
  const start = actor.workStart;
  const end = actor.workStart + actor.workHours;
  const atWork = hour >= start && hour < end;
  const edge = (hour >= start - 1 && hour < start) || (hour >= end && hour < end + 1);
  switch (actor.schedule) {
    case 'office':
      if (weekend) return atWork ? 0.04 : 0.005;
      return atWork ? 1 : edge ? 0.2 : 0.01;
    case 'business':
      if (weekend) return atWork ? 0.08 : 0.03;
      return atWork ? 1 : edge ? 0.3 : 0.05;
    case 'morning':
      return hour >= 5 && hour < 8 ? 1 : 0.02;
    case 'always':
      return 0.5;
  }
}

export function serverFor(database: Database): string {
  return SERVER_NAMES[database.server];
}
