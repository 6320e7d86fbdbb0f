/**
 * Segments in the Archive tier cannot be read: queries and lookups say which need rehydration instead
 * of failing, the hand-off keeps rows it cannot confirm, and a rehydrated copy makes them readable.
 */
import { shippedRetentionPolicy } from '../../lifecycle';
import type { ApiDependencies } from '../../src/http/dependencies';
import { getEvent, listEvents } from '../../src/http/events';
import {
  archiveContainersOf,
  handOff,
  rehydrateSegments,
  removeExpiredCopies,
  segmentState,
  segmentsForEventRange,
} from '../../src/lifecycle-runtime';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import {
  ADMIN_KEY,
  DAY_MS,
  HOUR_MS,
  apiDependencies,
  apiRequest,
  bodyOf,
  typedBody,
} from './support';

const FIRST_HOUR = 'acme/0/2026/11/26/10.standard.seg';
const SECOND_HOUR = 'acme/0/2026/11/26/11.standard.seg';
const LATER = new Date('2027-02-01T00:00:00.000Z');

async function ingestTwoHours(harness: Harness): Promise<void> {
  for (const hour of [0, 1]) {
    await harness.deliver(
      '0',
      Array.from({ length: 3 }, (_, i) => ({
        sequenceNumber: hour * HOUR_MS + i,
        body: typedBody(hour * 10 + i, 'com.sqlmcp.tool.invoked', { tenant: 'acme' }),
      })),
    );
  }
}

describe('an archive segment in the Archive tier', () => {
  let harness: Harness;
  let deps: ApiDependencies;
  let before: unknown[];

  const query = async () =>
    bodyOf(
      await listEvents(
        apiRequest('GET', 'events', { key: ADMIN_KEY, query: { tenant: 'acme' } }),
        deps,
      ),
    );

  beforeAll(async () => {
    harness = await ingestHarness();
    await ingestTwoHours(harness);
    deps = apiDependencies(harness.clients);
    before = (await query()).events as unknown[];
    const report = await handOff(
      {
        tables: harness.clients.tables,
        archive: harness.clients.containers.archive,
        policy: shippedRetentionPolicy(),
      },
      LATER,
    );
    expect(report.handedOff).toBe(6);
    await harness.clients.containers.archive.getBlobClient(FIRST_HOUR).setAccessTier('Archive');
  });

  it('is listed as needing rehydration, and the rest is answered', async () => {
    const body = await query();
    expect([(body.events as unknown[]).length, body.needsRehydration]).toEqual([
      3,
      [{ segment: FIRST_HOUR, status: 'archived' }],
    ]);
    expect(body.events).toEqual(before.slice(3));
  });

  it('makes a lookup by id say which segment to rehydrate', async () => {
    const response = await getEvent(
      apiRequest('GET', 'events/evt-000001', { key: ADMIN_KEY, params: { id: 'evt-000001' } }),
      deps,
    );
    expect([response.status, bodyOf(response).error, bodyOf(response).needsRehydration]).toEqual([
      409,
      'needs-rehydration',
      [{ segment: FIRST_HOUR, status: 'archived' }],
    ]);
  });

  it('is found from the time range of the events it holds', async () => {
    expect(
      await segmentsForEventRange(
        harness.clients.tables.state,
        ['acme'],
        new Date('2026-11-26T00:00:00Z'),
        new Date('2026-11-27T00:00:00Z'),
      ),
    ).toEqual([FIRST_HOUR, SECOND_HOUR]);
  });

  it('is readable again once rehydrated, without leaving the Archive tier', async () => {
    const containers = archiveContainersOf(harness.clients);
    const progress: string[] = [];
    const results = await rehydrateSegments(containers, [FIRST_HOUR, SECOND_HOUR], 'High', (step) =>
      progress.push(`${step.done}/${step.total} ${step.outcome}`),
    );
    // Azurite completes the copy at once; Azure reports `started` and completes it within hours.
    expect([results.map((result) => result.outcome), progress]).toEqual([
      ['rehydrated', 'online'],
      ['1/2 rehydrated', '2/2 online'],
    ]);
    expect(await segmentState(containers, FIRST_HOUR)).toEqual({ state: 'rehydrated' });
    const body = await query();
    expect([body.events, body.needsRehydration]).toEqual([before, undefined]);
    const response = await getEvent(
      apiRequest('GET', 'events/evt-000001', { key: ADMIN_KEY, params: { id: 'evt-000001' } }),
      deps,
    );
    expect([response.status, response.jsonBody]).toEqual([200, before[1]]);
  });

  it('needs rehydration again once the copy expired', async () => {
    const containers = archiveContainersOf(harness.clients);
    expect(await removeExpiredCopies(containers, new Date(Date.now() + 31 * DAY_MS))).toEqual([
      FIRST_HOUR,
    ]);
    expect((await query()).needsRehydration).toEqual([{ segment: FIRST_HOUR, status: 'archived' }]);
  });
});

describe('the hand-off, when a segment is in the Archive tier', () => {
  it('keeps the rows it cannot confirm and says why', async () => {
    const harness = await ingestHarness();
    await ingestTwoHours(harness);
    await harness.clients.containers.archive.getBlobClient(SECOND_HOUR).setAccessTier('Archive');
    const report = await handOff(
      {
        tables: harness.clients.tables,
        archive: harness.clients.containers.archive,
        policy: shippedRetentionPolicy(),
      },
      LATER,
    );
    expect([report.handedOff, report.kept.map((kept) => [kept.reason, kept.detail])]).toEqual([
      3,
      [0, 1, 2].map((i) => [
        'segment-offline',
        `segment ${SECOND_HOUR} is in the Archive tier; log index ${3 + i} cannot be confirmed`,
      ]),
    ]);
  });
});
