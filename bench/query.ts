import { createStorageClients, ensureStorage } from '../src/store/clients';
import { RequestCounter } from '../src/store/request-counter';
import { submitUpserts } from '../src/store/table-batch';
import { prepareEvents } from '../src/pipeline/prepare';
import { buildWriteSet, type Retention } from '../src/pipeline/write-set';
import type { DeliveredEvent } from '../src/pipeline/delivered';
import type { Redactor } from '../src/redact';
import { queryHotStore } from '../src/query/executor';
import { evaluate, parseQuery, type QueryPlan } from '../src/query/ql';
import { plainRow } from '../src/store/hot-entity';
import { listTenants, registerTenants } from '../src/store/tenants';
import { eventTimeOfRowKey } from '../src/store/names';

export interface QueryCase {
  name: string;
  query: string;
  p50Ms: number;
  p95Ms: number;
  requests: number;
  entitiesScanned: number;
  matches: number;
  baselineP50Ms: number;
  baselineP95Ms: number;
  baselineRequests: number;
  baselineEntitiesScanned: number;
}

const RUNS = 7;
const BASELINE_RUNS = 3;

/**
 * Query latency and storage requests over a hot store of simulated events, for the queries people run
 * most, beside a full-scan baseline (read every row, filter in the client) in the same run.
 */
export async function benchQueries(
  connectionString: string,
  batches: readonly DeliveredEvent[][],
  redact: Redactor,
  retention: Retention,
  log: (message: string) => void,
): Promise<{ events: number; cases: QueryCase[] }> {
  const counter = new RequestCounter();
  const clients = createStorageClients(
    { kind: 'connectionString', connectionString },
    { httpClient: counter },
  );
  await ensureStorage(clients);

  // Load the hot store with the rows the ingest path builds (the archive is not needed for these reads).
  let events = 0;
  const seen = {
    tenants: new Set<string>(),
    actors: new Map<string, number>(),
    sessions: new Map<string, string>(),
  };
  let latest = 0;
  for (const batch of batches) {
    const { prepared } = prepareEvents(batch, redact);
    const writeSet = buildWriteSet(
      prepared,
      batch[0]?.partitionId ?? '0',
      events,
      undefined,
      retention,
    );
    await Promise.all(
      [...writeSet.entities.values()].map((actions) =>
        submitUpserts(clients.tables.events, actions),
      ),
    );
    for (const item of prepared) {
      seen.tenants.add(item.event.tenantid);
      const actor = `${item.event.tenantid}\n${String(item.event.data.actor?.id)}`;
      seen.actors.set(actor, (seen.actors.get(actor) ?? 0) + 1);
      if (item.event.data.session?.id)
        seen.sessions.set(item.event.data.session.id, item.event.tenantid);
      latest = Math.max(latest, item.eventTime.getTime());
    }
    events += prepared.length;
    if (events % 20_000 < batch.length) log(`query: loaded ${events} events`);
  }
  await registerTenants(clients.tables.state, seen.tenants, new Date());
  const tenants = await listTenants(clients.tables.state);
  const [busiest] = [...seen.actors].sort((a, b) => b[1] - a[1]);
  const [actorTenant, actor] = (busiest?.[0] ?? 'x\nx').split('\n') as [string, string];
  const [session, sessionTenant] = [...seen.sessions][Math.floor(seen.sessions.size / 2)] ?? [
    'x',
    'x',
  ];
  const at = new Date(latest + 1);
  const iso = (ms: number) => new Date(ms).toISOString();
  const cases: { name: string; query: string }[] = [
    {
      name: 'last hour of one tenant',
      query: `tenant:${actorTenant} from:${iso(latest - 3_600_000)} to:${iso(latest + 1)}`,
    },
    {
      name: 'one actor over 24 h',
      query: `tenant:${actorTenant} actor:${actor} from:${iso(latest - 86_400_000)} to:${iso(latest + 1)}`,
    },
    { name: 'one session', query: `tenant:${sessionTenant} session:${session}` },
    { name: 'failures only', query: 'status:failure' },
  ];

  // The baseline reads every row once per query whatever the filter, so one scan that evaluates all the
  // queries measures it for each of them (and keeps the bench from scanning 100,000 rows 28 times).
  const plans = cases.map(({ query }) => parseQuery(query, at));
  const baseline = await measure(BASELINE_RUNS, counter, () =>
    fullScan(clients.tables.events, plans),
  );
  const results: QueryCase[] = [];
  for (const [i, { name, query }] of cases.entries()) {
    const plan = plans[i] as QueryPlan;
    const ours = await measure(RUNS, counter, async () => {
      let scanned = 0;
      let matches = 0;
      let after;
      do {
        const page = await queryHotStore(
          clients.tables.events,
          plan,
          plan.tenants ?? tenants,
          1000,
          after,
        );
        scanned += page.stats.entitiesScanned;
        matches += page.rows.length;
        after = page.next;
      } while (after);
      return { scanned, matches: [matches] };
    });
    const baselineMatches = baseline.matches[i] ?? -1;
    if (ours.matches[0] !== baselineMatches) {
      throw new Error(
        `${name}: the query found ${ours.matches[0]} events, the full scan ${baselineMatches}`,
      );
    }
    results.push({
      name,
      query,
      p50Ms: ours.p50,
      p95Ms: ours.p95,
      requests: ours.requests,
      entitiesScanned: ours.scanned,
      matches: baselineMatches,
      baselineP50Ms: baseline.p50,
      baselineP95Ms: baseline.p95,
      baselineRequests: baseline.requests,
      baselineEntitiesScanned: baseline.scanned,
    });
    log(
      `query: ${name}: ${ours.p50} ms p50, ${ours.requests} requests (full scan ${baseline.p50} ms, ${baseline.requests})`,
    );
  }
  return { events, cases: results };
}

async function fullScan(
  table: ReturnType<typeof createStorageClients>['tables']['events'],
  plans: readonly QueryPlan[],
) {
  let scanned = 0;
  const matches = plans.map(() => 0);
  for await (const page of table.listEntities().byPage({ maxPageSize: 1000 })) {
    for (const entity of page) {
      scanned++;
      const row = plainRow(entity as Record<string, unknown>);
      const time = eventTimeOfRowKey(String(row.rowKey));
      plans.forEach((plan, i) => {
        if (plan.tenants && !plan.tenants.includes(String(row.tenant))) return;
        if (plan.from && time < plan.from.getTime()) return;
        if (plan.to && time >= plan.to.getTime()) return;
        if (plan.filter && !evaluate(plan.filter, row)) return;
        matches[i] = (matches[i] ?? 0) + 1;
      });
    }
  }
  return { scanned, matches };
}

async function measure(
  runs: number,
  counter: RequestCounter,
  run: () => Promise<{ scanned: number; matches: number[] }>,
): Promise<{ p50: number; p95: number; requests: number; scanned: number; matches: number[] }> {
  const times: number[] = [];
  let requests = 0;
  let last: { scanned: number; matches: number[] } = { scanned: 0, matches: [] };
  for (let i = 0; i < runs; i++) {
    const before = counter.requests;
    const start = process.hrtime.bigint();
    last = await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    requests = counter.requests - before;
  }
  times.sort((a, b) => a - b);
  const pick = (q: number) =>
    Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0);
  return { p50: pick(0.5), p95: pick(0.95), requests, ...last };
}
