import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpRequest, HttpResponse, type Cookie, type HttpResponseInit } from '@azure/functions';

/** How much of a rejected upload is read and thrown away so the client sees the 413 before the socket closes. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

export type BodyResult =
  | { ok: true; bytes: Buffer }
  | { ok: false; receivedAtLeast: number; declared: number | undefined };

/**
 * Reads a request body, keeping at most `limit` bytes in memory: a declared Content-Length over the limit
 * is refused before any byte is read, and a chunked body is refused as soon as it passes the limit.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  const header = request.headers['content-length'];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && Number.isFinite(declared) && declared > limit) {
    return Promise.resolve({ ok: false, receivedAtLeast: 0, declared });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.off('end', onEnd);
        resolve({ ok: false, receivedAtLeast: size, declared });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve({ ok: true, bytes: Buffer.concat(chunks, size) });
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', reject);
  });
}

/**
 * Reads and drops the rest of a refused upload, up to a bound, so the client (still sending) reads the
 * answer instead of a reset connection; past the bound the socket is closed.
 */
export function discardBody(request: IncomingMessage): void {
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARD_BYTES) request.socket.destroy();
  });
  request.resume();
}

/** Node's header map as one string per header (repeated headers joined as HTTP allows). */
export function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * The HttpRequest the Functions worker would hand a function. The query is taken from the URL (keeping
 * repeated parameters); GET and HEAD carry no body, as in the worker.
 */
export function toHttpRequest(
  request: IncomingMessage,
  url: URL,
  params: Record<string, string>,
  body: Buffer,
): HttpRequest {
  const method = (request.method ?? 'GET').toUpperCase();
  const hasBody = method !== 'GET' && method !== 'HEAD' && body.length > 0;
  return new HttpRequest({
    method,
    url: url.toString(),
    headers: flatHeaders(request),
    params,
    ...(hasBody ? { body: { bytes: body } } : {}),
  });
}

/** Writes what a function returned, converted exactly as the worker converts HttpResponseInit. */
export async function writeResponse(
  response: ServerResponse,
  result: HttpResponseInit | HttpResponse | undefined | void,
): Promise<number> {
  const converted = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const body = Buffer.from(await converted.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  converted.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = converted.cookies.map(setCookieHeader);
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  headers['content-length'] = String(body.length);
  response.writeHead(converted.status, headers);
  response.end(body);
  return converted.status;
}

/** A Set-Cookie header value (RFC 6265 attributes). */
export function setCookieHeader(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

/** A JSON error answer from the host itself (no function ran). */
export function writeProblem(
  response: ServerResponse,
  status: number,
  error: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(JSON.stringify({ error, message }));
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(body.length),
    ...headers,
  });
  response.end(body);
}
