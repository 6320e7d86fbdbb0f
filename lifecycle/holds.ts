import type { SegmentLocation } from './layout';
import type { LegalHold, RetentionPolicy } from './types';

const HOUR_MS = 3_600_000;

/** A hold is active until the policy records its release. */
export function isActiveHold(hold: LegalHold): boolean {
  return hold.releasedAt === undefined;
}

export function activeHolds(policy: RetentionPolicy): LegalHold[] {
  return policy.legalHolds.filter(isActiveHold);
}

/**
 * Whether a hold covers the segment of `location`.
 * Segments are named by Event Hubs enqueued hour, while holds speak of the events' own time; the
 * segment's hour is therefore widened by `holdMatching.segmentMarginHours` on both sides before it
 * is compared with the held time range or event times. Holding a few neighbouring segments too many
 * is the safe error.
 */
export function holdCoversSegment(
  policy: RetentionPolicy,
  hold: LegalHold,
  location: SegmentLocation,
): boolean {
  const { scope } = hold;
  if (scope.tenant !== undefined && scope.tenant !== location.tenant) return false;
  const margin = policy.holdMatching.segmentMarginHours * HOUR_MS;
  const windowStart = location.hourStart.getTime() - margin;
  const windowEnd = location.hourStart.getTime() + HOUR_MS + margin;

  if (scope.from !== undefined && scope.to !== undefined) {
    return Date.parse(scope.from) < windowEnd && Date.parse(scope.to) > windowStart;
  }
  if (scope.events !== undefined) {
    return scope.events.some((event) => {
      const time = Date.parse(event.time);
      return time >= windowStart && time < windowEnd;
    });
  }
  // A tenant-only scope: the tenant matched above.
  return true;
}

/** The active holds covering a segment, in policy order. */
export function holdsForSegment(policy: RetentionPolicy, location: SegmentLocation): LegalHold[] {
  return activeHolds(policy).filter((hold) => holdCoversSegment(policy, hold, location));
}
