import { blobTagsFor, classify, type RetentionPolicy } from '../../lifecycle';
import type { Retention } from '../pipeline/write-set';

/** The ingest path's view of the retention policy: an event's class, and a segment's tags. */
export function retentionFromPolicy(policy: RetentionPolicy): Retention {
  return {
    classify: (tenant, eventType) => classify(policy, tenant, eventType),
    segmentTags: (tenant, _retentionClass, hourStart, eventTypes) =>
      blobTagsFor(policy, tenant, { hourStart, eventTypes }),
  };
}
