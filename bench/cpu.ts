import { createHash } from 'node:crypto';
import { prepareEvents } from '../src/pipeline/prepare';
import { buildWriteSet } from '../src/pipeline/write-set';
import type { DeliveredEvent } from '../src/pipeline/delivered';
import type { Redactor } from '../src/redact';
import type { Retention } from '../src/pipeline/write-set';

export interface CpuResult {
  events: number;
  eventsPerSec: number;
  floorEventsPerSec: number;
  meanBodyBytes: number;
}

/**
 * The pipeline up to the write (raw bodies -> write-ready hot-store entities and compressed archive frames)
 * on one core, beside the floor measured on the same bytes in the same run: JSON.parse plus SHA-256.
 * Each is run twice and the faster run kept, so JIT warm-up does not decide the comparison.
 */
export function benchCpu(
  batches: readonly DeliveredEvent[][],
  redact: Redactor,
  retention: Retention,
): CpuResult {
  const events = batches.reduce((sum, batch) => sum + batch.length, 0);
  let bytes = 0;
  for (const batch of batches) for (const event of batch) bytes += event.body.length;

  const floor = (): void => {
    let sink = 0;
    for (const batch of batches) {
      for (const event of batch) {
        const parsed = JSON.parse(
          Buffer.from(event.body.buffer, event.body.byteOffset, event.body.byteLength).toString(
            'utf8',
          ),
        ) as {
          id?: string;
        };
        const digest = createHash('sha256').update(event.body).digest();
        sink += (parsed.id?.length ?? 0) + (digest[0] ?? 0);
      }
    }
    if (sink < 0) throw new Error('unreachable');
  };
  const pipeline = (): void => {
    const nextIndex = new Map<string, number>();
    for (const batch of batches) {
      const partitionId = batch[0]?.partitionId ?? '0';
      const { prepared } = prepareEvents(batch, redact);
      const first = nextIndex.get(partitionId) ?? 0;
      const writeSet = buildWriteSet(prepared, partitionId, first, undefined, retention);
      nextIndex.set(partitionId, first + writeSet.leafHashes.length);
    }
  };
  const floorSeconds = fastest(floor);
  const pipelineSeconds = fastest(pipeline);
  return {
    events,
    eventsPerSec: Math.round(events / pipelineSeconds),
    floorEventsPerSec: Math.round(events / floorSeconds),
    meanBodyBytes: Math.round(bytes / events),
  };
}

function fastest(run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 2; i++) {
    const start = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}
