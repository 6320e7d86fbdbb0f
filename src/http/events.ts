import { createHash } from 'node:crypto';
import { mayUseTenant, permittedTenants, type TenantGrant } from '../auth/api-keys';
import { findByEventId } from '../store/identity-claims';
import { listTenants } from '../store/tenants';
import { plainRow } from '../store/hot-entity';
import { statusOf } from '../store/errors';
import { filtersToPlan, QueryError, QuerySyntaxError, FILTER_PARAMETERS } from '../query/ql';
import { findArchivedEvent, queryAcrossTiers, tieredSourceOf } from '../query/archive-reader';
import { ContinuationTokenError, openCursor, sealCursor } from '../query/continuation';
import { authorize, forbiddenTenant } from './authorize';
import type { ApiDependencies } from './dependencies';
import { eventViewOf } from './event-view';
import { nextLinkOf } from '../connector/next-link';
import { BodyError, bodyFormatOf, MAX_REQUEST_BYTES, routingOf, splitEvents } from './ingest-body';
import { json, problem, type ApiRequest, type ApiResponse } from './types';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** POST /api/events: one CloudEvent, a batch (JSON array) or NDJSON; answers once the events are durable. */
export async function postEvents(request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_REQUEST_BYTES) {
    return problem(
      413,
      'too-large',
      `request body is ${declared} bytes; the limit is ${MAX_REQUEST_BYTES}`,
    );
  }
  let events: Buffer[];
  try {
    const format = bodyFormatOf(request.headers.get('content-type'));
    events = splitEvents(Buffer.from(await request.arrayBuffer()), format);
  } catch (error) {
    if (error instanceof BodyError) return problem(error.status, error.code, error.message);
    throw error;
  }
  const outgoing = events.map((body) => ({ body, ...routingOf(body) }));
  for (const event of outgoing) {
    if (event.tenant !== undefined && !mayUseTenant(auth.grant, event.tenant))
      return forbiddenTenant(event.tenant);
  }
  const publishing = deps.sink.publish(
    outgoing.map(({ body, partitionKey }) => ({ body, partitionKey })),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deps.ingestTimeoutMs);
  });
  try {
    const outcome = await Promise.race([publishing, timeout]);
    if (outcome === 'timeout') {
      publishing.catch(() => undefined);
      return problem(
        503,
        'not-yet-durable',
        'storage is not accepting writes right now; the events are not yet durable. Retry with the same event ids: duplicates are recognised.',
        {},
      );
    }
    const counts = { accepted: 0, duplicate: 0, rejected: 0 };
    for (const result of outcome) counts[result.status]++;
    return json(200, {
      ...counts,
      results: outcome.map((result, index) => ({ index, ...result })),
    });
  } catch (error) {
    return problem(
      503,
      'ingest-unavailable',
      `the events could not be made durable: ${(error as Error).message}. Retry with the same event ids.`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** GET /api/events: filters, the query language (`q`), a limit and an opaque continuation token. */
export async function listEvents(request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const params: Record<string, string | undefined> = {};
  for (const name of FILTER_PARAMETERS) params[name] = request.query.get(name) ?? undefined;
  let plan;
  try {
    plan = filtersToPlan(params, deps.clock());
  } catch (error) {
    if (error instanceof QuerySyntaxError) {
      return problem(400, 'invalid-query', error.message, {
        position: error.position,
        token: error.token,
        caret: error.caret(),
      });
    }
    if (error instanceof QueryError) return problem(400, 'invalid-query', error.message);
    throw error;
  }
  for (const tenant of plan.tenants ?? [])
    if (!mayUseTenant(auth.grant, tenant)) return forbiddenTenant(tenant);
  const limit = parseLimit(request.query.get('limit'));
  if (typeof limit === 'string') return problem(400, 'invalid-limit', limit);

  const tenants =
    permittedTenants(auth.grant, plan.tenants) ?? (await listTenants(deps.clients.tables.state));
  const queryHash = hashOf({ ...params, limit });
  const grantHash = grantHashOf(auth.grant);
  const token = request.query.get('continuationToken');
  let after;
  if (token) {
    try {
      after = openCursor(token, queryHash, grantHash, deps.tokenKey);
    } catch (error) {
      if (error instanceof ContinuationTokenError)
        return problem(400, 'invalid-continuation-token', error.message);
      throw error;
    }
    if (!mayUseTenant(auth.grant, after.tenant)) return forbiddenTenant(after.tenant);
  }
  // Both tiers: rows handed off to the archive answer from their segments, in the same order and pages.
  const page = await queryAcrossTiers(tieredSourceOf(deps.clients), plan, tenants, limit, after);
  const continuationToken = page.next
    ? sealCursor(page.next, queryHash, grantHash, deps.tokenKey)
    : undefined;
  return json(200, {
    events: page.rows.map(eventViewOf),
    // nextLink is the same continuation as a URL, for clients that page by link (x-ms-pageable).
    ...(continuationToken
      ? { continuationToken, nextLink: nextLinkOf(request, continuationToken) }
      : {}),
    // Events of segments in the Archive tier are missing from this page until they are rehydrated.
    ...(page.needsRehydration.length > 0 ? { needsRehydration: page.needsRehydration } : {}),
    stats: page.stats,
  });
}

/** GET /api/events/{id}: an event of the caller's tenants by its id (404 for other tenants' ids). */
export async function getEvent(request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const id = request.params.id ?? '';
  const requested = request.query.get('tenant');
  if (requested && !mayUseTenant(auth.grant, requested)) return forbiddenTenant(requested);
  const tenants =
    permittedTenants(auth.grant, requested ? [requested] : undefined) ??
    (await listTenants(deps.clients.tables.state));
  for (const tenant of tenants) {
    for (const claim of await findByEventId(deps.clients.tables.ids, tenant, id)) {
      try {
        const entity = await deps.clients.tables.events.getEntity(
          claim.eventPartitionKey,
          claim.eventRowKey,
        );
        return json(200, eventViewOf(plainRow(entity as Record<string, unknown>)));
      } catch (error) {
        // Claimed but not yet written (still being ingested), or handed off to the archive.
        if (statusOf(error) !== 404) throw error;
      }
      const archived = await findArchivedEvent(tieredSourceOf(deps.clients), claim);
      if (archived !== undefined && 'row' in archived) return json(200, eventViewOf(archived.row));
      if (archived !== undefined) {
        return problem(
          409,
          'needs-rehydration',
          `event "${id}" is in an archive segment in the Archive tier: rehydrate it (mcp-audit rehydrate) and ask again`,
          { needsRehydration: [archived.need] },
        );
      }
    }
  }
  return problem(404, 'not-found', `no event with id "${id}" in the tenants this key may read`);
}

export function parseLimit(raw: string | null): number | string {
  if (raw === null || raw === '') return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return `limit must be an integer from 1 to ${MAX_LIMIT}, got "${raw}"`;
  return limit;
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}

function grantHashOf(grant: TenantGrant): string {
  return hashOf(grant.all ? '*' : [...grant.tenants].sort());
}
