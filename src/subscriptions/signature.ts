import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a webhook delivery is signed (docs/connector.md shows a receiver):
 * - `x-mcp-audit-delivery`: the delivery id, the same on every retry of one delivery (de-duplicate on it);
 * - `x-mcp-audit-timestamp`: when this attempt was signed, in whole seconds since the Unix epoch;
 * - `x-mcp-audit-signature`: `v1=` and the lower-case hex HMAC-SHA256, keyed with the subscription's
 *   secret (its UTF-8 bytes, exactly as returned at creation), over `<timestamp>.<body>`, the body
 *   being the exact bytes received. Several `v1=` values separated by commas may appear; one must match.
 */
export const WEBHOOK_HEADERS = {
  deliveryId: 'x-mcp-audit-delivery',
  timestamp: 'x-mcp-audit-timestamp',
  signature: 'x-mcp-audit-signature',
} as const;

export const SIGNATURE_VERSION = 'v1';

/** Receivers should not accept a delivery signed further than this from their own clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `v1=<hex>` for `body` signed at `timestamp` (seconds). */
export function signWebhook(secret: string, timestamp: number, body: Uint8Array | string): string {
  return `${SIGNATURE_VERSION}=${mac(secret, String(timestamp), body).toString('hex')}`;
}

/** The headers of one delivery attempt, signed at `now`. */
export function webhookHeaders(
  secret: string,
  deliveryId: string,
  body: Uint8Array | string,
  now: Date,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    [WEBHOOK_HEADERS.deliveryId]: deliveryId,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, body),
  };
}

export type WebhookRejection =
  | 'missing-header'
  | 'malformed-timestamp'
  | 'timestamp-outside-tolerance'
  | 'malformed-signature'
  | 'signature-mismatch';

/** A delivery that must not be trusted; `reason` is stable for programs, `message` is for people. */
export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: WebhookRejection,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** Request headers as receivers hold them: a Fetch `Headers`, or Node's lower-cased header object. */
export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifiedDelivery {
  deliveryId: string;
  /** When the attempt was signed. */
  signedAt: Date;
}

/**
 * Verifies one received delivery. It is authentic when a `v1` signature matches `body` under `secret`,
 * and fresh when it was signed within `toleranceSeconds` of `now` (either way): a captured delivery
 * replayed later than that is rejected. Within the window, de-duplicate on the delivery id, which also
 * absorbs the platform's own retries.
 * @param body the exact bytes received, before any JSON parsing.
 * @throws WebhookVerificationError saying what was wrong.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: HeaderSource,
  body: Uint8Array | string,
  now: Date = new Date(),
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): VerifiedDelivery {
  const deliveryId = header(headers, WEBHOOK_HEADERS.deliveryId);
  const timestampText = header(headers, WEBHOOK_HEADERS.timestamp);
  const signatureText = header(headers, WEBHOOK_HEADERS.signature);
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new WebhookVerificationError(
      'malformed-timestamp',
      `${WEBHOOK_HEADERS.timestamp} must be whole seconds since the Unix epoch, got "${timestampText}"`,
    );
  }
  const timestamp = Number(timestampText);
  const skew = Math.abs(now.getTime() / 1000 - timestamp);
  if (skew > toleranceSeconds) {
    throw new WebhookVerificationError(
      'timestamp-outside-tolerance',
      `the delivery was signed at ${new Date(timestamp * 1000).toISOString()}, ${Math.round(skew)} s from now; the tolerance is ${toleranceSeconds} s`,
    );
  }
  const candidates = signatureText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${SIGNATURE_VERSION}=`))
    .map((part) => part.slice(SIGNATURE_VERSION.length + 1));
  if (candidates.length === 0 || candidates.some((value) => !/^[0-9a-f]{64}$/.test(value))) {
    throw new WebhookVerificationError(
      'malformed-signature',
      `${WEBHOOK_HEADERS.signature} must hold "${SIGNATURE_VERSION}=" and 64 lower-case hex digits`,
    );
  }
  const expected = mac(secret, timestampText, body);
  const matches = candidates.some((value) => timingSafeEqual(Buffer.from(value, 'hex'), expected));
  if (!matches) {
    throw new WebhookVerificationError(
      'signature-mismatch',
      'no signature matches the body: check the secret and verify the exact bytes received',
    );
  }
  return { deliveryId, signedAt: new Date(timestamp * 1000) };
}

function mac(secret: string, timestamp: string, body: Uint8Array | string): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest();
}

function header(headers: HeaderSource, name: string): string {
  let value: string | readonly string[] | null | undefined;
  if (typeof headers.get === 'function') {
    value = (headers as { get(name: string): string | null }).get(name);
  } else {
    const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
    const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  const text = Array.isArray(value) ? value.join(',') : (value as string | null | undefined);
  if (text === undefined || text === null || text === '') {
    throw new WebhookVerificationError('missing-header', `the ${name} header is missing`);
  }
  return text;
}
