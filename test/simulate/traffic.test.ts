import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { ANOMALY_KINDS, simulateTraffic, toNdjson, type SimulatedEvent } from '../../src/simulate';

const EVENT_TYPES = [
  'com.sqlmcp.tool.invoked',
  'com.sqlmcp.session.started',
  'com.sqlmcp.session.ended',
  'com.sqlmcp.auth.failed',
  'com.sqlmcp.policy.denied',
  'com.sqlmcp.config.changed',
];

interface Data {
  actor: { id: string; type: string; ip: string };
  session?: { id: string };
  target?: { server?: string; database?: string; objects?: string[] };
  statement?: { text: string; kind: string };
  outcome?: { status: string; rowsReturned?: number };
}

const data = (e: SimulatedEvent): Data => e.event.data as Data;
const typeOf = (e: SimulatedEvent): string => e.event.type as string;
const share = (events: readonly SimulatedEvent[], test: (e: SimulatedEvent) => boolean): number =>
  events.filter(test).length / events.length;

/** One larger run shared by the checks that only read it. */
let sample: SimulatedEvent[] = [];
beforeAll(() => {
  sample = [...simulateTraffic({ seed: 20250602, count: 10_000, anomalies: true })];
});

describe('simulateTraffic determinism', () => {
  it('gives byte-identical output for the same seed', () => {
    const options = { seed: 42, count: 1_000, anomalies: true } as const;
    expect(toNdjson(simulateTraffic(options))).toBe(toNdjson(simulateTraffic(options)));
  });

  it('gives the same anomaly labels for the same seed', () => {
    const labels = (): (string | undefined)[] =>
      [...simulateTraffic({ seed: 42, count: 1_000, anomalies: true })].map((e) => e.anomaly);
    expect(labels()).toEqual(labels());
  });

  it('gives different output for a different seed', () => {
    expect(toNdjson(simulateTraffic({ seed: 42, count: 200 }))).not.toBe(
      toNdjson(simulateTraffic({ seed: 43, count: 200 })),
    );
  });

  it('yields exactly count events', () => {
    expect([...simulateTraffic({ seed: 1, count: 321 })]).toHaveLength(321);
  });

  it('yields nothing for count 0', () => {
    expect([...simulateTraffic({ seed: 1, count: 0 })]).toEqual([]);
  });
});

describe('simulateTraffic envelope', () => {
  it('gives every event the CloudEvents attributes and extensions of the contract', () => {
    const bad = sample.filter((e) => {
      const { event } = e;
      const tenant = event.tenantid as string;
      const time = event.time as string;
      const id = event.id as string;
      return !(
        event.specversion === '1.0' &&
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id) &&
        parseInt(id.slice(0, 8) + id.slice(9, 13), 16) === Date.parse(time) &&
        event.source === `mcp://sql-mcp.${tenant}.example/${data(e).target?.server}` &&
        EVENT_TYPES.includes(event.type as string) &&
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(time) &&
        (event.subject === undefined || typeof event.subject === 'string') &&
        event.datacontenttype === 'application/json' &&
        /^[a-z0-9][a-z0-9-]{1,62}$/.test(tenant) &&
        /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(event.traceparent as string) &&
        typeof event.data === 'object' &&
        e.body === JSON.stringify(event)
      );
    });
    expect(bad.map((e) => e.body)).toEqual([]);
  });

  it('lists the envelope attributes in a fixed order', () => {
    const first = sample[0] as SimulatedEvent;
    expect(Object.keys(first.event)).toEqual([
      'specversion',
      'id',
      'source',
      'type',
      'time',
      'subject',
      'datacontenttype',
      'tenantid',
      'traceparent',
      'data',
    ]);
  });

  it('never repeats an event id', () => {
    expect(new Set(sample.map((e) => e.event.id)).size).toBe(sample.length);
  });

  it('validates every event against schema/audit-event.v1.json', () => {
    const schema = JSON.parse(
      readFileSync(join(__dirname, '../../schema/audit-event.v1.json'), 'utf8'),
    ) as object;
    const validate = new Ajv2020({
      strict: false,
      validateFormats: false,
      allErrors: true,
    }).compile(schema);
    const invalid = sample.filter((e) => !validate(e.event)).slice(0, 3);
    expect(
      invalid.map((e) => ({ body: e.body, errors: (validate(e.event), validate.errors) })),
    ).toEqual([]);
  });

  it('emits events in time order', () => {
    const outOfOrder = sample.filter(
      (e, i) =>
        i > 0 &&
        (e.event.time as string) < ((sample[i - 1] as SimulatedEvent).event.time as string),
    );
    expect(outOfOrder).toEqual([]);
  });

  it('starts at the start time', () => {
    const [first] = simulateTraffic({
      seed: 3,
      count: 1,
      start: new Date('2024-02-29T12:00:00.000Z'),
    });
    expect(first?.event.time).toBe('2024-02-29T12:00:00.000Z');
  });

  it('keeps the JSON body between 550 and 900 bytes on average', () => {
    const mean = sample.reduce((sum, e) => sum + Buffer.byteLength(e.body), 0) / sample.length;
    expect(mean > 550 && mean < 900 ? 'within' : mean).toBe('within');
  });
});

describe('simulateTraffic realism', () => {
  it('is mostly tool calls', () => {
    const toolShare = share(sample, (e) => typeOf(e) === 'com.sqlmcp.tool.invoked');
    expect(toolShare > 0.6 && toolShare < 0.85 ? 'plausible' : toolShare).toBe('plausible');
  });

  it('ends nearly every session it starts', () => {
    const started = sample.filter((e) => typeOf(e) === 'com.sqlmcp.session.started').length;
    const ended = sample.filter((e) => typeOf(e) === 'com.sqlmcp.session.ended').length;
    expect(started >= ended && started - ended <= 100 ? 'plausible' : [started, ended]).toBe(
      'plausible',
    );
  });

  it('denies a few percent of calls by policy', () => {
    const denied = share(sample, (e) => typeOf(e) === 'com.sqlmcp.policy.denied');
    expect(denied > 0.01 && denied < 0.08 ? 'plausible' : denied).toBe('plausible');
  });

  it('fails a few percent of tool calls with an error code and message', () => {
    const calls = sample.filter((e) => typeOf(e) === 'com.sqlmcp.tool.invoked');
    const failures = calls.filter((e) => data(e).outcome?.status === 'failure');
    const described = failures.filter((e) => {
      const outcome = data(e).outcome as { errorCode?: string; errorMessage?: string };
      return typeof outcome.errorCode === 'string' && typeof outcome.errorMessage === 'string';
    });
    const rate = failures.length / calls.length;
    expect([rate > 0.01 && rate < 0.06 ? 'plausible' : rate, described.length]).toEqual([
      'plausible',
      failures.length,
    ]);
  });

  it('includes failed sign-ins and configuration changes', () => {
    const count = (type: string): number => sample.filter((e) => typeOf(e) === type).length;
    expect([count('com.sqlmcp.auth.failed') > 0, count('com.sqlmcp.config.changed') > 0]).toEqual([
      true,
      true,
    ]);
  });

  it('has users, agents and services', () => {
    expect([...new Set(sample.map((e) => data(e).actor.type))].sort()).toEqual([
      'agent',
      'service',
      'user',
    ]);
  });

  it('spreads traffic over five tenants with several servers and databases each', () => {
    const tenants = new Map<string, { servers: Set<string>; databases: Set<string> }>();
    for (const e of sample) {
      const entry = tenants.get(e.event.tenantid as string) ?? {
        servers: new Set(),
        databases: new Set(),
      };
      tenants.set(e.event.tenantid as string, entry);
      const target = data(e).target;
      if (target?.server !== undefined) entry.servers.add(target.server);
      if (target?.database !== undefined) entry.databases.add(target.database);
    }
    const summary = [...tenants].map(([id, t]) => [id, t.servers.size >= 2, t.databases.size >= 3]);
    expect(summary.sort()).toEqual([
      ['contoso', true, true],
      ['fabrikam', true, true],
      ['northwind', true, true],
      ['tailspin', true, true],
      ['woodgrove', true, true],
    ]);
  });

  it('sends tool calls only in sessions that started earlier', () => {
    const started = new Set<string>();
    const orphans: string[] = [];
    for (const e of sample) {
      const session = data(e).session?.id;
      if (typeOf(e) === 'com.sqlmcp.session.started' && session !== undefined) started.add(session);
      else if (session !== undefined && !started.has(session)) orphans.push(e.body);
    }
    expect(orphans).toEqual([]);
  });

  it('names tenants beyond the ten templates with suffixes that keep the tenant id pattern', () => {
    const tenants = [
      ...new Set(
        [...simulateTraffic({ seed: 9, count: 1_000, tenants: 12 })].map(
          (e) => e.event.tenantid as string,
        ),
      ),
    ];
    expect([
      tenants.filter((t) => !/^[a-z0-9][a-z0-9-]{1,62}$/.test(t)),
      tenants.some((t) => t.endsWith('-2')),
    ]).toEqual([[], true]);
  });

  it('advances the clock faster at a higher rate', () => {
    const span = (ratePerSecond: number): number => {
      const events = [...simulateTraffic({ seed: 4, count: 300, ratePerSecond })];
      return (
        Date.parse(events[events.length - 1]?.event.time as string) -
        Date.parse(events[0]?.event.time as string)
      );
    };
    expect(span(10) < span(1) / 4).toBe(true);
  });
});

describe('simulateTraffic options', () => {
  it.each([
    [{ seed: 1, count: -1 }, 'count must be a whole number >= 0, got -1'],
    [{ seed: 1, count: 10, tenants: 0 }, 'tenants must be a whole number in 1..100, got 0'],
    [{ seed: 1, count: 10, tenants: 101 }, 'tenants must be a whole number in 1..100, got 101'],
    [{ seed: 1, count: 10, ratePerSecond: 0 }, 'ratePerSecond must be a positive number, got 0'],
    [
      { seed: 1, count: 10, start: new Date('nope') },
      'start must be a valid Date, got Invalid Date',
    ],
    [{ seed: 1.5, count: 10 }, 'seed must be a safe integer, got 1.5'],
    [
      { seed: 1, count: 100, anomalies: true },
      'count 100 is too small to inject anomalies: use at least 200',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => [...simulateTraffic(options)]).toThrow(new RangeError(message));
  });

  it('rejects an unknown anomaly kind', () => {
    const options = {
      seed: 1,
      count: 500,
      anomalies: ['port-scan'] as unknown as (typeof ANOMALY_KINDS)[number][],
    };
    expect(() => [...simulateTraffic(options)]).toThrow(
      new RangeError(
        `unknown anomaly kind "port-scan": expected one of ${ANOMALY_KINDS.join(', ')}`,
      ),
    );
  });
});

describe('toNdjson', () => {
  it('writes one body per line, each ending in a newline', () => {
    const events = [...simulateTraffic({ seed: 5, count: 3 })];
    expect(toNdjson(events)).toBe(events.map((e) => `${e.body}\n`).join(''));
  });

  it('writes nothing for no events', () => {
    expect(toNdjson([])).toBe('');
  });
});
