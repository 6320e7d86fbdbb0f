import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HttpRequest,
  HttpResponse,
  type HttpHandler,
  type InvocationContext,
} from '@azure/functions';
import type { HttpRegistration } from '../../functions/registrations';
import { parseApiKeys } from '../../src/auth/api-keys';
import { createHttpHost, type HttpHost } from '../../src/host/http-host';

const ADMIN = 'admin-key-0123456789';
const TENANT = 'tenant-key-0123456789';
const keyring = parseApiKeys(JSON.stringify({ [ADMIN]: '*', [TENANT]: ['acme'] }));

const seen: { request: HttpRequest; context: InvocationContext; body: Buffer }[] = [];
const record: HttpHandler = async (request, context) => {
  seen.push({ request, context, body: Buffer.from(await request.arrayBuffer()) });
  return {
    status: 201,
    jsonBody: { id: request.params.id ?? null, q: request.query.getAll('q') },
    headers: { 'x-extra': 'yes' },
  };
};
let release: () => void = () => undefined;

const registrations: HttpRegistration[] = [
  {
    kind: 'http',
    name: 'getThing',
    route: 'things/{id}',
    methods: ['GET'],
    authLevel: 'function',
    handler: record,
  },
  {
    kind: 'http',
    name: 'postThing',
    route: 'things',
    methods: ['POST'],
    authLevel: 'function',
    handler: record,
  },
  {
    kind: 'http',
    name: 'open',
    route: 'open',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: async () => ({ body: 'plain text' }),
  },
  {
    kind: 'http',
    name: 'admin',
    route: 'admin',
    methods: ['GET'],
    authLevel: 'admin',
    handler: async () => new HttpResponse({ status: 204 }),
  },
  {
    kind: 'http',
    name: 'broken',
    route: 'broken',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: async () => {
      throw new Error('boom');
    },
  },
  {
    kind: 'http',
    name: 'slow',
    route: 'slow',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { jsonBody: { done: true } };
    },
  },
];

let host: HttpHost;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  host = createHttpHost({
    registrations,
    keyring,
    maxBodyBytes: 1024,
    log: (line) => lines.push(line),
  });
  await new Promise<void>((resolve) => host.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(host.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await host.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers });

describe('the HTTP front of the local host', () => {
  it('runs the function with a real HttpRequest and InvocationContext and returns its HttpResponseInit', async () => {
    seen.length = 0;
    const response = await get('/api/things/a%20b?q=1&q=2', { 'x-functions-key': TENANT });
    expect([
      response.status,
      response.headers.get('content-type'),
      response.headers.get('x-extra'),
    ]).toEqual([201, 'application/json', 'yes']);
    expect(await response.json()).toEqual({ id: 'a b', q: ['1', '2'] });
    expect(seen[0]?.request).toBeInstanceOf(HttpRequest);
    expect(seen[0]?.request.url).toBe(`${base}/api/things/a%20b?q=1&q=2`);
    expect(seen[0]?.context.functionName).toBe('getThing');
    expect(seen[0]?.context.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes the body bytes exactly', async () => {
    seen.length = 0;
    const bytes = Buffer.from([0, 1, 2, 0xff, 0x0a, 0x7b]);
    await fetch(`${base}/api/things`, {
      method: 'POST',
      body: bytes,
      headers: { 'x-functions-key': TENANT },
    });
    expect(seen[0]?.body.equals(bytes)).toBe(true);
  });

  it('accepts the key as the code query parameter', async () => {
    expect((await get(`/api/things/1?code=${TENANT}`)).status).toBe(201);
  });

  it('answers 401 without a key, before the function runs', async () => {
    seen.length = 0;
    const response = await get('/api/things/1');
    expect([response.status, await response.json()]).toEqual([
      401,
      {
        error: 'unauthorized',
        message:
          'this route needs a key: send it in the x-functions-key header or the code query parameter',
      },
    ]);
    expect(seen).toHaveLength(0);
  });

  it('answers 401 for an unknown key', async () => {
    const response = await get('/api/things/1', { 'x-functions-key': 'not-a-key-of-this-log' });
    expect([response.status, await response.json()]).toEqual([
      401,
      { error: 'unauthorized', message: 'the key is not valid for this audit log' },
    ]);
  });

  it('lets only a key granted every tenant call an admin route', async () => {
    const tenant = await get('/api/admin', { 'x-functions-key': TENANT });
    expect([tenant.status, await tenant.json()]).toEqual([
      401,
      {
        error: 'unauthorized',
        message: 'this route needs an admin key (a key granted every tenant, "*")',
      },
    ]);
    expect((await get('/api/admin', { 'x-functions-key': ADMIN })).status).toBe(204);
  });

  it('serves anonymous routes without a key, with a string body', async () => {
    const response = await get('/api/open');
    expect([response.status, await response.text()]).toEqual([200, 'plain text']);
  });

  it('answers 404 with JSON listing the routes for an unknown route', async () => {
    const response = await get('/api/nothing');
    const body = (await response.json()) as { error: string; message: string };
    expect([response.status, body.error]).toEqual([404, 'not-found']);
    expect(body.message).toBe(
      'no function serves GET /api/nothing; routes: GET /api/admin, GET /api/broken, GET /api/open, GET /api/slow, POST /api/things, GET /api/things/{id}',
    );
  });

  it('answers 404 for a path outside /api', async () => {
    expect((await get('/things/1')).status).toBe(404);
  });

  it('answers 405 with an Allow header for a method the route does not take', async () => {
    const response = await fetch(`${base}/api/open`, { method: 'DELETE' });
    expect([response.status, response.headers.get('allow'), await response.json()]).toEqual([
      405,
      'GET',
      { error: 'method-not-allowed', message: 'DELETE is not allowed on /api/open; allowed: GET' },
    ]);
  });

  it('answers 413 for a declared length over the limit without running the function', async () => {
    seen.length = 0;
    const response = await fetch(`${base}/api/things`, {
      method: 'POST',
      body: Buffer.alloc(5000, 0x61),
      headers: { 'x-functions-key': TENANT },
    });
    expect([response.status, await response.json()]).toEqual([
      413,
      {
        error: 'too-large',
        message: 'request body is 5000 bytes; the limit is 1024: send fewer events per request',
      },
    ]);
    expect(seen).toHaveLength(0);
  });

  it('answers 413 for a chunked body as soon as it passes the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/api/things`, {
        method: 'POST',
        headers: { 'x-functions-key': TENANT, 'transfer-encoding': 'chunked' },
      });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write(Buffer.alloc(400, 0x61));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers 500 with the function name when a function throws', async () => {
    const response = await get('/api/broken');
    const body = (await response.json()) as { error: string; message: string };
    expect([response.status, body.error]).toEqual([500, 'internal']);
    expect(body.message).toMatch(/^function broken failed: boom \(invocation [0-9a-f-]{36}\)$/);
  });

  it('logs each request with its status and function', async () => {
    lines.length = 0;
    await get('/api/open');
    expect(lines[0]).toMatch(/^GET \/api\/open -> 200 \(open\) \d+ ms$/);
  });
});

describe('closing the HTTP front', () => {
  it('lets a request in flight finish before it resolves', async () => {
    const other = createHttpHost({
      registrations,
      keyring,
      maxBodyBytes: 1024,
      log: () => undefined,
    });
    await new Promise<void>((resolve) => other.server.listen(0, '127.0.0.1', resolve));
    const port = (other.server.address() as AddressInfo).port;
    const pending = fetch(`http://127.0.0.1:${port}/api/slow`);
    while (other.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const closing = other.close();
    release();
    const response = await pending;
    expect(await response.json()).toEqual({ done: true });
    await closing;
    await expect(fetch(`http://127.0.0.1:${port}/api/open`)).rejects.toThrow();
  });
});
