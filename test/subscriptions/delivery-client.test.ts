import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  nodeTransport,
  postWebhook,
  type WebhookTransport,
} from '../../src/subscriptions/delivery-client';
import type { CallbackPolicy } from '../../src/subscriptions/callback-url';
import { fixedResolver, startReceiver, type Receiver } from './support';

const BODY = Buffer.from('{"deliveryId":"d-1"}');
const HEADERS = { 'content-type': 'application/json', 'x-mcp-audit-delivery': 'd-1' };

describe('postWebhook', () => {
  let receiver: Receiver;
  let policy: CallbackPolicy;
  const transport = nodeTransport();

  beforeEach(async () => {
    receiver = await startReceiver();
    policy = {
      allowLoopback: true,
      resolver: fixedResolver({
        'hooks.test': ['127.0.0.1'],
        'internal.test': ['10.1.2.3'],
      }),
    };
  });
  afterEach(() => receiver.close());

  const post = (url: string, via: WebhookTransport = transport, timeoutMs = 2000) =>
    postWebhook(url, HEADERS, BODY, policy, via, timeoutMs);

  it('connects to the address the resolver gave, with the callback host in the Host header', async () => {
    const result = await post(`http://hooks.test:${receiver.port}/flows/7?sig=x`);
    expect([
      result,
      receiver.received.map((r) => [r.url, r.headers.host, r.body.toString()]),
    ]).toEqual([
      { ok: true, status: 204 },
      [['/flows/7?sig=x', `hooks.test:${receiver.port}`, '{"deliveryId":"d-1"}']],
    ]);
  });

  it('hands the transport the pinned address, never the name', async () => {
    const targets: string[] = [];
    const recording: WebhookTransport = async (target) => {
      targets.push(`${target.hostname} -> ${target.address}`);
      return { status: 200, body: '' };
    };
    await post('http://hooks.test:1/x', recording);
    expect(targets).toEqual(['hooks.test -> 127.0.0.1']);
  });

  it('refuses a callback whose name resolves to a private address by the time of delivery', async () => {
    policy.resolver = fixedResolver({ 'hooks.test': ['10.9.8.7'] });
    expect(await post(`http://hooks.test:${receiver.port}/x`)).toEqual({
      ok: false,
      error:
        'callback refused: the callback host "hooks.test" resolves to 10.9.8.7, a private address: webhooks go only to public addresses',
    });
  });

  it.each([
    [
      'a private address',
      'https://10.0.0.1/steal',
      '"10.0.0.1" resolves to 10.0.0.1, a private address',
    ],
    [
      'the metadata service',
      'http://169.254.169.254/latest/meta-data',
      '"169.254.169.254" resolves to 169.254.169.254, a link-local address',
    ],
    [
      'a link-local IPv6 address',
      'https://[fe80::1]/x',
      '"fe80::1" resolves to fe80::1, a link-local address',
    ],
    [
      'a name that resolves to a private address',
      'https://internal.test/x',
      '"internal.test" resolves to 10.1.2.3, a private address',
    ],
  ])('refuses a redirect to %s without connecting to it', async (_what, location, detail) => {
    receiver.respond = (_request, response) => {
      response.writeHead(307, { location });
      response.end();
    };
    expect(await post(`${receiver.origin}/hook`)).toEqual({
      ok: false,
      error: `redirect to ${new URL(location).toString()} refused: the callback host ${detail}: webhooks go only to public addresses`,
    });
  });

  it('refuses a redirect to loopback outside development mode', async () => {
    const seen: string[] = [];
    policy = {
      allowLoopback: false,
      resolver: fixedResolver({ 'hooks.example.com': ['93.184.216.34'] }),
    };
    const redirecting: WebhookTransport = async (target) => {
      seen.push(target.address);
      return { status: 308, location: 'https://127.0.0.1/admin', body: '' };
    };
    expect([await post('https://hooks.example.com/x', redirecting), seen]).toEqual([
      {
        ok: false,
        error:
          'redirect to https://127.0.0.1/admin refused: the callback host "127.0.0.1" resolves to 127.0.0.1, a loopback address: webhooks go only to public addresses',
      },
      ['93.184.216.34'],
    ]);
  });

  it('follows a 307 that stays on allowed addresses, keeping the POST and its body', async () => {
    receiver.respond = (request, response) => {
      if (request.url === '/old') response.writeHead(307, { location: '/new' });
      else response.writeHead(200);
      response.end();
    };
    const result = await post(`${receiver.origin}/old`);
    expect([result, receiver.received.map((r) => [r.method, r.url, r.body.toString()])]).toEqual([
      { ok: true, status: 200 },
      [
        ['POST', '/old', '{"deliveryId":"d-1"}'],
        ['POST', '/new', '{"deliveryId":"d-1"}'],
      ],
    ]);
  });

  it('does not follow a 302, which would turn the POST into a GET', async () => {
    receiver.respond = (_request, response) => {
      response.writeHead(302, { location: '/elsewhere' });
      response.end();
    };
    expect(await post(`${receiver.origin}/hook`)).toEqual({
      ok: false,
      status: 302,
      error: 'redirect 302 not followed: only 307 and 308 with a Location keep the POST',
    });
  });

  it('gives up after three redirects', async () => {
    receiver.respond = (request, response) => {
      response.writeHead(308, { location: `${request.url}x` });
      response.end();
    };
    expect([await post(`${receiver.origin}/r`), receiver.received.length]).toEqual([
      { ok: false, status: 308, error: 'more than 3 redirects' },
      4,
    ]);
  });

  it('reports a non-2xx answer with the start of its body', async () => {
    receiver.respond = (_request, response) => {
      response.writeHead(500);
      response.end('database unavailable');
    };
    expect(await post(`${receiver.origin}/hook`)).toEqual({
      ok: false,
      status: 500,
      error: 'HTTP 500: database unavailable',
    });
  });

  it('gives up on a receiver that does not answer in time', async () => {
    receiver.respond = () => undefined;
    expect(await post(`${receiver.origin}/hook`, transport, 200)).toEqual({
      ok: false,
      error: `127.0.0.1:${receiver.port} (127.0.0.1): no answer within 200 ms`,
    });
  });

  describe('over https', () => {
    const keys = path.resolve(__dirname, '../data/keys');
    const cert = readFileSync(path.join(keys, 'loopback-tls.crt'));
    const key = readFileSync(path.join(keys, 'loopback-tls.key'));

    async function withTlsReceiver(run: (port: number) => Promise<void>): Promise<void> {
      const server = createServer({ cert, key }, (_request, response) => {
        response.writeHead(202);
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      try {
        await run((server.address() as AddressInfo).port);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    }

    it('checks the certificate against the callback host name while connecting to the pinned address', async () => {
      policy.resolver = fixedResolver({ localhost: ['127.0.0.1'] });
      await withTlsReceiver(async (port) => {
        expect(await post(`https://localhost:${port}/hook`, nodeTransport({ ca: cert }))).toEqual({
          ok: true,
          status: 202,
        });
      });
    });

    it('refuses a certificate it does not trust', async () => {
      policy.resolver = fixedResolver({ localhost: ['127.0.0.1'] });
      await withTlsReceiver(async (port) => {
        expect(await post(`https://localhost:${port}/hook`)).toEqual({
          ok: false,
          error: `localhost:${port} (127.0.0.1): self-signed certificate`,
        });
      });
    });
  });
});
