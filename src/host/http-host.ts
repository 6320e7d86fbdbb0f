import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { InvocationContext, type HttpRequest } from '@azure/functions';
import type { HttpRegistration } from '../../functions/registrations';
import type { ApiKeyring } from '../auth/api-keys';
import { authorize } from '../http/authorize';
import { discardBody, readBody, toHttpRequest, writeProblem, writeResponse } from './http-bridge';
import { RouteTable } from './routes';

/** Functions are served under this path prefix, as `routePrefix` in host.json defaults to. */
export const ROUTE_PREFIX = '/api/';

export interface HttpHostOptions {
  registrations: readonly HttpRegistration[];
  /** Keys the host accepts for authLevel 'function' (any key) and 'admin' (a key granted "*"). */
  keyring: ApiKeyring;
  maxBodyBytes: number;
  log: (line: string) => void;
}

export interface HttpHost {
  readonly server: Server;
  readonly routes: readonly string[];
  /** Requests received and not yet answered. */
  readonly inFlight: number;
  /** Stops accepting connections, lets every request in flight finish, then closes idle connections. */
  close(): Promise<void>;
}

/**
 * The Functions host's HTTP front for the local host: routes `/api/<route>` to the registered functions
 * with real HttpRequest and InvocationContext objects, enforces the routes' auth levels and the body
 * limit before a function runs, and answers unknown routes (404) and wrong methods (405) with JSON.
 */
export function createHttpHost(options: HttpHostOptions): HttpHost {
  const table = new RouteTable(options.registrations);
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const server = createServer((request, response) => {
    inFlight++;
    const started = Date.now();
    void serve(request, response, table, options)
      .then(
        (outcome) =>
          options.log(
            `${request.method} ${request.url} -> ${response.statusCode}` +
              `${outcome ? ` (${outcome})` : ''} ${Date.now() - started} ms`,
          ),
        (error: unknown) => {
          options.log(`${request.method} ${request.url} failed: ${errorText(error)}`);
          if (!response.headersSent) {
            writeProblem(response, 500, 'internal', `the host failed: ${(error as Error).message}`);
          } else response.destroy();
        },
      )
      .finally(() => {
        inFlight--;
        if (inFlight === 0) idle?.();
      });
  });
  return {
    server,
    routes: table.describe(ROUTE_PREFIX),
    get inFlight() {
      return inFlight;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Handles one request; resolves with the name of the function that ran, if any. */
async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  table: RouteTable<HttpRegistration>,
  options: HttpHostOptions,
): Promise<string | undefined> {
  const url = requestUrl(request);
  const method = (request.method ?? 'GET').toUpperCase();
  const path = url.pathname;
  if (!(path + '/').toLowerCase().startsWith(ROUTE_PREFIX)) {
    writeProblem(response, 404, 'not-found', notFoundMessage(method, path, table));
    return undefined;
  }
  const resolution = table.resolve(method, path.slice(ROUTE_PREFIX.length));
  if (resolution.kind === 'not-found') {
    writeProblem(response, 404, 'not-found', notFoundMessage(method, path, table));
    return undefined;
  }
  if (resolution.kind === 'method-not-allowed') {
    writeProblem(
      response,
      405,
      'method-not-allowed',
      `${method} is not allowed on ${path}; allowed: ${resolution.allowed.join(', ')}`,
      { allow: resolution.allowed.join(', ') },
    );
    return undefined;
  }
  const registration = resolution.entry;
  if (registration.authLevel !== 'anonymous') {
    // Keys are checked before the body is read, as the Functions host does.
    const headersOnly = toHttpRequest(request, url, resolution.params, Buffer.alloc(0));
    const refusal = refuseKey(headersOnly, registration.authLevel, options.keyring);
    if (refusal !== undefined) {
      writeProblem(response, 401, 'unauthorized', refusal);
      return registration.name;
    }
  }
  const body = await readBody(request, options.maxBodyBytes);
  if (!body.ok) {
    const size =
      body.declared !== undefined ? `${body.declared} bytes` : `over ${body.receivedAtLeast} bytes`;
    writeProblem(
      response,
      413,
      'too-large',
      `request body is ${size}; the limit is ${options.maxBodyBytes}: send fewer events per request`,
    );
    // Closing at once would reset a client still sending before it reads the 413: drain (bounded) instead.
    discardBody(request);
    return registration.name;
  }
  const httpRequest = toHttpRequest(request, url, resolution.params, body.bytes);
  const invocationId = randomUUID();
  const context = new InvocationContext({
    invocationId,
    functionName: registration.name,
    logHandler: (level, ...args) =>
      options.log(`[${registration.name}] ${level}: ${args.map(String).join(' ')}`),
  });
  let result;
  try {
    result = await registration.handler(httpRequest, context);
  } catch (error) {
    options.log(`[${registration.name}] invocation ${invocationId} failed: ${errorText(error)}`);
    writeProblem(
      response,
      500,
      'internal',
      `function ${registration.name} failed: ${(error as Error).message} (invocation ${invocationId})`,
    );
    return registration.name;
  }
  await writeResponse(response, result);
  return registration.name;
}

/** Why the key is refused, or undefined when it may call a route of this auth level. */
function refuseKey(
  request: HttpRequest,
  authLevel: 'function' | 'admin',
  keyring: ApiKeyring,
): string | undefined {
  const auth = authorize(request, keyring);
  if ('response' in auth) return (auth.response.jsonBody as { message: string }).message;
  if (authLevel === 'admin' && !auth.grant.all) {
    return 'this route needs an admin key (a key granted every tenant, "*")';
  }
  return undefined;
}

function requestUrl(request: IncomingMessage): URL {
  const local = `http://${request.socket.localAddress ?? '127.0.0.1'}:${request.socket.localPort}`;
  const host = request.headers.host;
  try {
    return new URL(request.url ?? '/', host ? `http://${host}` : local);
  } catch {
    return new URL(request.url ?? '/', local);
  }
}

function notFoundMessage(
  method: string,
  path: string,
  table: RouteTable<HttpRegistration>,
): string {
  return `no function serves ${method} ${path}; routes: ${table.describe(ROUTE_PREFIX).join(', ')}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
