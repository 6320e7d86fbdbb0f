import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { parseApiKeys } from '../../src/auth/api-keys';
import type { ApiDependencies } from '../../src/http/dependencies';
import type { ApiRequest } from '../../src/http/types';
import type { StorageClients } from '../../src/store/clients';
import type { CallbackPolicy, ResolvedAddress } from '../../src/subscriptions/callback-url';

/** API keys of the tests: one per tenant, one for both, one for every tenant. */
export const KEYS = {
  acme: 'acme-key-0123456789',
  globex: 'globex-key-0123456789',
  both: 'both-key-0123456789',
  admin: 'admin-key-0123456789',
} as const;

export const BASE_URL = 'http://127.0.0.1:7071/api';

export function apiDependencies(clients: StorageClients, clock: () => Date): ApiDependencies {
  return {
    keyring: parseApiKeys(
      JSON.stringify({
        [KEYS.acme]: ['acme'],
        [KEYS.globex]: ['globex'],
        [KEYS.both]: ['acme', 'globex'],
        [KEYS.admin]: '*',
      }),
    ),
    clients,
    sink: { publish: () => Promise.reject(new Error('subscription tests do not publish events')) },
    tokenKey: randomBytes(32),
    clock,
    ingestTimeoutMs: 1000,
  };
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  params?: Record<string, string>;
  headers?: Record<string, string>;
}

/** An API request as the Functions host or the local host hands it to a handler. */
export function apiRequest(method: string, url: string, options: RequestOptions = {}): ApiRequest {
  const parsed = new URL(url);
  const headers = new Headers(options.headers);
  if (options.key !== undefined) headers.set('x-functions-key', options.key);
  const body =
    options.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
  return {
    method,
    url,
    headers,
    query: parsed.searchParams,
    params: options.params ?? {},
    arrayBuffer: async () =>
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
  };
}

/** A resolver answering from a fixed table, as DNS would; unknown names fail as NXDOMAIN does. */
export function fixedResolver(table: Record<string, string[]>): CallbackPolicy['resolver'] {
  return async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    return addresses.map((address): ResolvedAddress => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Receiver {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly port: number;
  readonly received: ReceivedRequest[];
  /** How the next requests are answered; default 204. */
  respond: (request: ReceivedRequest, response: ServerResponse) => void;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1, recording every request it gets. */
export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const receiver: Receiver = {
    origin: '',
    port: 0,
    received,
    respond: (_request, response) => {
      response.statusCode = 204;
      response.end();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const got: ReceivedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      received.push(got);
      receiver.respond(got, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  Object.assign(receiver, { port, origin: `http://127.0.0.1:${port}` });
  return receiver;
}
