/**
 * The lifecycle run on Azurite carries out the generated management policy itself. A moving clock
 * crosses every boundary of the shipped classes; the blobs' own timestamps (set by Azurite) anchor the
 * schedule, as they do in Azure.
 */
import { shippedRetentionPolicy } from '../../lifecycle';
import { listEvents } from '../../src/http/events';
import { listBlobFacts, runLifecycle, usesEmulator } from '../../src/lifecycle-runtime';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { ADMIN_KEY, DAY_MS, apiDependencies, apiRequest, bodyOf, typedBody } from './support';

const STANDARD = 'acme/0/2026/11/26/10.standard.seg';
const LONG = 'acme/0/2026/11/26/10.long.seg';
const SHORT = 'sandbox/0/2026/11/26/10.short.seg';
const DEAD_LETTER = /^acme\/2026\/11\/26\/10\/0-0+3\.json$/;

describe('the lifecycle run on the emulator, with a moving clock', () => {
  let harness: Harness;
  let written: number;

  beforeAll(async () => {
    harness = await ingestHarness();
    await harness.deliver('0', [
      { sequenceNumber: 0, body: typedBody(0, 'com.sqlmcp.tool.invoked', { tenant: 'acme' }) },
      {
        sequenceNumber: 1,
        body: typedBody(1, 'com.sqlmcp.auth.failed', { tenant: 'acme', status: 'failure' }),
      },
      { sequenceNumber: 2, body: typedBody(2, 'com.sqlmcp.tool.invoked', { tenant: 'sandbox' }) },
      { sequenceNumber: 3, body: Buffer.from('{"tenantid":"acme","specversion":"1.0"}') },
    ]);
    const facts = await listBlobFacts(harness.clients.containers);
    written = Math.max(...facts.map((blob) => blob.lastModified.getTime()));
  });

  async function tiers(): Promise<Record<string, string>> {
    const facts = await listBlobFacts(harness.clients.containers);
    return Object.fromEntries(
      facts.map((blob) => [DEAD_LETTER.test(blob.name) ? 'dead letter' : blob.name, blob.tier]),
    );
  }

  it('knows the storage is the emulator', () => {
    expect(usesEmulator(harness.clients)).toBe(true);
  });

  it.each([
    [29.99, { [STANDARD]: 'Hot', [LONG]: 'Hot', [SHORT]: 'Hot' }],
    [30.01, { [STANDARD]: 'Cool', [LONG]: 'Cool', [SHORT]: 'Cool' }],
    [89.99, { [STANDARD]: 'Cool', [LONG]: 'Cool', [SHORT]: 'Cool' }],
    [90.01, { [STANDARD]: 'Cold', [LONG]: 'Cold' }],
    [179.99, { [STANDARD]: 'Cold', [LONG]: 'Cold' }],
    [180.01, { [STANDARD]: 'Archive', [LONG]: 'Archive' }],
    [2554.99, { [STANDARD]: 'Archive', [LONG]: 'Archive' }],
    [2555.01, { [LONG]: 'Archive' }],
    [3649.99, { [LONG]: 'Archive' }],
    [3650.01, {}],
  ])('at day %p the segments are where the policy puts them', async (day, expected) => {
    const report = await runLifecycle(
      { clients: harness.clients, basePolicy: shippedRetentionPolicy() },
      new Date(written + day * DAY_MS),
    );
    expect(report.appliedPolicy).toBe(true);
    expect(
      report.tiering?.performed.filter((action) => action.earlyDeletionDays !== undefined),
    ).toEqual([]);
    // The dead letter carries no retention tag: no rule selects it, so it is never moved or deleted.
    expect(await tiers()).toEqual({ ...expected, 'dead letter': 'Hot' });
  });

  it('handed the hot rows off once their window passed', async () => {
    let hot = 0;
    for await (const entity of harness.clients.tables.events.listEntities())
      if (entity.rowKey !== undefined) hot++;
    expect(hot).toBe(0);
  });

  it('forgets deleted segments: their events are gone, not awaiting rehydration', async () => {
    const response = await listEvents(
      apiRequest('GET', 'events', { key: ADMIN_KEY, query: { limit: '100' } }),
      apiDependencies(harness.clients),
    );
    expect([bodyOf(response).events, bodyOf(response).needsRehydration]).toEqual([[], undefined]);
  });
});
