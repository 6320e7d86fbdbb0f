import { listLogStates } from '../store/log-state';
import type { ApiDependencies } from './dependencies';
import { json, type ApiRequest, type ApiResponse } from './types';

/** GET /api/health (anonymous): storage reachable, last ingest time, events in flight. Reveals no tenant data. */
export async function getHealth(_request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  try {
    const states = await listLogStates(deps.clients.tables.state);
    const lastIngestAt = states
      .map((state) => state.lastIngestAt)
      .filter((time): time is string => time !== undefined)
      .sort()
      .pop();
    return json(200, {
      status: 'ok',
      storage: 'reachable',
      partitions: states.length,
      lastIngestAt: lastIngestAt ?? null,
      eventsInFlight: deps.inFlight?.() ?? 0,
    });
  } catch (error) {
    return json(503, {
      status: 'unavailable',
      storage: 'unreachable',
      message: (error as Error).message,
    });
  }
}
