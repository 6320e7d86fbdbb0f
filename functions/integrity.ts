import type { InvocationContext, Timer } from '@azure/functions';
import type { Registration } from './registration-types';
import { httpTrigger } from './http';
import { getRuntime } from './runtime';
import {
  getCheckpointConsistency,
  getCheckpoints,
  getEventProof,
  getKeys,
  postVerify,
} from '../src/http/integrity';
import { sealPartitions, sealSchedule } from '../src/seal';

/** One or more partitions could not be sealed; the others were. */
export class SealFailedError extends Error {
  constructor(readonly failures: readonly { partition: string; error: Error }[]) {
    super(
      `seal failed for ${failures.map((f) => `partition ${f.partition} (${f.error.message})`).join('; ')}`,
    );
    this.name = 'SealFailedError';
  }
}

/**
 * The seal timer: signs a checkpoint for every partition whose log grew since its last one. Every 20 s
 * by default (SEAL_SCHEDULE), so an accepted event is covered by a signed checkpoint within a minute.
 * A partition that cannot be sealed does not hold the others back; the run then throws, so the
 * failure shows in the function's logs and metrics, and the next tick tries again.
 */
export async function sealTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await getRuntime();
  const outcomes = await sealPartitions(runtime.integrity, runtime.clock());
  const sealed = outcomes.filter((o) => o.status === 'sealed');
  if (sealed.length > 0) {
    context.log(
      `seal: ${sealed.map((o) => `partition ${o.partition} at size ${o.size}`).join(', ')}`,
    );
  }
  const failures = outcomes.flatMap((o) => (o.status === 'failed' ? [o] : []));
  if (failures.length > 0) throw new SealFailedError(failures);
}

/** The signed log: the seal timer and the checkpoint, key, proof and verify routes. */
export const integrityRegistrations: readonly Registration[] = [
  {
    kind: 'timer',
    name: 'seal',
    // Read when the app starts (app settings are the process environment in Azure Functions).
    schedule: sealSchedule(process.env),
    handler: sealTimer,
  },
  {
    kind: 'http',
    name: 'listCheckpoints',
    route: 'checkpoints',
    methods: ['GET'],
    authLevel: 'function',
    handler: httpTrigger(getCheckpoints),
  },
  {
    kind: 'http',
    name: 'checkpointConsistency',
    route: 'checkpoints/consistency',
    methods: ['GET'],
    authLevel: 'function',
    handler: httpTrigger(getCheckpointConsistency),
  },
  {
    kind: 'http',
    name: 'keys',
    route: 'keys',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: httpTrigger(getKeys),
  },
  {
    kind: 'http',
    name: 'eventProof',
    route: 'events/{id}/proof',
    methods: ['GET'],
    authLevel: 'function',
    handler: httpTrigger(getEventProof),
  },
  {
    kind: 'http',
    name: 'verify',
    route: 'verify',
    methods: ['POST'],
    authLevel: 'function',
    handler: httpTrigger(postVerify),
  },
];
