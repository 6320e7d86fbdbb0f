import { randomBytes } from 'node:crypto';
import { ContinuationTokenError, sealCursor } from '../../src/query/continuation';
import { claimIdentities } from '../../src/store/identity-claims';
import { createStorageClients } from '../../src/store/clients';
import { eventRowKey } from '../../src/store/names';
import { decodeRecord } from '../../src/pipeline/record';
import { recordBytesOf } from '../../src/store/hot-entity';
import { freePort } from '../../src/devstorage/azurite';
import {
  federatedQuery,
  federatedTenants,
  openFederatedCursor,
  RegionReadError,
  sealFederatedCursor,
  type FederatedPage,
  type RegionTables,
} from '../../src/regions';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';
import { deliverAt } from './support';

/**
 * Two regions on the shared Azurite (each its own isolated tables, as two storage accounts would be):
 *
 * tenant   | westeurope (A)                       | northeurope (B)
 * acme     | e1 10:00:01, e2 :03, e4 :05          | e3 :02, e4 :05 (retried later), e5 :06
 * globex   | g1 10:00:02                          | g2 10:00:01
 * hooli    | h1 10:00:07, enqueued 10:20          | h1 10:00:07, enqueued 10:20 too
 * initech  | i1 10:00:08, partition 1, seq 0      | i2 10:00:08, partition 1, seq 0 (same row key)
 * umbrella | k1 10:00:09                          | only a claim for k1 (still being ingested)
 */

const A = 'westeurope';
const B = 'northeurope';
const at = (clock: string): Date => new Date(`2026-11-26T${clock}Z`);
const body = (n: number, id: string, tenant: string, time: string): Buffer =>
  testBody(n, { id, tenant, time: at(time).toISOString() });

let a: Harness;
let b: Harness;
let regions: RegionTables[];

beforeAll(async () => {
  a = await ingestHarness(undefined, undefined, { region: A });
  b = await ingestHarness(undefined, undefined, { region: B });
  await deliverAt(a.ingest, '0', [
    { sequenceNumber: 0, body: body(1, 'e1', 'acme', '10:00:01'), enqueuedTime: at('10:00:11') },
    { sequenceNumber: 1, body: body(2, 'g1', 'globex', '10:00:02'), enqueuedTime: at('10:00:12') },
    { sequenceNumber: 2, body: body(3, 'e2', 'acme', '10:00:03'), enqueuedTime: at('10:00:13') },
    { sequenceNumber: 3, body: body(4, 'e4', 'acme', '10:00:05'), enqueuedTime: at('10:00:15') },
    { sequenceNumber: 4, body: body(5, 'h1', 'hooli', '10:00:07'), enqueuedTime: at('10:20:00') },
    {
      sequenceNumber: 5,
      body: body(6, 'k1', 'umbrella', '10:00:09'),
      enqueuedTime: at('10:20:01'),
    },
  ]);
  await deliverAt(a.ingest, '1', [
    { sequenceNumber: 0, body: body(7, 'i1', 'initech', '10:00:08'), enqueuedTime: at('10:00:18') },
  ]);
  await deliverAt(b.ingest, '0', [
    { sequenceNumber: 0, body: body(11, 'g2', 'globex', '10:00:01'), enqueuedTime: at('10:05:00') },
    { sequenceNumber: 1, body: body(12, 'e3', 'acme', '10:00:02'), enqueuedTime: at('10:05:01') },
    { sequenceNumber: 2, body: body(4, 'e4', 'acme', '10:00:05'), enqueuedTime: at('10:05:02') },
    { sequenceNumber: 3, body: body(13, 'e5', 'acme', '10:00:06'), enqueuedTime: at('10:05:03') },
    { sequenceNumber: 4, body: body(5, 'h1', 'hooli', '10:00:07'), enqueuedTime: at('10:20:00') },
  ]);
  await deliverAt(b.ingest, '1', [
    {
      sequenceNumber: 0,
      body: body(14, 'i2', 'initech', '10:00:08'),
      enqueuedTime: at('10:05:04'),
    },
  ]);
  // B has claimed k1's identity but not written its row yet (its batch is still being ingested).
  await claimIdentities(b.clients.tables.ids, [
    {
      tenant: 'umbrella',
      eventId: 'k1',
      source: '/sqlmcp/servers/test-01',
      partitionId: '0',
      sequenceNumber: 5,
      eventPartitionKey: 'umbrella|2026112610',
      eventRowKey: eventRowKey(at('10:00:09'), '0', 5),
    },
  ]);
  regions = [
    { name: A, clients: a.clients },
    { name: B, clients: b.clients },
  ];
});

const TENANTS = ['acme', 'globex', 'hooli', 'initech', 'umbrella'];
const listed = (page: FederatedPage): string[] =>
  page.rows.map(({ region, row }) => `${region}:${String(row.eventId)}`);

async function allPages(limit: number, order = regions): Promise<FederatedPage[]> {
  const pages: FederatedPage[] = [];
  let after;
  do {
    const page = await federatedQuery(order, {}, TENANTS, limit, after);
    pages.push(page);
    after = page.next;
  } while (after !== undefined);
  return pages;
}

describe('federatedQuery', () => {
  it('returns every event once, in tenant and time order, each with its region', async () => {
    const page = await federatedQuery(regions, {}, TENANTS, 100, undefined);
    expect(listed(page)).toEqual([
      `${A}:e1`,
      `${B}:e3`,
      `${A}:e2`,
      `${A}:e4`,
      `${B}:e5`,
      `${B}:g2`,
      `${A}:g1`,
      `${A}:h1`,
      `${A}:i1`,
      `${B}:i2`,
      `${A}:k1`,
    ]);
    expect(page.next).toBeUndefined();
  });

  it('keeps the copy accepted first and reports the other as a cross-region duplicate', async () => {
    const page = await federatedQuery(regions, { tenants: ['acme'] }, ['acme'], 100, undefined);
    expect(page.stats.crossRegionDuplicates).toEqual([
      {
        tenant: 'acme',
        source: '/sqlmcp/servers/test-01',
        eventId: 'e4',
        kept: {
          region: A,
          partitionKey: 'acme|2026112610',
          rowKey: eventRowKey(at('10:00:05'), '0', 3),
          enqueuedTime: '2026-11-26T10:00:15.000Z',
        },
        dropped: {
          region: B,
          partitionKey: 'acme|2026112610',
          rowKey: eventRowKey(at('10:00:05'), '0', 2),
          enqueuedTime: '2026-11-26T10:05:02.000Z',
        },
      },
    ]);
  });

  it('counts per region the events returned and the duplicates left out', async () => {
    const page = await federatedQuery(regions, {}, TENANTS, 100, undefined);
    const counts = Object.fromEntries(
      Object.entries(page.stats.regions).map(([name, s]) => [name, [s.events, s.duplicates]]),
    );
    expect(counts).toEqual({ [A]: [7, 0], [B]: [4, 2] });
  });

  it('keeps the copy of the region listed first when both were accepted at the same instant', async () => {
    const page = await federatedQuery(
      [regions[1] as RegionTables, regions[0] as RegionTables],
      { tenants: ['hooli'] },
      ['hooli'],
      100,
      undefined,
    );
    expect([listed(page), page.stats.crossRegionDuplicates.map((d) => d.dropped.region)]).toEqual([
      [`${B}:h1`],
      [A],
    ]);
  });

  it('keeps an event whose identity another region claimed without storing its row', async () => {
    const page = await federatedQuery(
      regions,
      { tenants: ['umbrella'] },
      ['umbrella'],
      100,
      undefined,
    );
    expect([listed(page), page.stats.crossRegionDuplicates]).toEqual([[`${A}:k1`], []]);
  });

  it('carries each record with its own region in log.region', async () => {
    const page = await federatedQuery(regions, {}, TENANTS, 100, undefined);
    expect(
      page.rows.every(({ region, row }) => decodeRecord(recordBytesOf(row)).log.region === region),
    ).toBe(true);
  });

  it.each([1, 2, 3, 4, 5, 7])(
    'pages of %i rows resume across regions to the same events',
    async (limit) => {
      const whole = listed(await federatedQuery(regions, {}, TENANTS, 100, undefined));
      const pages = await allPages(limit);
      expect(pages.flatMap(listed)).toEqual(whole);
    },
  );

  it('never splits a row position held by both regions across pages', async () => {
    const page = await federatedQuery(regions, { tenants: ['initech'] }, ['initech'], 1, undefined);
    expect([listed(page), page.next]).toEqual([
      [`${A}:i1`, `${B}:i2`],
      {
        tenant: 'initech',
        partitionKey: 'initech|2026112610',
        rowKey: eventRowKey(at('10:00:08'), '1', 0),
      },
    ]);
  });

  it('cuts a page before a shared row position that does not fit whole', async () => {
    const page = await federatedQuery(
      regions,
      { tenants: ['hooli', 'initech'] },
      ['hooli', 'initech'],
      2,
      undefined,
    );
    expect([listed(page), page.next?.tenant]).toEqual([[`${A}:h1`], 'hooli']);
  });

  it('applies the plan in every region', async () => {
    const page = await federatedQuery(
      regions,
      { from: at('10:00:02'), to: at('10:00:06') },
      TENANTS,
      100,
      undefined,
    );
    expect(listed(page)).toEqual([`${B}:e3`, `${A}:e2`, `${A}:e4`, `${A}:g1`]);
  });

  it('lists the tenants of every region, sorted', async () => {
    expect(await federatedTenants(regions)).toEqual(TENANTS);
  });

  it('refuses a region whose rows carry another region name', async () => {
    const wrong = [{ name: 'eastus', clients: a.clients }];
    await expect(
      federatedQuery(wrong, { tenants: ['acme'] }, ['acme'], 10, undefined),
    ).rejects.toThrow(
      `region "eastus": its hot store holds a record of region "westeurope" (row acme|2026112610 / ${eventRowKey(at('10:00:01'), '0', 0)}); ` +
        "the entry's storage belongs to another region, or its name is not that region's AUDIT_REGION",
    );
  });

  it('names the region whose storage cannot be read', async () => {
    const port = await freePort();
    const gone = createStorageClients(
      {
        kind: 'connectionString',
        connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k').toString('base64')};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1`,
      },
      { maxTries: 1 },
    );
    const error = await federatedQuery(
      [...regions, { name: 'gone', clients: gone }],
      {},
      TENANTS,
      10,
      undefined,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RegionReadError);
    expect((error as RegionReadError).message).toBe(
      `region "gone": its storage could not be read: ${((error as RegionReadError).cause as Error).message}`,
    );
  });

  it('refuses an empty region list', async () => {
    await expect(federatedQuery([], {}, TENANTS, 10, undefined)).rejects.toThrow(
      new RangeError('federatedQuery needs at least one region'),
    );
  });

  it('refuses a region listed twice', async () => {
    await expect(
      federatedQuery(
        [regions[0] as RegionTables, regions[0] as RegionTables],
        {},
        TENANTS,
        10,
        undefined,
      ),
    ).rejects.toThrow(new RangeError('federatedQuery: region "westeurope" is listed twice'));
  });

  it('refuses a limit that is not a positive integer', async () => {
    await expect(federatedQuery(regions, {}, TENANTS, 0, undefined)).rejects.toThrow(
      new RangeError('federatedQuery: limit must be a positive integer, got 0'),
    );
  });
});

describe('federated continuation tokens', () => {
  const key = randomBytes(32);
  const cursor = { tenant: 'acme', partitionKey: 'acme|2026112610', rowKey: '1' };

  it('open to the cursor they seal, for the same regions, query and grant', () => {
    const token = sealFederatedCursor(cursor, regions, 'q', 'g', key);
    expect(openFederatedCursor(token, regions, 'q', 'g', key)).toEqual(cursor);
  });

  it('are refused for another list of regions', () => {
    const token = sealFederatedCursor(cursor, regions, 'q', 'g', key);
    expect(() => openFederatedCursor(token, [regions[0] as RegionTables], 'q', 'g', key)).toThrow(
      new ContinuationTokenError('it was issued for a different query'),
    );
  });

  it('refuse a single-region token', () => {
    const token = sealCursor(cursor, 'q', 'g', key);
    expect(() => openFederatedCursor(token, regions, 'q', 'g', key)).toThrow(
      new ContinuationTokenError('it was issued for a different query'),
    );
  });

  it('are refused for another grant', () => {
    const token = sealFederatedCursor(cursor, regions, 'q', 'g', key);
    expect(() => openFederatedCursor(token, regions, 'q', 'other', key)).toThrow(
      new ContinuationTokenError('it was issued to a caller with other tenants'),
    );
  });
});
