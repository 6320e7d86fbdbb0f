/**
 * Legal holds at run time: placed and lifted through the API (admin keys only), kept in storage,
 * merged into the policy, applied to the blobs' tags, audited through the ingest pipeline, and
 * stopping deletion until they are lifted.
 */
import { shippedRetentionPolicy } from '../../lifecycle';
import type { ApiDependencies } from '../../src/http/dependencies';
import { listEvents } from '../../src/http/events';
import {
  holdRoutes,
  listBlobFacts,
  runLifecycle,
  type HoldRoutes,
} from '../../src/lifecycle-runtime';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import {
  ACME_KEY,
  ADMIN_KEY,
  DAY_MS,
  apiDependencies,
  apiRequest,
  bodyOf,
  harnessSink,
  typedBody,
} from './support';

const ACME_SEGMENT = 'acme/0/2026/11/26/10.standard.seg';
const GLOBEX_SEGMENT = 'globex/0/2026/11/26/10.standard.seg';
/** Where the hold's own audit events land: the sink ingests them on partition 5. */
const HOLD_EVENT_SEGMENT = 'acme/5/2026/11/26/10.long.seg';

const HOLD = {
  id: 'case-2026-17',
  reason: 'litigation hold, matter 2026-17',
  placedBy: 'jane.doe@contoso.example',
  tenant: 'acme',
  from: '2026-11-26T00:00:00Z',
  to: '2026-11-27T00:00:00Z',
};

describe('legal holds', () => {
  let harness: Harness;
  let deps: ApiDependencies;
  let routes: HoldRoutes;
  let written: number;

  async function tagsOf(): Promise<Record<string, Record<string, string>>> {
    const facts = await listBlobFacts(harness.clients.containers);
    return Object.fromEntries(facts.map((blob) => [blob.name, { ...blob.tags }]));
  }

  async function names(): Promise<string[]> {
    return (await listBlobFacts(harness.clients.containers)).map((blob) => blob.name);
  }

  beforeAll(async () => {
    harness = await ingestHarness();
    await harness.deliver('0', [
      { sequenceNumber: 0, body: typedBody(0, 'com.sqlmcp.tool.invoked', { tenant: 'acme' }) },
      { sequenceNumber: 1, body: typedBody(1, 'com.sqlmcp.tool.invoked', { tenant: 'globex' }) },
    ]);
    deps = apiDependencies(harness.clients, {
      sink: harnessSink(harness, '5', 0),
      clock: () => new Date('2026-11-26T12:00:00.000Z'),
    });
    routes = holdRoutes(shippedRetentionPolicy());
    written = Math.max(
      ...(await listBlobFacts(harness.clients.containers)).map((blob) =>
        blob.lastModified.getTime(),
      ),
    );
  });

  it('refuses a key limited to tenants', async () => {
    const response = await routes.placeHold(
      apiRequest('POST', 'holds', { key: ACME_KEY, body: HOLD }),
      deps,
    );
    expect([response.status, bodyOf(response).message]).toEqual([
      403,
      'legal holds can be listed, placed and lifted only with an admin key (one granted "*")',
    ]);
  });

  it('refuses a hold without a reason', async () => {
    const withoutReason: Partial<typeof HOLD> = { ...HOLD };
    delete withoutReason.reason;
    const response = await routes.placeHold(
      apiRequest('POST', 'holds', { key: ADMIN_KEY, body: withoutReason }),
      deps,
    );
    expect([response.status, bodyOf(response).message]).toEqual([
      400,
      'reason is required: a non-empty string',
    ]);
  });

  it('refuses a hold whose range ends before it starts, naming the field', async () => {
    const response = await routes.placeHold(
      apiRequest('POST', 'holds', {
        key: ADMIN_KEY,
        body: { ...HOLD, id: 'backwards', to: '2026-11-25T00:00:00Z' },
      }),
      deps,
    );
    expect([response.status, bodyOf(response).issues]).toEqual([
      400,
      [
        {
          path: 'legalHolds[0].scope.to',
          message: 'must be later than from (2026-11-26T00:00:00Z)',
        },
      ],
    ]);
  });

  it('places a hold, re-tags the covered segments and records the change', async () => {
    const response = await routes.placeHold(
      apiRequest('POST', 'holds', { key: ADMIN_KEY, body: HOLD }),
      deps,
    );
    expect(response.status).toBe(201);
    expect(bodyOf(response)).toEqual({
      hold: {
        id: HOLD.id,
        reason: HOLD.reason,
        placedBy: HOLD.placedBy,
        placedAt: '2026-11-26T12:00:00.000Z',
        scope: { tenant: 'acme', from: HOLD.from, to: HOLD.to },
      },
      events: [{ tenant: 'acme', change: 'placed', status: 'accepted' }],
      retagged: { examined: 1, changed: 1 },
      pending: { record: false, retag: false },
    });
    const tags = await tagsOf();
    expect([tags[ACME_SEGMENT], tags[GLOBEX_SEGMENT]]).toEqual([
      { retention: 'standard.held', legalhold: HOLD.id },
      { retention: 'standard' },
    ]);
  });

  it('hashes the hold change into the log as a config.changed event of the tenant', async () => {
    const response = await listEvents(
      apiRequest('GET', 'events', { key: ADMIN_KEY, query: { type: 'config.changed' } }),
      deps,
    );
    const [view] = bodyOf(response).events as {
      id: string;
      tenant: string;
      leafHash: string;
      record: { log: { index: number }; event: { data: { config: { key: string } } } };
    }[];
    expect([
      view?.id,
      view?.tenant,
      view?.record.log.index,
      view?.record.event.data.config.key,
      view?.leafHash.length,
    ]).toEqual(['legalhold-case-2026-17-placed', 'acme', 0, 'legalHolds.case-2026-17', 64]);
  });

  it('answers a repeated request with the hold already placed', async () => {
    const response = await routes.placeHold(
      apiRequest('POST', 'holds', { key: ADMIN_KEY, body: HOLD }),
      deps,
    );
    expect([response.status, bodyOf(response).events]).toEqual([200, []]);
  });

  it('refuses another hold under the same id', async () => {
    const response = await routes.placeHold(
      apiRequest('POST', 'holds', { key: ADMIN_KEY, body: { ...HOLD, reason: 'other' } }),
      deps,
    );
    expect([response.status, bodyOf(response).error]).toEqual([409, 'hold-exists']);
  });

  it('holds segments written after the hold once the daily sweep runs', async () => {
    expect((await tagsOf())[HOLD_EVENT_SEGMENT]).toEqual({ retention: 'long' });
    const report = await runLifecycle(
      { clients: harness.clients, basePolicy: shippedRetentionPolicy() },
      new Date(written + DAY_MS),
    );
    expect(report.holdSweep).toEqual({ examined: 2, changed: 1 });
    expect((await tagsOf())[HOLD_EVENT_SEGMENT]).toEqual({
      retention: 'long.held',
      legalhold: HOLD.id,
    });
  });

  it('blocks the deletion of held segments when their class is due', async () => {
    const report = await runLifecycle(
      { clients: harness.clients, basePolicy: shippedRetentionPolicy() },
      new Date(written + 2555.01 * DAY_MS),
    );
    expect(
      report.tiering?.blocked.map((blocked) => [blocked.name, blocked.action, blocked.blockedBy]),
    ).toEqual([[ACME_SEGMENT, 'delete', 'legal-hold']]);
    expect(await names()).toEqual([ACME_SEGMENT, HOLD_EVENT_SEGMENT]);
  });

  it('lifts the hold, restores the tags and records the release', async () => {
    const response = await routes.releaseHold(
      apiRequest('DELETE', `holds/${HOLD.id}`, {
        key: ADMIN_KEY,
        params: { id: HOLD.id },
        query: { releasedBy: 'john.roe@contoso.example' },
      }),
      deps,
    );
    expect([response.status, bodyOf(response).events, bodyOf(response).retagged]).toEqual([
      200,
      [{ tenant: 'acme', change: 'released', status: 'accepted' }],
      { examined: 2, changed: 2 },
    ]);
    const tags = await tagsOf();
    expect([tags[ACME_SEGMENT], tags[HOLD_EVENT_SEGMENT]]).toEqual([
      { retention: 'standard' },
      { retention: 'long' },
    ]);
  });

  it('lets the next run delete what is past its deletion day', async () => {
    await runLifecycle(
      { clients: harness.clients, basePolicy: shippedRetentionPolicy() },
      new Date(written + 2555.02 * DAY_MS),
    );
    expect(await names()).toEqual([HOLD_EVENT_SEGMENT]);
  });

  it('lists the released hold with nothing left to do', async () => {
    const response = await routes.listHolds(apiRequest('GET', 'holds', { key: ADMIN_KEY }), deps);
    const [listed] = bodyOf(response).holds as {
      hold: { id: string; releasedBy: string };
      source: string;
      active: boolean;
      pending: unknown;
    }[];
    expect([
      listed?.hold.id,
      listed?.hold.releasedBy,
      listed?.source,
      listed?.active,
      listed?.pending,
    ]).toEqual([
      HOLD.id,
      'john.roe@contoso.example',
      'storage',
      false,
      { record: false, retag: false },
    ]);
  });

  it('answers 404 for lifting a hold nobody placed', async () => {
    const response = await routes.releaseHold(
      apiRequest('DELETE', 'holds/nope', {
        key: ADMIN_KEY,
        params: { id: 'nope' },
        query: { releasedBy: 'x' },
      }),
      deps,
    );
    expect([response.status, bodyOf(response).message]).toEqual([
      404,
      'no legal hold with id "nope"',
    ]);
  });

  it('places a hold on events by id, locating them by their time', async () => {
    const response = await routes.placeHold(
      apiRequest('POST', 'holds', {
        key: ADMIN_KEY,
        body: {
          id: 'by-event',
          reason: 'incident 88',
          placedBy: 'jane.doe@contoso.example',
          tenant: 'acme',
          eventIds: ['evt-000000'],
        },
      }),
      deps,
    );
    expect([response.status, (bodyOf(response).hold as { scope: unknown }).scope]).toEqual([
      201,
      { tenant: 'acme', events: [{ id: 'evt-000000', time: '2026-11-26T10:00:00.000Z' }] },
    ]);
  });

  it('refuses a hold on an event the tenant does not have', async () => {
    const response = await routes.placeHold(
      apiRequest('POST', 'holds', {
        key: ADMIN_KEY,
        body: { reason: 'r', placedBy: 'p', tenant: 'globex', eventIds: ['evt-000000'] },
      }),
      deps,
    );
    expect([response.status, bodyOf(response).message]).toEqual([
      404,
      'no event with id "evt-000000" in tenant "globex": a hold by event id needs an accepted event',
    ]);
  });
});
