import { listDeadLetters } from '../store/deadletter';
import { authorize } from './authorize';
import type { ApiDependencies } from './dependencies';
import { parseLimit } from './events';
import { json, problem, type ApiRequest, type ApiResponse } from './types';
import { parseTimeValue } from '../query/ql';

/** GET /api/deadletters: rejected events with their reasons, filterable by time (`from`, `to`). */
export async function getDeadLetters(request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const limit = parseLimit(request.query.get('limit'));
  if (typeof limit === 'string') return problem(400, 'invalid-limit', limit);
  const now = deps.clock();
  let from: Date | undefined;
  let to: Date | undefined;
  try {
    const rawFrom = request.query.get('from');
    const rawTo = request.query.get('to');
    if (rawFrom) from = parseTimeValue(rawFrom, now);
    if (rawTo) to = parseTimeValue(rawTo, now);
  } catch (error) {
    return problem(400, 'invalid-time', (error as Error).message);
  }
  const deadLetters = await listDeadLetters(deps.clients.containers.deadletter, {
    tenants: auth.grant.all ? undefined : [...auth.grant.tenants].sort(),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    limit,
  });
  return json(200, { deadLetters });
}
