/**
 * The failover drill. Two Azurite instances stand for the storage accounts of two regions; simulated
 * traffic flows through each region's Event Hub (SimulatedHub) into the real ingest pipeline.
 *
 * 1. westeurope (primary) ingests events 0-39, acknowledged, and seals.
 * 2. Events 40-49 reach westeurope's hub, but their acknowledgements are lost. Its ingest accepts one
 *    batch of them; then its storage stops in the middle of the next batch, which fails.
 * 3. Events 50-54 find westeurope unreachable.
 * 4. Failover: the producer retries every unacknowledged event (40-54) into northeurope and goes on
 *    with 55-89 there. northeurope ingests them under its own AUDIT_REGION and keys, and seals.
 * 5. westeurope comes back: its trigger delivers the failed batch again and drains its backlog
 *    (the rest of 40-49), and it seals.
 *
 * Then the federated query must return the 90 events exactly once, in time order, with their regions
 * (40-49 from westeurope, where they were accepted first), and each region's log must verify on its
 * own keys, the boundary being westeurope's last checkpoints and northeurope's first.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { startAzurite, type AzuriteInstance } from '../../src/devstorage/azurite';
import { decodeRecord } from '../../src/pipeline/record';
import { sealPartitions } from '../../src/seal';
import { simulateTraffic } from '../../src/simulate';
import { createStorageClients, ensureStorage, type StorageClients } from '../../src/store/clients';
import { recordBytesOf } from '../../src/store/hot-entity';
import { CONTAINERS } from '../../src/store/names';
import type { JsonWebKeySet } from '../../src/keys/types';
import {
  federatedQuery,
  federatedTenants,
  verifyRegions,
  type FederatedPage,
  type FederatedRow,
  type RegionsVerification,
} from '../../src/regions';
import { storagePartitionSource, verifyLog } from '../../src/verify';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { TestTransport } from '../support/storage';
import { SimulatedHub } from './support';

jest.setTimeout(180_000);

const WEST = 'westeurope';
const NORTH = 'northeurope';
const BATCH = 5;
const PUBLISH_LATENCY_MS = 20;
const traffic = [
  ...simulateTraffic({
    seed: 11,
    count: 90,
    tenants: 3,
    start: new Date('2026-11-26T09:00:00.000Z'),
    ratePerSecond: 2,
  }),
];
const idOf = (i: number): string => String(traffic[i]?.event.id);
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, k) => from + k);

let folderA: string;
let azuriteA: AzuriteInstance;
let azuriteB: AzuriteInstance;
const transportA = new TestTransport();
let west: Harness;
let north: Harness;
let westKeys: JsonWebKeySet;
let northKeys: JsonWebKeySet;
const hubWest = new SimulatedHub(WEST, 2);
const hubNorth = new SimulatedHub(NORTH, 2);
/** Ids westeurope's storage accepted before the outage although the producer never heard back. */
let acceptedButUnacknowledged: string[] = [];
let inFlightFailure: unknown;
const unreachable: number[] = [];

async function regionClients(connectionString: string, transport?: TestTransport) {
  const clients = createStorageClients(
    { kind: 'connectionString', connectionString },
    { ...(transport ? { httpClient: transport } : {}), maxTries: 1 },
  );
  await ensureStorage(clients);
  return clients;
}

function publish(hub: SimulatedHub, index: number, at: Date): void {
  const simulated = traffic[index];
  if (simulated === undefined) throw new Error(`no simulated event ${index}`);
  // Sessions are the partition key, so both partitions carry every tenant's traffic.
  const data = simulated.event.data as { session?: { id?: string } };
  hub.publish(
    Buffer.from(simulated.body, 'utf8'),
    data.session?.id ?? String(simulated.event.id),
    at,
  );
}

const eventTime = (index: number): Date => new Date(String(traffic[index]?.event.time));
const publishedAt = (index: number): Date =>
  new Date(eventTime(index).getTime() + PUBLISH_LATENCY_MS);

/** The trigger's retry policy: the same batch again after a pause, until storage answers. */
async function drainWithRetry(hub: SimulatedHub, harness: Harness): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await hub.drain(harness.ingest, BATCH);
      return;
    } catch (error) {
      if (attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

beforeAll(async () => {
  folderA = mkdtempSync(path.join(tmpdir(), 'region-west-'));
  azuriteA = await startAzurite({ location: folderA });
  azuriteB = await startAzurite();
  const clientsA: StorageClients = await regionClients(azuriteA.connectionString, transportA);
  const clientsB: StorageClients = await regionClients(azuriteB.connectionString);
  west = await ingestHarness(transportA, clientsA, {
    integrity: true,
    region: WEST,
    tilesContainer: CONTAINERS.tiles,
  });
  north = await ingestHarness(undefined, clientsB, {
    integrity: true,
    region: NORTH,
    tilesContainer: CONTAINERS.tiles,
  });
  westKeys = await west.integrity.keys.publicJwks();
  northKeys = await north.integrity.keys.publicJwks();

  // 1. The primary ingests 0-39 and seals.
  for (const i of range(0, 40)) publish(hubWest, i, publishedAt(i));
  await hubWest.drain(west.ingest, BATCH);
  await sealPartitions(west.integrity, new Date(eventTime(39).getTime() + 60_000));

  // 2. 40-49 reach the primary's hub; the producer never sees their acknowledgements.
  for (const i of range(40, 50)) publish(hubWest, i, publishedAt(i));
  const busiest = hubWest
    .partitionIds()
    .sort((p, q) => hubWest.pending(q).length - hubWest.pending(p).length)[0] as string;
  if (hubWest.pending(busiest).length < 3)
    throw new Error('the drill needs a backlog of 3 or more');
  const accepted = await hubWest.deliverNext(west.ingest, busiest, 2);
  acceptedButUnacknowledged = accepted.map((outcome) => String(outcome.eventId));
  // The storage stops while the next batch is being written: its second request finds it gone.
  const stopAt = transportA.attempts + 2;
  transportA.beforeRequest = async (ordinal) => {
    if (ordinal === stopAt) await azuriteA.stop();
  };
  inFlightFailure = await hubWest.deliverNext(west.ingest, busiest, BATCH).then(
    () => undefined,
    (error: unknown) => error,
  );
  transportA.beforeRequest = undefined;

  // 3. The primary region is down: 50-54 are not accepted.
  hubWest.reachable = false;
  for (const i of range(50, 55)) {
    try {
      publish(hubWest, i, publishedAt(i));
    } catch {
      unreachable.push(i);
    }
  }

  // 4. Failover: the producer retries 40-54 into the secondary, then goes on with 55-89.
  const failoverAt = new Date(eventTime(54).getTime() + 120_000);
  for (const i of range(40, 55)) publish(hubNorth, i, failoverAt);
  for (const i of range(55, 90)) {
    const at = publishedAt(i);
    publish(hubNorth, i, at > failoverAt ? at : failoverAt);
  }
  await hubNorth.drain(north.ingest, BATCH);
  await sealPartitions(north.integrity, new Date(eventTime(89).getTime() + 60_000));

  // 5. The primary returns on the same endpoints and drains its backlog, the failed batch first.
  azuriteA = await startAzurite({
    location: folderA,
    blobPort: azuriteA.blobPort,
    tablePort: azuriteA.tablePort,
    queuePort: azuriteA.queuePort,
  });
  hubWest.reachable = true;
  await drainWithRetry(hubWest, west);
  await sealPartitions(west.integrity, new Date(eventTime(89).getTime() + 600_000));
});

afterAll(async () => {
  await azuriteA?.stop();
  await azuriteB?.stop();
});

const regions = () => [
  { name: WEST, clients: west.clients },
  { name: NORTH, clients: north.clients },
];

async function everyPage(limit: number): Promise<FederatedPage[]> {
  const tenants = await federatedTenants(regions());
  const pages: FederatedPage[] = [];
  let after;
  do {
    const page = await federatedQuery(regions(), {}, tenants, limit, after);
    pages.push(page);
    after = page.next;
  } while (after !== undefined);
  return pages;
}

const rowsOf = (pages: FederatedPage[]): FederatedRow[] => pages.flatMap((page) => page.rows);
const expectedRegion = (i: number): string => (i < 50 ? WEST : NORTH);

describe('failover drill: the drill itself', () => {
  it('stopped the primary storage with a batch in flight, which failed', () => {
    expect(inFlightFailure).toBeInstanceOf(Error);
  });

  it('had the primary accept events whose acknowledgements were lost', () => {
    expect(acceptedButUnacknowledged.length).toBeGreaterThan(0);
    expect(range(40, 50).map(idOf)).toEqual(expect.arrayContaining(acceptedButUnacknowledged));
  });

  it('found the primary unreachable for 50-54', () => {
    expect(unreachable).toEqual(range(50, 55));
  });

  it('drained the primary backlog, the failed batch included, once the primary returned', () => {
    expect(hubWest.partitionIds().map((p) => hubWest.pending(p).length)).toEqual([0, 0]);
  });
});

describe('failover drill: the federated query', () => {
  let whole: FederatedRow[];
  beforeAll(async () => {
    whole = rowsOf(await everyPage(1000));
  });

  it('returns every accepted event exactly once', () => {
    const ids = whole.map(({ row }) => String(row.eventId));
    expect([ids.length, new Set(ids).size]).toEqual([90, 90]);
    expect([...ids].sort()).toEqual(range(0, 90).map(idOf).sort());
  });

  it('returns them in time order within each tenant, tenants in order', () => {
    const keys = whole.map(({ row }) => [
      String(row.tenant),
      decodeRecord(recordBytesOf(row)).event.time,
    ]);
    const sorted = [...keys].sort(
      ([ta, a], [tb, b]) =>
        (ta as string).localeCompare(tb as string) ||
        Date.parse(a as string) - Date.parse(b as string),
    );
    expect(keys).toEqual(sorted);
  });

  it('shows each event in the region that accepted it first', () => {
    const regionById = Object.fromEntries(
      whole.map(({ region, row }) => [String(row.eventId), region]),
    );
    expect(regionById).toEqual(
      Object.fromEntries(range(0, 90).map((i) => [idOf(i), expectedRegion(i)])),
    );
  });

  it('carries the region in every record it returns', () => {
    expect(
      whole.filter(({ region, row }) => decodeRecord(recordBytesOf(row)).log.region !== region),
    ).toEqual([]);
  });

  it('reports the retries of 40-49 as cross-region duplicates, the primary copy kept', async () => {
    const duplicates = (await everyPage(1000)).flatMap((page) => page.stats.crossRegionDuplicates);
    expect(
      duplicates
        .map((d) => [d.eventId, d.kept.region, d.dropped.region])
        .sort(([a], [b]) => (a as string).localeCompare(b as string)),
    ).toEqual(
      range(40, 50)
        .map((i) => [idOf(i), WEST, NORTH])
        .sort(([a], [b]) => (a as string).localeCompare(b as string)),
    );
  });

  it('resumes across regions page by page to the same events', async () => {
    const paged = rowsOf(await everyPage(7));
    expect(paged.map(({ region, row }) => `${region}/${String(row.eventId)}`)).toEqual(
      whole.map(({ region, row }) => `${region}/${String(row.eventId)}`),
    );
  });
});

describe('failover drill: verification across the region boundary', () => {
  let verification: RegionsVerification;
  beforeAll(async () => {
    verification = await verifyRegions([
      { name: WEST, target: west.integrity, publicKeys: westKeys },
      { name: NORTH, target: north.integrity, publicKeys: northKeys },
    ]);
  });

  it('verifies both regions, each on its own keys', () => {
    expect([
      verification.ok,
      verification.regions.map((r) => [r.region, r.report.ok, r.report.totals.records]),
      verification.regions.map((r) => r.report.firstFailure),
    ]).toEqual([
      true,
      [
        [WEST, true, 50],
        [NORTH, true, 50],
      ],
      [undefined, undefined],
    ]);
  });

  it('reports the boundary: the last checkpoints of the primary and the first of the secondary', () => {
    const [boundary] = verification.boundaries;
    const summary = (hub: SimulatedHub, region: string) =>
      hub.partitionIds().map((p) => [p, hub.publishedCount(p), `sql-mcp-audit/${region}/${p}`]);
    expect([
      boundary?.from,
      boundary?.to,
      boundary?.lastOfFrom.map((c) => [c.partition, c.size, c.origin]),
      boundary?.firstOfTo.map((c) => [c.partition, c.size, c.origin]),
    ]).toEqual([WEST, NORTH, summary(hubWest, WEST), summary(hubNorth, NORTH)]);
  });

  it('signs the two sides of the boundary with different keys', () => {
    const [boundary] = verification.boundaries;
    const westIds = new Set(boundary?.lastOfFrom.map((c) => c.keyId));
    const northIds = boundary?.firstOfTo.map((c) => c.keyId) ?? [];
    expect([westIds.size > 0, northIds.length > 0, northIds.some((id) => westIds.has(id))]).toEqual(
      [true, true, false],
    );
  });

  it('holds each region to the checkpoints a previous audit kept for it', async () => {
    const [partition] = hubNorth.partitionIds();
    const [northNote] = await storagePartitionSource(
      north.integrity,
      partition as string,
    ).checkpoints();
    const mixed = await verifyRegions(
      [{ name: WEST, target: west.integrity, publicKeys: westKeys }],
      { knownCheckpoints: { [WEST]: [northNote?.note as string] } },
    );
    expect([mixed.ok, mixed.regions[0]?.report.firstFailure?.kind]).toEqual([
      false,
      'checkpoint-missing',
    ]);
  });

  it("refuses the primary's log on the secondary's keys", async () => {
    const report = await verifyLog(west.integrity, { publicKeys: northKeys });
    expect([report.ok, report.firstFailure?.kind]).toEqual([false, 'checkpoint-unknown-key']);
  });
});

describe('failover drill: mcp-audit query --regions', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'regions-cli-'));
  const regionsJson = () =>
    JSON.stringify([
      { name: WEST, storage: azuriteA.connectionString },
      { name: NORTH, storage: azuriteB.connectionString },
    ]);

  async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      stdin: process.stdin,
      env,
      cwd,
    };
    const code = await main(args, io);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('prints every event once as JSON lines, each with its region', async () => {
    const result = await run([
      'query',
      '--regions',
      regionsJson(),
      '--all',
      '--json',
      '--limit',
      '10',
    ]);
    const views = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; region: string });
    expect([result.code, result.stderr]).toEqual([
      0,
      '10 cross-region duplicates left out (the copy accepted first is shown)\n',
    ]);
    expect(Object.fromEntries(views.map((view) => [view.id, view.region]))).toEqual(
      Object.fromEntries(range(0, 90).map((i) => [idOf(i), expectedRegion(i)])),
    );
    expect(views.length).toBe(90);
  });

  it('reads the regions from AUDIT_REGIONS and prints a table with a REGION column', async () => {
    const result = await run(['query', '--all'], { AUDIT_REGIONS: regionsJson() });
    const lines = result.stdout.trim().split('\n');
    expect([result.code, lines[0]?.split(/\s+/), lines.length, result.stderr]).toEqual([
      0,
      ['TIME', 'REGION', 'TENANT', 'TYPE', 'ACTOR', 'DATABASE', 'TOOL', 'STATUS', 'ID'],
      91,
      '10 cross-region duplicates left out (the copy accepted first is shown)\n' +
        `90 events (${WEST} 50, ${NORTH} 40)\n`,
    ]);
  });

  it('says in --help that it reads storage directly', async () => {
    const result = await run(['query', '--help']);
    expect([result.code, result.stdout]).toEqual([
      0,
      expect.stringContaining(
        "the query runs against every region's storage directly, not through the HTTP API",
      ),
    ]);
  });
});
