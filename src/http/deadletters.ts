import { listDeadLetters } from '../store/deadletter';
import { authorize } from './authorize';
import type { ApiDependencies } from './dependencies';
import { parseLimit } from './events';
import { json, problem, type ApiRequest, type ApiResponse } from './types';
import { parseTimeValue } from '../query/ql';

/** GET /api/deadletters: rejected events with their reasons, filterable by time (`from`, `to`). */
export async function getDeadLetters(
  request: ApiRequest,
  deps: ApiDependencies,
): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const limit = parseLimit(request.query.get('limit'));
  if (typeof limit === 'string') return problem(400, 'invalid-limit', limit);
  const now = deps.clock();
  let from: Date | undefined;
  let to: Date | undefined;
  for (const name of ['from', 'to'] as const) {
    const raw = request.query.get(name);
    if (!raw) continue;
    const at = parseTimeValue(raw, now);
    if (at === undefined) {
      return problem(
        400,
        'invalid-time',
        `${name}: "${raw}" is not a time; use an ISO 8601 date or time, or a duration such as 24h or 7d`,
      );
    }
    if (name === 'from') from = at;
    else to = at;
  }
  const deadLetters = await listDeadLetters(deps.clients.containers.deadletter, {
    tenants: auth.grant.all ? undefined : [...auth.grant.tenants].sort(),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    limit,
  });
  return json(200, { deadLetters });
}
