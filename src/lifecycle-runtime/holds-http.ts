import type { RetentionPolicy } from '../../lifecycle';
import { authorize } from '../http/authorize';
import type { ApiDependencies } from '../http/dependencies';
import { json, problem, type ApiRequest, type ApiResponse } from '../http/types';
import { ConcurrentWriteError } from '../store/errors';
import {
  HoldRequestError,
  listHolds,
  placeHold,
  releaseHold,
  type HoldRequest,
  type HoldsDependencies,
  type SettledHold,
} from './holds';

/** A hold request body is a small JSON object; anything larger is refused unread. */
const MAX_HOLD_BODY_BYTES = 64 * 1024;

type ApiHandler = (request: ApiRequest, deps: ApiDependencies) => Promise<ApiResponse>;

export interface HoldRoutes {
  /** GET /api/holds */
  listHolds: ApiHandler;
  /** POST /api/holds */
  placeHold: ApiHandler;
  /** DELETE /api/holds/{id}?releasedBy=<who> */
  releaseHold: ApiHandler;
}

function holdsDependencies(deps: ApiDependencies, basePolicy: RetentionPolicy): HoldsDependencies {
  return {
    tables: deps.clients.tables,
    containers: deps.clients.containers,
    basePolicy,
    sink: deps.sink,
    clock: deps.clock,
  };
}

/** Legal holds decide what may be deleted across tenants: only an admin key (granted "*") may use them. */
function adminOnly(request: ApiRequest, deps: ApiDependencies): ApiResponse | undefined {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  if (!auth.grant.all) {
    return problem(
      403,
      'forbidden',
      'legal holds can be listed, placed and lifted only with an admin key (one granted "*")',
    );
  }
  return undefined;
}

function failure(error: unknown): ApiResponse {
  if (error instanceof HoldRequestError) {
    return problem(
      error.status,
      error.code,
      error.message,
      error.issues ? { issues: error.issues } : {},
    );
  }
  if (error instanceof ConcurrentWriteError) {
    return problem(409, 'concurrent-change', `${error.message}: the hold changed meanwhile`);
  }
  throw error;
}

function settledBody(settled: SettledHold): Record<string, unknown> {
  return {
    hold: settled.hold,
    events: settled.events,
    ...(settled.retagged === undefined ? {} : { retagged: settled.retagged }),
    pending: settled.pending,
  };
}

const KNOWN_FIELDS = ['id', 'reason', 'placedBy', 'tenant', 'from', 'to', 'eventIds'];

async function readHoldRequest(request: ApiRequest): Promise<HoldRequest | ApiResponse> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_HOLD_BODY_BYTES) {
    return problem(413, 'too-large', `a hold request is at most ${MAX_HOLD_BODY_BYTES} bytes`);
  }
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_HOLD_BODY_BYTES) {
    return problem(413, 'too-large', `a hold request is at most ${MAX_HOLD_BODY_BYTES} bytes`);
  }
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return problem(400, 'invalid-hold', `the body is not JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return problem(
      400,
      'invalid-hold',
      'the body must be a JSON object: {"reason", "placedBy", and "tenant", "from"/"to" or "eventIds"}',
    );
  }
  const unknown = Object.keys(body).filter((key) => !KNOWN_FIELDS.includes(key));
  if (unknown.length > 0) {
    return problem(
      400,
      'invalid-hold',
      `unknown field(s) ${unknown.join(', ')}; a hold request has ${KNOWN_FIELDS.join(', ')}`,
    );
  }
  return body as HoldRequest;
}

/** The holds routes, merging stored holds into `basePolicy` (the shipped lifecycle/policy.json). */
export function holdRoutes(basePolicy: RetentionPolicy): HoldRoutes {
  return {
    async listHolds(request, deps) {
      const refused = adminOnly(request, deps);
      if (refused) return refused;
      return json(200, { holds: await listHolds(holdsDependencies(deps, basePolicy)) });
    },

    async placeHold(request, deps) {
      const refused = adminOnly(request, deps);
      if (refused) return refused;
      const body = await readHoldRequest(request);
      if ('status' in body) return body;
      try {
        const placed = await placeHold(holdsDependencies(deps, basePolicy), body);
        return json(placed.created ? 201 : 200, settledBody(placed));
      } catch (error) {
        return failure(error);
      }
    },

    async releaseHold(request, deps) {
      const refused = adminOnly(request, deps);
      if (refused) return refused;
      const releasedBy = request.query.get('releasedBy') ?? '';
      try {
        const released = await releaseHold(
          holdsDependencies(deps, basePolicy),
          request.params.id ?? '',
          releasedBy,
        );
        return json(200, settledBody(released));
      } catch (error) {
        return failure(error);
      }
    },
  };
}
