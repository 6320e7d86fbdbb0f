import { createHmac, timingSafeEqual } from 'node:crypto';

/** Where a query resumes: after this row of this tenant. */
export interface Cursor {
  tenant: string;
  partitionKey: string;
  rowKey: string;
}

export class ContinuationTokenError extends Error {
  constructor(message: string) {
    super(`continuationToken: ${message}`);
    this.name = 'ContinuationTokenError';
  }
}

interface TokenBody {
  v: 1;
  c: Cursor;
  /** Hash of the query (plan and limit-independent parameters) the token continues. */
  q: string;
  /** Hash of the tenant set the issuing caller could read. */
  g: string;
}

/**
 * An opaque continuation token: the cursor, bound to the query and to the caller's tenant set, signed
 * with HMAC-SHA256. A forged token, a token used with another query, or a token replayed by a key with
 * other tenants is refused; the cursor's tenant is also re-checked against the caller's grant.
 */
export function sealCursor(
  cursor: Cursor,
  queryHash: string,
  grantHash: string,
  key: Uint8Array,
): string {
  const body: TokenBody = { v: 1, c: cursor, q: queryHash, g: grantHash };
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

export function openCursor(
  token: string,
  queryHash: string,
  grantHash: string,
  key: Uint8Array,
): Cursor {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined)
    throw new ContinuationTokenError('malformed');
  const expected = createHmac('sha256', key).update(payload).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new ContinuationTokenError('signature does not match');
  let body: TokenBody;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenBody;
  } catch {
    throw new ContinuationTokenError('malformed');
  }
  if (body.q !== queryHash) throw new ContinuationTokenError('it was issued for a different query');
  if (body.g !== grantHash)
    throw new ContinuationTokenError('it was issued to a caller with other tenants');
  return body.c;
}
