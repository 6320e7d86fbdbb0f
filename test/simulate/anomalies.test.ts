import { planEpisodes } from '../../src/simulate/anomalies';
import { TENANT_TEMPLATES } from '../../src/simulate/catalog';
import {
  ANOMALY_KINDS,
  Random,
  simulateTraffic,
  type AnomalyKind,
  type SimulatedEvent,
} from '../../src/simulate';

interface Data {
  actor: { id: string; type: string; ip: string };
  session?: { id: string };
  target?: { objects?: string[] };
  statement?: { text: string; kind: string };
  outcome?: { status: string; rowsReturned?: number };
}

const data = (e: SimulatedEvent): Data => e.event.data as Data;
const typeOf = (e: SimulatedEvent): string => e.event.type as string;
const isTool = (e: SimulatedEvent): boolean =>
  typeOf(e) === 'com.sqlmcp.tool.invoked' || typeOf(e) === 'com.sqlmcp.policy.denied';
const INJECTION =
  /OR '1'='1'|OR 1=1|UNION (ALL )?SELECT|; DROP TABLE|WAITFOR DELAY|CONVERT\(int, \(SELECT/;
const EXTERNAL_IP = /^(203\.0\.113|198\.51\.100|192\.0\.2)\./;

let sample: SimulatedEvent[] = [];
const labelled = (kind: AnomalyKind): SimulatedEvent[] => sample.filter((e) => e.anomaly === kind);
const ordinary = (): SimulatedEvent[] => sample.filter((e) => e.anomaly === undefined);

beforeAll(() => {
  sample = [...simulateTraffic({ seed: 77, count: 8_000, anomalies: true })];
});

describe('anomaly labels', () => {
  it('appear for every kind when anomalies is true', () => {
    expect([...new Set(sample.flatMap((e) => e.anomaly ?? []))].sort()).toEqual(
      [...ANOMALY_KINDS].sort(),
    );
  });

  it('appear only for the kinds asked for', () => {
    const events = [
      ...simulateTraffic({
        seed: 77,
        count: 2_000,
        anomalies: ['credential-stuffing', 'sql-injection-shaped'],
      }),
    ];
    expect([...new Set(events.flatMap((e) => e.anomaly ?? []))].sort()).toEqual([
      'credential-stuffing',
      'sql-injection-shaped',
    ]);
  });

  it('never appear when anomalies are not asked for', () => {
    const events = [...simulateTraffic({ seed: 77, count: 3_000 })];
    expect(events.filter((e) => e.anomaly !== undefined || 'anomaly' in e)).toEqual([]);
  });

  it('never appear for an empty list of kinds', () => {
    const events = [...simulateTraffic({ seed: 77, count: 500, anomalies: [] })];
    expect(events.filter((e) => e.anomaly !== undefined)).toEqual([]);
  });
});

describe('bulk-export-at-night', () => {
  it("runs between midnight and 6 a.m. in the tenant's time zone", () => {
    const episode = labelled('bulk-export-at-night');
    const hours = episode.map((e) => {
      const offset =
        TENANT_TEMPLATES.find((t) => t.id === e.event.tenantid)?.utcOffsetMinutes ?? NaN;
      const local = new Date(Date.parse(e.event.time as string) + offset * 60_000);
      return local.getUTCHours() + local.getUTCMinutes() / 60;
    });
    expect([hours.length >= 5, hours.filter((h) => h < 0 || h >= 6)]).toEqual([true, []]);
  });

  it('is an agent reading millions of rows', () => {
    const reads = labelled('bulk-export-at-night').filter(isTool);
    const actorTypes = [...new Set(reads.map((e) => data(e).actor.type))];
    const biggest = Math.max(...reads.map((e) => data(e).outcome?.rowsReturned ?? 0));
    expect([actorTypes, biggest >= 1_000_000]).toEqual([['agent'], true]);
  });

  it('is the only source of reads returning a million rows', () => {
    expect(ordinary().filter((e) => (data(e).outcome?.rowsReturned ?? 0) >= 1_000_000)).toEqual([]);
  });
});

describe('ddl-from-read-only-agent', () => {
  it('is an agent running DDL that the policy allowed', () => {
    const ddl = labelled('ddl-from-read-only-agent').filter(
      (e) => data(e).statement?.kind === 'DDL',
    );
    expect([
      ddl.length > 0,
      [...new Set(ddl.map((e) => `${data(e).actor.type}:${typeOf(e)}`))],
    ]).toEqual([true, ['agent:com.sqlmcp.tool.invoked']]);
  });

  it('comes from an agent whose ordinary calls never change anything', () => {
    const [first] = labelled('ddl-from-read-only-agent');
    const who = `${first?.event.tenantid}/${first ? data(first).actor.id : ''}`;
    const writes = ordinary().filter(
      (e) =>
        `${e.event.tenantid}/${data(e).actor.id}` === who &&
        typeOf(e) === 'com.sqlmcp.tool.invoked' &&
        data(e).statement?.kind !== 'SELECT',
    );
    expect(writes).toEqual([]);
  });
});

describe('sql-injection-shaped', () => {
  it('puts an injection pattern in every labelled statement', () => {
    const calls = labelled('sql-injection-shaped').filter(isTool);
    expect([
      calls.length > 0,
      calls.filter((e) => !INJECTION.test(data(e).statement?.text ?? '')),
    ]).toEqual([true, []]);
  });

  it('is the only source of injection patterns', () => {
    expect(ordinary().filter((e) => INJECTION.test(data(e).statement?.text ?? ''))).toEqual([]);
  });
});

describe('credential-stuffing', () => {
  it('is a quick burst of failed sign-ins from one outside address across many user names', () => {
    const burst = labelled('credential-stuffing');
    const ips = [...new Set(burst.map((e) => data(e).actor.ip))];
    const names = new Set(burst.map((e) => data(e).actor.id));
    const spanMs =
      Date.parse(burst[burst.length - 1]?.event.time as string) -
      Date.parse(burst[0]?.event.time as string);
    expect({
      types: [...new Set(burst.map(typeOf))],
      ips: ips.length,
      external: EXTERNAL_IP.test(ips[0] ?? ''),
      many: burst.length >= 20 && names.size >= 10,
      quick: spanMs < 60_000,
    }).toEqual({
      types: ['com.sqlmcp.auth.failed'],
      ips: 1,
      external: true,
      many: true,
      quick: true,
    });
  });

  it('is the only source of sign-ins from outside addresses', () => {
    expect(ordinary().filter((e) => EXTERNAL_IP.test(data(e).actor.ip))).toEqual([]);
  });
});

describe('new-agent-sensitive-tables', () => {
  it('is an agent never seen in ordinary traffic', () => {
    const agents = new Set(labelled('new-agent-sensitive-tables').map((e) => data(e).actor.id));
    const seen = ordinary().filter((e) => agents.has(data(e).actor.id));
    expect([agents.size, seen]).toEqual([1, []]);
  });

  it('touches salaries, reviews, payroll or personal data', () => {
    const objects = labelled('new-agent-sensitive-tables').flatMap(
      (e) => data(e).target?.objects ?? [],
    );
    const sensitive = objects.filter((o) =>
      /salaries|performance_reviews|payroll_runs|employees|invoices|payments|gl_entries/.test(o),
    );
    expect(sensitive.length > 0).toBe(true);
  });
});

describe('planEpisodes', () => {
  it('plans one episode of each kind plus one per 20,000 events, all fitting before the end', () => {
    const plans = planEpisodes(ANOMALY_KINDS, 45_000, new Random(1));
    const total = plans.reduce((sum, p) => sum + p.length, 0);
    const perKind = ANOMALY_KINDS.map((kind) => plans.filter((p) => p.kind === kind).length);
    const fits = plans.every((p) => p.atIndex + total <= 45_000);
    const sorted = plans.every((p, i) => i === 0 || (plans[i - 1]?.atIndex ?? 0) <= p.atIndex);
    expect({ perKind, fits, sorted }).toEqual({
      perKind: [3, 3, 3, 3, 3],
      fits: true,
      sorted: true,
    });
  });

  it('plans nothing when no kind is asked for', () => {
    expect(planEpisodes([], 10, new Random(1))).toEqual([]);
  });
});
