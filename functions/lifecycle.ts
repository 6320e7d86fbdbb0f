import type { InvocationContext, RetryOptions, Timer } from '@azure/functions';
import { shippedRetentionPolicy } from '../lifecycle';
import { describeRun, holdRoutes, lifecycleSchedule, runLifecycle } from '../src/lifecycle-runtime';
import type { Registration } from './registration-types';
import { httpTrigger } from './http';
import { getRuntime } from './runtime';

/** The shipped policy, compiled into the build; stored legal holds are merged into it per use. */
const basePolicy = shippedRetentionPolicy();
const holds = holdRoutes(basePolicy);

/**
 * A failed run is retried a few times; after that the next scheduled run resumes it (every step of a
 * run is idempotent), so the retries only shorten the wait.
 */
export const LIFECYCLE_RETRY: RetryOptions = {
  strategy: 'exponentialBackoff',
  maxRetryCount: 3,
  minimumInterval: { seconds: 30 },
  maximumInterval: { minutes: 5 },
};

/**
 * The lifecycle timer: settles legal holds, hands due hot rows off to the archive and, when the
 * storage is the emulator, carries out the lifecycle management policy Azure would apply.
 */
export async function runLifecycleTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime();
  const report = await runLifecycle(
    { clients: runtime.clients, basePolicy, sink: runtime.api.sink },
    runtime.clock(),
  );
  for (const line of describeRun(report)) context.log(line);
}

/** The lifecycle timer and the legal-hold routes (admin keys only). */
export const lifecycleRegistrations: readonly Registration[] = [
  {
    kind: 'timer',
    name: 'lifecycle',
    // Read when the app starts (app settings are the process environment in Azure Functions).
    schedule: lifecycleSchedule(process.env),
    retry: LIFECYCLE_RETRY,
    handler: runLifecycleTimer,
  },
  {
    kind: 'http',
    name: 'listHolds',
    route: 'holds',
    methods: ['GET'],
    authLevel: 'function',
    handler: httpTrigger(holds.listHolds),
  },
  {
    kind: 'http',
    name: 'placeHold',
    route: 'holds',
    methods: ['POST'],
    authLevel: 'function',
    handler: httpTrigger(holds.placeHold),
  },
  {
    kind: 'http',
    name: 'releaseHold',
    route: 'holds/{id}',
    methods: ['DELETE'],
    authLevel: 'function',
    handler: httpTrigger(holds.releaseHold),
  },
];
