import type { ContainerClient } from '@azure/storage-blob';
import { blockIdFor, encodeFrame, rangeOfBlockId, type FrameRecord } from './segment-format';
import { isRestError, statusOf } from './errors';

export const SEGMENT_CONTENT_TYPE = 'application/vnd.sqlmcp.audit-segment';

export interface SegmentAppend {
  blobName: string;
  /** Records of one tenant, Event Hubs partition and hour, sorted by log index. */
  records: FrameRecord[];
  /** The frame of all `records`, if already encoded; used when none of them is archived yet. */
  frame?: Buffer;
  /** Blob index tags (at most 10), e.g. the retention class the lifecycle policy selects on. */
  tags?: Record<string, string>;
}

/** How many times a commit is re-read and retried when another writer committed to the same segment. */
const MAX_COMMIT_ATTEMPTS = 16;

/** A segment's committed block list as this process's last commit to it left it, with that commit's ETag. */
interface KnownCommit {
  etag: string;
  blockIds: string[];
}

/** Segments whose last commit is remembered, per container client; the oldest are forgotten first. */
const MAX_KNOWN_SEGMENTS = 4096;
const knownCommits = new WeakMap<ContainerClient, Map<string, KnownCommit>>();

function knownCommitOf(container: ContainerClient, blobName: string): KnownCommit | undefined {
  return knownCommits.get(container)?.get(blobName);
}

function rememberCommit(container: ContainerClient, blobName: string, known: KnownCommit): void {
  let segments = knownCommits.get(container);
  if (!segments) knownCommits.set(container, (segments = new Map()));
  segments.delete(blobName);
  segments.set(blobName, known);
  if (segments.size > MAX_KNOWN_SEGMENTS) {
    const oldest = segments.keys().next();
    if (oldest.done !== true) segments.delete(oldest.value);
  }
}

function forgetCommit(container: ContainerClient, blobName: string): void {
  knownCommits.get(container)?.delete(blobName);
}

function uncoveredBy(blockIds: readonly string[], records: readonly FrameRecord[]): FrameRecord[] {
  const covered = blockIds.map((id) => rangeOfBlockId(id));
  return records.filter(
    (record) =>
      !covered.some(
        (range) =>
          range !== undefined && record.logIndex >= range.first && record.logIndex <= range.last,
      ),
  );
}

/**
 * Appends records to a segment as one new block, idempotently: records whose log index already lies in a
 * committed block's range are skipped, so a redelivered batch (or a second host racing on the same
 * partition) never archives a record twice, and a partially archived batch is completed rather than
 * repeated. Records are deterministic in their log index, so "covered" means "already archived".
 *
 * The block is staged before the block list is read: in the common case (nothing archived yet) that costs
 * three requests, and the ETag read after staging is the one the commit is conditioned on. When this
 * process made the segment's last commit, the list that commit left stands in for the read (two requests).
 * The commit is conditional, so concurrent writers cannot drop each other's blocks.
 */
export async function appendToSegment(
  container: ContainerClient,
  append: SegmentAppend,
  options: { staged?: boolean } = {},
): Promise<void> {
  const blob = container.getBlockBlobClient(append.blobName);
  let pending = append.records;
  let frame = append.frame ?? encodeFrame(pending);
  let staged = options.staged === true;
  let trustKnown = true;
  for (let attempt = 1; ; attempt++) {
    const blockId = blockIdOf(pending);
    if (!staged) await blob.stageBlock(blockId, frame, frame.length);
    staged = false;

    // The block list this process's last commit left is used only to append: the commit is conditioned on
    // that commit's ETag, so it succeeds only if the list is still the segment's. Any conclusion that would
    // skip a record (already archived) is drawn from a fresh read.
    const known = trustKnown ? knownCommitOf(container, append.blobName) : undefined;
    const usingKnown =
      known !== undefined && uncoveredBy(known.blockIds, pending).length === pending.length;
    let committedIds: string[] = [];
    let etag: string | undefined;
    if (usingKnown) {
      committedIds = known.blockIds;
      etag = known.etag;
    } else {
      forgetCommit(container, append.blobName);
      try {
        const list = await blob.getBlockList('committed');
        committedIds = (list.committedBlocks ?? []).map((block) => block.name);
        etag = list.etag;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
    if (committedIds.includes(blockId)) return;
    const uncovered = uncoveredBy(committedIds, pending);
    if (uncovered.length === 0) return;
    if (uncovered.length < pending.length) {
      // Part of this block was archived by an earlier delivery: stage just the rest and read again.
      pending = uncovered;
      frame = encodeFrame(pending);
      continue;
    }
    const blockIds = [...committedIds, blockId].sort(byFirstIndex);
    try {
      const committed = await blob.commitBlockList(blockIds, {
        // No committed block yet: the segment must still not exist when we commit (a blob holding only
        // staged blocks does not exist yet, for Azure and for the emulator alike).
        conditions:
          committedIds.length === 0 || etag === undefined
            ? { ifNoneMatch: '*' }
            : { ifMatch: etag },
        blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE },
        ...(append.tags ? { tags: append.tags } : {}),
      });
      if (committed.etag === undefined) forgetCommit(container, append.blobName);
      else rememberCommit(container, append.blobName, { etag: committed.etag, blockIds });
      return;
    } catch (error) {
      forgetCommit(container, append.blobName);
      // 412/409: another writer committed since we read. InvalidBlockList: its commit discarded the block we
      // had staged (a commit garbage-collects uncommitted blocks it does not name). Both: stage and read again.
      const status = statusOf(error);
      // A remembered list that is no longer the segment's (another writer, or the segment was deleted)
      // fails the same way, or as 404: read it afresh.
      trustKnown = false;
      const lost =
        (usingKnown && status === 404) ||
        status === 412 ||
        status === 409 ||
        (isRestError(error) && error.code === 'InvalidBlockList');
      if (lost && attempt < MAX_COMMIT_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        continue;
      }
      throw error;
    }
  }
}

/**
 * Stages the frame of `append` as the block its records' range names, without committing it: ingest stages
 * while it is still learning which events are duplicates, and commits with `appendToSegment(…, { staged:
 * true })` once the frame is known to be final. A staged block is invisible to readers, and one that is
 * never committed is discarded by the service, so staging a frame that turns out wrong costs nothing.
 */
export async function stageFrame(container: ContainerClient, append: SegmentAppend): Promise<void> {
  const frame = append.frame ?? encodeFrame(append.records);
  await container
    .getBlockBlobClient(append.blobName)
    .stageBlock(blockIdOf(append.records), frame, frame.length);
}

function blockIdOf(records: readonly FrameRecord[]): string {
  const first = records[0] as FrameRecord;
  const last = records[records.length - 1] as FrameRecord;
  return blockIdFor(first.logIndex, last.logIndex);
}

function byFirstIndex(a: string, b: string): number {
  return (rangeOfBlockId(a)?.first ?? 0) - (rangeOfBlockId(b)?.first ?? 0);
}

/** Downloads a whole segment. Precondition: the blob is in an online tier (Hot, Cool or Cold). */
export async function readSegment(container: ContainerClient, blobName: string): Promise<Buffer> {
  return container.getBlockBlobClient(blobName).downloadToBuffer();
}
