import { parseApiKeys } from '../../src/auth/api-keys';
import type { ApiDependencies } from '../../src/http/dependencies';
import {
  getCheckpointConsistency,
  getCheckpoints,
  getEventProof,
  getKeys,
  postVerify,
} from '../../src/http/integrity';
import type { ApiRequest, ApiResponse } from '../../src/http/types';
import { sealPartitions } from '../../src/seal';
import { verifyProofDocument, type ProofDocument, type VerificationReport } from '../../src/verify';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';

/** The integrity routes (src/http/integrity.ts) as plain handlers over a log on Azurite. */

const ADMIN = 'admin-key-0123456789abcdef';
const ACME = 'acme-key-0123456789abcdef';
const T0 = new Date('2026-11-26T11:00:00.000Z');

let harness: Harness;
let deps: ApiDependencies;

function request(
  method: string,
  route: string,
  options: { key?: string; params?: Record<string, string>; body?: string } = {},
): ApiRequest {
  const url = new URL(`http://localhost/api/${route}`);
  const headers = new Map<string, string>();
  if (options.key !== undefined) headers.set('x-functions-key', options.key);
  return {
    method,
    url: url.toString(),
    headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
    query: url.searchParams,
    params: options.params ?? {},
    arrayBuffer: async () => {
      const bytes = Buffer.from(options.body ?? '');
      return bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
    },
  };
}

const body = <T>(response: ApiResponse): T => response.jsonBody as T;

beforeAll(async () => {
  harness = await ingestHarness(undefined, undefined, { integrity: true });
  const events = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      sequenceNumber: from + i,
      body: testBody(from + i, { tenant: (from + i) % 2 === 0 ? 'globex' : 'acme' }),
    }));
  await harness.deliver('0', events(0, 10));
  await sealPartitions(harness.integrity, T0);
  await harness.deliver('0', events(10, 10));
  await sealPartitions(harness.integrity, new Date(T0.getTime() + 20_000));
  await harness.deliver('0', events(20, 2));
  deps = {
    keyring: parseApiKeys(JSON.stringify({ [ADMIN]: '*', [ACME]: ['acme'] })),
    clients: harness.clients,
    sink: { publish: () => Promise.reject(new Error('not used')) },
    tokenKey: Buffer.alloc(32),
    clock: () => T0,
    ingestTimeoutMs: 1000,
    integrity: harness.integrity,
  };
});

describe('GET /api/keys', () => {
  it('serves the key set to anyone, as a JWKS', async () => {
    const response = await getKeys(request('GET', 'keys'), deps);
    expect([
      response.status,
      response.headers?.['content-type'],
      body<{ keys: unknown[] }>(response).keys.length,
    ]).toEqual([200, 'application/jwk-set+json', 1]);
  });
});

describe('GET /api/checkpoints', () => {
  it('lists the latest checkpoint of each partition: roots and sizes, no tenant data', async () => {
    const response = await getCheckpoints(request('GET', 'checkpoints', { key: ACME }), deps);
    const listed = body<{ region: string; checkpoints: Record<string, unknown>[] }>(response);
    expect([
      response.status,
      listed.region,
      listed.checkpoints.map((c) => [c.partition, c.size]),
    ]).toEqual([200, 'default', [['0', 20]]]);
    expect(Object.keys(listed.checkpoints[0] ?? {}).sort()).toEqual([
      'keyId',
      'note',
      'origin',
      'partition',
      'previousHash',
      'rootHash',
      'size',
      'time',
    ]);
  });

  it('pages through a partition from a size', async () => {
    const response = await getCheckpoints(
      request('GET', 'checkpoints?partition=0&fromSize=0&limit=1', { key: ACME }),
      deps,
    );
    const listed = body<{ checkpoints: { size: number }[]; next: unknown }>(response);
    expect([listed.checkpoints.map((c) => c.size), listed.next]).toEqual([
      [10],
      { partition: '0', fromSize: 20 },
    ]);
  });

  it('filters by seal time', async () => {
    const response = await getCheckpoints(
      request('GET', 'checkpoints?partition=0&fromTime=2026-11-26T11:00:10Z', { key: ACME }),
      deps,
    );
    expect(
      body<{ checkpoints: { size: number }[] }>(response).checkpoints.map((c) => c.size),
    ).toEqual([20]);
  });

  it('asks for a partition when listing from a size', async () => {
    const response = await getCheckpoints(
      request('GET', 'checkpoints?fromSize=3', { key: ACME }),
      deps,
    );
    expect([response.status, body<{ message: string }>(response).message]).toEqual([
      400,
      'fromSize and fromTime list one partition: add partition=<id>',
    ]);
  });

  it('needs a key', async () => {
    expect((await getCheckpoints(request('GET', 'checkpoints'), deps)).status).toBe(401);
  });
});

describe('GET /api/checkpoints/consistency', () => {
  it('proves the latest checkpoint extends an earlier one', async () => {
    const response = await getCheckpointConsistency(
      request('GET', 'checkpoints/consistency?partition=0&from=10', { key: ACME }),
      deps,
    );
    const document = body<{ from: { size: number }; to: { size: number } }>(response);
    expect([response.status, document.from.size, document.to.size]).toEqual([200, 10, 20]);
  });

  it('answers 404 for a size without a checkpoint', async () => {
    const response = await getCheckpointConsistency(
      request('GET', 'checkpoints/consistency?partition=0&from=11&to=20', { key: ACME }),
      deps,
    );
    expect([response.status, body<{ message: string }>(response).message]).toEqual([
      404,
      'partition 0 has no checkpoint of size 11',
    ]);
  });

  it('answers 400 when from is larger than to', async () => {
    const response = await getCheckpointConsistency(
      request('GET', 'checkpoints/consistency?partition=0&from=20&to=10', { key: ACME }),
      deps,
    );
    expect([response.status, body<{ message: string }>(response).message]).toEqual([
      400,
      'from 20 is larger than to 10',
    ]);
  });
});

describe('GET /api/events/{id}/proof', () => {
  it("proves a tenant's own event with a document that verifies with the key set alone", async () => {
    const response = await getEventProof(
      request('GET', 'events/evt-000005/proof', { key: ACME, params: { id: 'evt-000005' } }),
      deps,
    );
    const keys = body<never>(await getKeys(request('GET', 'keys'), deps));
    const { record, checkpoint } = verifyProofDocument(body<ProofDocument>(response), keys);
    expect([response.status, record.event.id, checkpoint.size]).toEqual([200, 'evt-000005', 20]);
  });

  it("answers 404 for another tenant's event, as if it did not exist", async () => {
    const response = await getEventProof(
      request('GET', 'events/evt-000004/proof', { key: ACME, params: { id: 'evt-000004' } }),
      deps,
    );
    expect([response.status, body<{ message: string }>(response).message]).toEqual([
      404,
      'no event with id "evt-000004" in the tenants this key may read',
    ]);
  });

  it('answers 202 with when to retry while the event is not yet sealed', async () => {
    const response = await getEventProof(
      request('GET', 'events/evt-000021/proof', { key: ACME, params: { id: 'evt-000021' } }),
      deps,
    );
    expect([
      response.status,
      response.headers?.['retry-after'],
      body<{ message: string }>(response).message,
    ]).toEqual([
      202,
      '20',
      'event "evt-000021" is at index 21 of partition 0, which no signed checkpoint covers yet (latest: 20); ' +
        'checkpoints are signed every 20 s: retry after that',
    ]);
  });

  it('refuses a tenant the key may not read', async () => {
    const response = await getEventProof(
      request('GET', 'events/evt-000004/proof?tenant=globex', {
        key: ACME,
        params: { id: 'evt-000004' },
      }),
      deps,
    );
    expect(response.status).toBe(403);
  });
});

describe('POST /api/verify', () => {
  it('verifies the whole log for a key of every tenant', async () => {
    const response = await postVerify(request('POST', 'verify', { key: ADMIN }), deps);
    const report = body<VerificationReport>(response);
    expect([response.status, report.scope, report.ok, report.totals.records]).toEqual([
      200,
      'log',
      true,
      22,
    ]);
  });

  it("verifies only the tenant's own events for a tenant's key", async () => {
    const response = await postVerify(request('POST', 'verify', { key: ACME }), deps);
    const report = body<VerificationReport>(response);
    expect([
      report.scope,
      report.tenants,
      report.ok,
      report.totals.records,
      report.partitions[0]?.unsealed,
    ]).toEqual(['tenant', ['acme'], true, 11, 1]);
  });

  it('refuses a body that is not a JSON object', async () => {
    const response = await postVerify(request('POST', 'verify', { key: ADMIN, body: '[1]' }), deps);
    expect([response.status, body<{ message: string }>(response).message]).toEqual([
      400,
      'the body is a JSON object: {"tenant", "partition", "from", "to"}, all optional',
    ]);
  });

  it("refuses a tenant's key asking for another tenant", async () => {
    const response = await postVerify(
      request('POST', 'verify', { key: ACME, body: '{"tenant":"globex"}' }),
      deps,
    );
    expect(response.status).toBe(403);
  });
});
