import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import {
  CallbackUrlError,
  resolveCallback,
  type CallbackPolicy,
  type PinnedCallback,
} from './callback-url';

/** What a receiver answered: its status, a redirect target, and the start of its body for the outbox. */
export interface WebhookAnswer {
  status: number;
  location?: string;
  /** At most ANSWER_BODY_CHARS characters. */
  body: string;
}

/**
 * Sends one POST to a pinned callback: the connection goes to `target.address`, never to a fresh DNS
 * answer, while the Host header and the TLS server name stay the callback's host name. The seam tests
 * replace; production uses nodeTransport.
 */
export type WebhookTransport = (
  target: PinnedCallback,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  timeoutMs: number,
) => Promise<WebhookAnswer>;

export const ANSWER_BODY_CHARS = 256;

/** Redirects that keep the method and body; any other 3xx is a failed attempt. */
const FOLLOWED_REDIRECTS = new Set([307, 308]);
export const MAX_REDIRECTS = 3;

export type PostResult =
  { ok: true; status: number } | { ok: false; status?: number; error: string };

/**
 * POSTs a delivery. The callback is resolved and checked before connecting (resolveCallback), and again
 * for every redirect target, so neither a DNS change since subscription nor a redirect can steer it to a
 * loopback, private or link-local address. Only 307 and 308 are followed (they keep the POST), at most
 * MAX_REDIRECTS times. Resolves; never throws for a failed attempt.
 */
export async function postWebhook(
  callbackUrl: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  policy: CallbackPolicy,
  transport: WebhookTransport,
  timeoutMs: number,
): Promise<PostResult> {
  let url = callbackUrl;
  for (let hop = 0; ; hop++) {
    let target: PinnedCallback;
    try {
      target = await resolveCallback(url, policy);
    } catch (error) {
      if (!(error instanceof CallbackUrlError)) throw error;
      const where = hop === 0 ? 'callback refused' : `redirect to ${url} refused`;
      return { ok: false, error: `${where}: ${error.message}` };
    }
    let answer: WebhookAnswer;
    try {
      answer = await transport(target, headers, body, timeoutMs);
    } catch (error) {
      return {
        ok: false,
        error: `${target.url.host} (${target.address}): ${(error as Error).message}`,
      };
    }
    if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status };
    if (answer.status >= 300 && answer.status < 400) {
      if (!FOLLOWED_REDIRECTS.has(answer.status) || answer.location === undefined) {
        return {
          ok: false,
          status: answer.status,
          error: `redirect ${answer.status} not followed: only 307 and 308 with a Location keep the POST`,
        };
      }
      if (hop >= MAX_REDIRECTS) {
        return { ok: false, status: answer.status, error: `more than ${MAX_REDIRECTS} redirects` };
      }
      url = new URL(answer.location, target.url).toString();
      continue;
    }
    const said = answer.body.trim() === '' ? '' : `: ${answer.body.trim()}`;
    return { ok: false, status: answer.status, error: `HTTP ${answer.status}${said}` };
  }
}

export interface NodeTransportOptions {
  /** Extra trusted certificates (tests with a self-signed receiver); default the system's roots. */
  ca?: string | Buffer;
}

/** The transport over Node's http and https, one fresh connection per request (no pooled sockets). */
export function nodeTransport(options: NodeTransportOptions = {}): WebhookTransport {
  return (target, headers, body, timeoutMs) =>
    new Promise<WebhookAnswer>((resolve, reject) => {
      const secure = target.url.protocol === 'https:';
      const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
        if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
        else callback(null, target.address, target.family);
      };
      const request = (secure ? https : http).request(
        {
          method: 'POST',
          host: target.hostname,
          port: target.url.port === '' ? (secure ? 443 : 80) : Number(target.url.port),
          path: `${target.url.pathname}${target.url.search}`,
          headers: { ...headers, host: target.url.host, 'content-length': String(body.length) },
          lookup: pinned,
          agent: false,
          ...(secure && isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
          ...(secure && options.ca !== undefined ? { ca: options.ca } : {}),
        },
        (response) => {
          let text = '';
          const finish = (): void => {
            clearTimeout(timer);
            const location = response.headers.location;
            resolve({
              status: response.statusCode ?? 0,
              ...(location === undefined ? {} : { location }),
              body: text.slice(0, ANSWER_BODY_CHARS),
            });
          };
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
            // Enough for the outbox: stop reading a long answer rather than wait for all of it.
            if (text.length >= ANSWER_BODY_CHARS) {
              finish();
              response.destroy();
            }
          });
          response.on('end', finish);
          response.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        },
      );
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.end(body);
    });
}
