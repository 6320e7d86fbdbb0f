/**
 * Reads across tiers: queries return exactly the events they returned before the hand-off, in the
 * same order and pages, whether the events are hot, handed off, or some of each.
 */
import { shippedRetentionPolicy } from '../../lifecycle';
import { getEvent, listEvents } from '../../src/http/events';
import type { ApiDependencies } from '../../src/http/dependencies';
import { handOff } from '../../src/lifecycle-runtime';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import {
  ACME_KEY,
  ADMIN_KEY,
  DAY_MS,
  HOUR_MS,
  apiDependencies,
  apiRequest,
  bodyOf,
  typedBody,
} from './support';

const EVENTS = 48;
const FIRST_EVENT = Date.parse('2026-11-20T00:00:00.000Z');

interface Sent {
  id: string;
  tenant: string;
}

/**
 * 48 events of two tenants over about two days of event time, on two Event Hubs partitions, enqueued
 * in four hours (sequence numbers move the harness's enqueued time), some of the `long` class: they
 * land in several segments per tenant.
 */
async function ingestEvents(harness: Harness): Promise<Sent[]> {
  const sent: Sent[] = [];
  const batches = new Map<string, { sequenceNumber: number; body: Buffer }[]>();
  for (let n = 0; n < EVENTS; n++) {
    const tenant = n % 3 === 0 ? 'globex' : 'acme';
    const type = n % 5 === 0 ? 'com.sqlmcp.config.changed' : 'com.sqlmcp.tool.invoked';
    const partition = n % 2 === 0 ? '0' : '1';
    const enqueuedHour = Math.floor(n / 12);
    const body = typedBody(n, type, {
      tenant,
      time: new Date(FIRST_EVENT + n * 53 * 60_000).toISOString(),
      actor: n % 4 === 0 ? 'agent-9' : 'agent-7',
      rows: n * 10,
    });
    const key = `${partition}/${enqueuedHour}`;
    const batch = batches.get(key) ?? [];
    batch.push({ sequenceNumber: enqueuedHour * HOUR_MS + n, body });
    batches.set(key, batch);
    sent.push({ id: `evt-${String(n).padStart(6, '0')}`, tenant });
  }
  for (const [key, batch] of [...batches].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const outcomes = await harness.deliver(key.split('/')[0] as string, batch);
    expect(outcomes.every((outcome) => outcome.status === 'accepted')).toBe(true);
  }
  return sent;
}

const QUERIES: { name: string; key: string; query: Record<string, string> }[] = [
  { name: 'everything, one page', key: ADMIN_KEY, query: { limit: '1000' } },
  { name: 'everything, pages of 5', key: ADMIN_KEY, query: { limit: '5' } },
  {
    name: 'one tenant and actor, pages of 4',
    key: ADMIN_KEY,
    query: { tenant: 'acme', actor: 'agent-7', limit: '4' },
  },
  {
    name: 'a time range, pages of 3',
    key: ADMIN_KEY,
    query: { from: '2026-11-20T10:00:00Z', to: '2026-11-21T09:30:00Z', limit: '3' },
  },
  {
    name: 'the query language, pages of 2',
    key: ADMIN_KEY,
    query: { q: 'actor:agent-9 OR rows>400', limit: '2' },
  },
  { name: 'a tenant key, pages of 6', key: ACME_KEY, query: { limit: '6' } },
];

/** Every page of a query, following continuation tokens: the event views, in order. */
async function readAll(
  deps: ApiDependencies,
  key: string,
  query: Record<string, string>,
): Promise<unknown[]> {
  const events: unknown[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const response = await listEvents(
      apiRequest('GET', 'events', {
        key,
        query: token === undefined ? query : { ...query, continuationToken: token },
      }),
      deps,
    );
    expect(response.status).toBe(200);
    const body = bodyOf(response);
    expect(body.needsRehydration).toBeUndefined();
    events.push(...(body.events as unknown[]));
    token = body.continuationToken as string | undefined;
    if (token === undefined) return events;
  }
  throw new Error('more than 100 pages');
}

async function readEveryQuery(deps: ApiDependencies): Promise<Map<string, unknown[]>> {
  const results = new Map<string, unknown[]>();
  for (const { name, key, query } of QUERIES) results.set(name, await readAll(deps, key, query));
  return results;
}

async function hotRowCount(harness: Harness): Promise<number> {
  let count = 0;
  for await (const entity of harness.clients.tables.events.listEntities())
    if (entity.rowKey !== undefined) count++;
  return count;
}

describe('queries across the hot store and the archive', () => {
  let harness: Harness;
  let deps: ApiDependencies;
  let sent: Sent[];
  let before: Map<string, unknown[]>;

  beforeAll(async () => {
    harness = await ingestHarness();
    deps = apiDependencies(harness.clients);
    sent = await ingestEvents(harness);
    before = await readEveryQuery(deps);
  });

  it('read every event before the hand-off, each query its own share', () => {
    expect(QUERIES.map(({ name }) => (before.get(name) as unknown[]).length)).toEqual([
      48, 48, 24, 26, 17, 32,
    ]);
  });

  it('return the same events, pages and order when part of the rows were handed off', async () => {
    // The cutoff falls between the second and third enqueued hours: half of the rows are due.
    const now = new Date(Date.parse('2026-11-26T12:00:00.000Z') + 30 * DAY_MS);
    const report = await handOff(
      {
        tables: harness.clients.tables,
        archive: harness.clients.containers.archive,
        policy: shippedRetentionPolicy(),
      },
      now,
      { batchSize: 7 },
    );
    expect([report.handedOff, report.notDue, report.kept]).toEqual([24, 24, []]);
    expect(await hotRowCount(harness)).toBe(24);
    expect(await readEveryQuery(deps)).toEqual(before);
  });

  it('return the same events when every row was handed off', async () => {
    const report = await handOff(
      {
        tables: harness.clients.tables,
        archive: harness.clients.containers.archive,
        policy: shippedRetentionPolicy(),
      },
      new Date('2027-02-01T00:00:00.000Z'),
    );
    expect([report.handedOff, report.notDue, report.kept]).toEqual([24, 0, []]);
    expect(await hotRowCount(harness)).toBe(0);
    expect(await readEveryQuery(deps)).toEqual(before);
  });

  it('report the archive reads in the page statistics', async () => {
    const response = await listEvents(
      apiRequest('GET', 'events', { key: ADMIN_KEY, query: { tenant: 'globex', limit: '1000' } }),
      deps,
    );
    const stats = bodyOf(response).stats as {
      entitiesScanned: number;
      archivedRecordsScanned: number;
      segmentsRead: number;
    };
    expect([
      stats.entitiesScanned,
      stats.archivedRecordsScanned > 0,
      stats.segmentsRead > 0,
    ]).toEqual([0, true, true]);
  });

  it('find a handed-off event by id, as the hot store showed it', async () => {
    const everything = before.get('everything, one page') as { id: string }[];
    const target = everything.find((view) => view.id === sent[7]?.id);
    const response = await getEvent(
      apiRequest('GET', `events/${sent[7]?.id}`, {
        key: ADMIN_KEY,
        params: { id: sent[7]?.id ?? '' },
      }),
      deps,
    );
    expect([response.status, response.jsonBody]).toEqual([200, target]);
  });

  it('keep tenant isolation for handed-off events', async () => {
    const globexEvent = sent.find((event) => event.tenant === 'globex') as Sent;
    const response = await getEvent(
      apiRequest('GET', `events/${globexEvent.id}`, {
        key: ACME_KEY,
        params: { id: globexEvent.id },
      }),
      deps,
    );
    expect(response.status).toBe(404);
  });

  it('hand off nothing more when run again', async () => {
    const report = await handOff(
      {
        tables: harness.clients.tables,
        archive: harness.clients.containers.archive,
        policy: shippedRetentionPolicy(),
      },
      new Date('2027-02-01T00:00:00.000Z'),
    );
    expect([report.examined, report.handedOff]).toEqual([0, 0]);
  });
});
