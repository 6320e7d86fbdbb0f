import { createHash } from 'node:crypto';
import { openCursor, sealCursor, type Cursor } from '../query/continuation';

/**
 * Continuation tokens of the federated query: the same signed tokens as the single-region query
 * (src/query/continuation.ts: HMAC-SHA256, bound to the query and to the caller's tenant set), also
 * bound to the regions queried, in order. A single-region token, or one issued over another region
 * list, is refused as a token for a different query.
 */

/** The query hash a federated token is bound to: the query's own hash and the region names, in order. */
export function federatedQueryHash(
  regions: readonly { name: string }[],
  queryHash: string,
): string {
  return createHash('sha256')
    .update(JSON.stringify({ federated: regions.map((region) => region.name), query: queryHash }))
    .digest('base64url')
    .slice(0, 22);
}

export function sealFederatedCursor(
  cursor: Cursor,
  regions: readonly { name: string }[],
  queryHash: string,
  grantHash: string,
  key: Uint8Array,
): string {
  return sealCursor(cursor, federatedQueryHash(regions, queryHash), grantHash, key);
}

/** @throws ContinuationTokenError for a forged token, or one issued for another query, regions or grant. */
export function openFederatedCursor(
  token: string,
  regions: readonly { name: string }[],
  queryHash: string,
  grantHash: string,
  key: Uint8Array,
): Cursor {
  return openCursor(token, federatedQueryHash(regions, queryHash), grantHash, key);
}
