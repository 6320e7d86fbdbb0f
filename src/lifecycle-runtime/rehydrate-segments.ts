import type { TableClient } from '@azure/data-tables';
import { hourBucket } from '../store/names';
import { archivedHours } from './archive-index';
import {
  rehydrateSegment,
  segmentState,
  type ArchiveContainers,
  type RehydrateOutcome,
  type RehydratePriority,
  type SegmentState,
} from './rehydration';

/**
 * The archive segments holding the handed-off events of `tenants` whose own time is in [from, to),
 * from the archive index, each once, in tenant and hour order.
 */
export async function segmentsForEventRange(
  state: TableClient,
  tenants: readonly string[],
  from: Date,
  to: Date,
): Promise<string[]> {
  if (to.getTime() <= from.getTime()) {
    throw new RangeError(
      `empty time range: ${from.toISOString()} is not before ${to.toISOString()}`,
    );
  }
  const segments: string[] = [];
  const lastHour = hourBucket(new Date(to.getTime() - 1));
  for (const tenant of tenants) {
    for await (const { segments: names } of archivedHours(
      state,
      tenant,
      hourBucket(from),
      lastHour,
    )) {
      for (const name of names) if (!segments.includes(name)) segments.push(name);
    }
  }
  return segments;
}

export interface RehydrateProgress {
  /** Segments handled so far, this one included. */
  done: number;
  total: number;
  segment: string;
  outcome: RehydrateOutcome;
}

/** Starts rehydrating each segment in turn (see rehydrateSegment), reporting after each. */
export async function rehydrateSegments(
  containers: ArchiveContainers,
  segments: readonly string[],
  priority: RehydratePriority,
  onProgress?: (progress: RehydrateProgress) => void,
): Promise<{ segment: string; outcome: RehydrateOutcome }[]> {
  const results: { segment: string; outcome: RehydrateOutcome }[] = [];
  for (const segment of segments) {
    const outcome = await rehydrateSegment(containers, segment, priority);
    results.push({ segment, outcome });
    onProgress?.({ done: results.length, total: segments.length, segment, outcome });
  }
  return results;
}

/** Where each segment stands now: readable, still archived, or being rehydrated. */
export async function segmentStates(
  containers: ArchiveContainers,
  segments: readonly string[],
): Promise<{ segment: string; state: SegmentState }[]> {
  const states: { segment: string; state: SegmentState }[] = [];
  for (const segment of segments) {
    states.push({ segment, state: await segmentState(containers, segment) });
  }
  return states;
}

/** Whether a segment can be read now, in place or from its copy. */
export function isReadable(state: SegmentState): boolean {
  return state.state === 'online' || state.state === 'rehydrated';
}
