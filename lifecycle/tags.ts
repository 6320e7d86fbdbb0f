import { classesReachableFor, classify, longestLivedClass } from './classify';
import { holdsForSegment } from './holds';
import {
  CLASSIFIED_CONTAINERS,
  HELD_SUFFIX,
  LEGAL_HOLD_TAG,
  RETENTION_TAG,
  parseSegmentName,
} from './layout';
import type { RetentionPolicy } from './types';

/** Azure allows at most 10 blob index tags per blob. */
export const MAX_BLOB_TAGS = 10;
const MAX_TAG_VALUE_LENGTH = 256;

export type BlobTags = Readonly<Record<string, string>>;

/** The tag set for a blob would exceed Azure's 10 tags once the retention tags are added. */
export class BlobTagLimitError extends Error {
  constructor(
    readonly tagNames: readonly string[],
    readonly limit: number = MAX_BLOB_TAGS,
  ) {
    super(
      `a blob can carry at most ${limit} index tags; this one would carry ${tagNames.length} (${tagNames.join(', ')})`,
    );
    this.name = 'BlobTagLimitError';
  }
}

/** Splits a retention tag value into its class and whether it marks a legal hold. */
export function parseRetentionTag(
  value: string | undefined,
): { className: string; held: boolean } | undefined {
  if (value === undefined || value === '') return undefined;
  return value.endsWith(HELD_SUFFIX)
    ? { className: value.slice(0, -HELD_SUFFIX.length), held: true }
    : { className: value, held: false };
}

/**
 * Hold ids for the informational `legalhold` tag: space-separated, cut to Azure's 256-character
 * tag value limit with a `+N` marker for the ids left out. The policy stays the authority on holds.
 */
export function formatHoldIds(ids: readonly string[]): string {
  for (let kept = ids.length; kept > 0; kept -= 1) {
    const text = ids.slice(0, kept).join(' ') + (kept < ids.length ? ` +${ids.length - kept}` : '');
    if (text.length <= MAX_TAG_VALUE_LENGTH) return text;
  }
  return `+${ids.length}`;
}

function withRetentionTags(
  existing: BlobTags,
  className: string,
  holdIds: readonly string[] | undefined,
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [name, value] of Object.entries(existing)) {
    if (name !== RETENTION_TAG && name !== LEGAL_HOLD_TAG) tags[name] = value;
  }
  if (holdIds === undefined) {
    tags[RETENTION_TAG] = className;
  } else {
    tags[RETENTION_TAG] = `${className}${HELD_SUFFIX}`;
    if (holdIds.length > 0) tags[LEGAL_HOLD_TAG] = formatHoldIds(holdIds);
  }
  const names = Object.keys(tags);
  if (names.length > MAX_BLOB_TAGS) throw new BlobTagLimitError(names);
  return tags;
}

function knownClass(policy: RetentionPolicy, tags: BlobTags): string | undefined {
  const parsed = parseRetentionTag(tags[RETENTION_TAG]);
  return parsed !== undefined && policy.classes[parsed.className] !== undefined
    ? parsed.className
    : undefined;
}

export interface SegmentWrite {
  /** Start of the Event Hubs enqueued-time hour the segment covers. */
  readonly hourStart: Date;
  /** CloudEvents types of the events being written to the segment. */
  readonly eventTypes: Iterable<string>;
}

/**
 * The complete tag set to write on an archive segment (or a dead letter laid out the same way):
 * `existingTags` with `retention` set to the longest-lived class among the segment's events and
 * the class already on the blob (a segment that grows batch by batch never loses retention), and
 * `.held` plus `legalhold` while an active legal hold covers the segment.
 * With no event types and no existing class, the tenant's longest-lived reachable class is used.
 * Throws BlobTagLimitError if the result would exceed Azure's 10 tags.
 */
export function blobTagsFor(
  policy: RetentionPolicy,
  tenant: string,
  segment: SegmentWrite,
  existingTags: BlobTags = {},
): Record<string, string> {
  const classes = new Set<string>();
  for (const eventType of segment.eventTypes) classes.add(classify(policy, tenant, eventType));
  const existing = knownClass(policy, existingTags);
  if (existing !== undefined) classes.add(existing);
  const className = longestLivedClass(
    policy,
    classes.size > 0 ? classes : classesReachableFor(policy, tenant),
  );
  const holds = holdsForSegment(policy, { tenant, partition: '', hourStart: segment.hourStart });
  return withRetentionTags(
    existingTags,
    className,
    holds.length > 0 ? holds.map((hold) => hold.id) : undefined,
  );
}

export interface TaggedBlob {
  readonly container: string;
  readonly name: string;
  readonly tags: BlobTags;
}

/**
 * The tags an existing blob should carry under the current policy, for the sweep that applies
 * newly placed or released legal holds (and repairs missing retention tags).
 * - The class is kept from the blob's tag; a blob without a known class gets its tenant's
 *   longest-lived reachable class, or the policy's longest-lived class if the name has no tenant.
 * - Holds are matched by the tenant and hour in the blob's name. For a name outside the segment
 *   layout, the blob stays held while any hold listed in its `legalhold` tag is still active,
 *   unknown to the policy or cut from the tag, and a held blob listing no holds stays held: a
 *   hold is never lifted on a guess.
 * Blobs outside the classified containers are returned unchanged.
 */
export function reconcileBlobTags(
  policy: RetentionPolicy,
  blob: TaggedBlob,
): { tags: Record<string, string>; changed: boolean } {
  if (!CLASSIFIED_CONTAINERS.includes(blob.container)) {
    return { tags: { ...blob.tags }, changed: false };
  }
  const location = parseSegmentName(blob.name);
  const className =
    knownClass(policy, blob.tags) ??
    longestLivedClass(
      policy,
      location !== undefined
        ? classesReachableFor(policy, location.tenant)
        : Object.keys(policy.classes),
    );

  let holdIds: string[] | undefined;
  if (location !== undefined) {
    const holds = holdsForSegment(policy, location);
    holdIds = holds.length > 0 ? holds.map((hold) => hold.id) : undefined;
  } else {
    const listed = (blob.tags[LEGAL_HOLD_TAG] ?? '').split(' ').filter((id) => id !== '');
    // A `+N` marker stands for ids cut from the tag: they cannot be checked, so they keep holding.
    const stillHeld = listed.filter((id) => {
      if (id.startsWith('+')) return true;
      const hold = policy.legalHolds.find((candidate) => candidate.id === id);
      return hold === undefined || hold.releasedAt === undefined;
    });
    const heldWithoutIds =
      parseRetentionTag(blob.tags[RETENTION_TAG])?.held === true && listed.length === 0;
    holdIds = stillHeld.length > 0 || heldWithoutIds ? stillHeld : undefined;
  }

  const tags = withRetentionTags(blob.tags, className, holdIds);
  const before = Object.entries(blob.tags).sort(([a], [b]) => a.localeCompare(b));
  const after = Object.entries(tags).sort(([a], [b]) => a.localeCompare(b));
  return { tags, changed: JSON.stringify(before) !== JSON.stringify(after) };
}
