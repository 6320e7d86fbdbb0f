import type { ContainerClient } from '@azure/storage-blob';
import { blockIdFor, encodeFrame, rangeOfBlockId, type FrameRecord } from './segment-format';
import { statusOf } from './errors';

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
const MAX_COMMIT_ATTEMPTS = 8;

/**
 * Appends records to a segment as one new block, idempotently: records whose log index already lies in a
 * committed block's range are skipped, so a redelivered batch (or a second host racing on the same
 * partition) never archives a record twice, and a partially archived batch is completed rather than
 * repeated. Records are deterministic in their log index, so "covered" means "already archived".
 * The block list is committed under the segment's ETag, so concurrent writers cannot drop each other's blocks.
 */
export async function appendToSegment(container: ContainerClient, append: SegmentAppend): Promise<void> {
  const blob = container.getBlockBlobClient(append.blobName);
  for (let attempt = 1; ; attempt++) {
    let committedIds: string[] = [];
    let etag: string | undefined;
    try {
      const list = await blob.getBlockList('committed');
      committedIds = (list.committedBlocks ?? []).map((block) => block.name);
      etag = list.etag;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    const covered = committedIds.map((id) => rangeOfBlockId(id));
    const pending = append.records.filter(
      (record) => !covered.some((range) => range !== undefined && record.logIndex >= range.first && record.logIndex <= range.last),
    );
    const first = pending[0];
    const last = pending[pending.length - 1];
    if (first === undefined || last === undefined) return;

    const frame =
      append.frame !== undefined && pending.length === append.records.length ? append.frame : encodeFrame(pending);
    const blockId = blockIdFor(first.logIndex, last.logIndex);
    await blob.stageBlock(blockId, frame, frame.length);
    const blockList = [...committedIds, blockId].sort(byFirstIndex);
    try {
      await blob.commitBlockList(blockList, {
        conditions: etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag },
        blobHTTPHeaders: { blobContentType: SEGMENT_CONTENT_TYPE },
        ...(append.tags ? { tags: append.tags } : {}),
      });
      return;
    } catch (error) {
      const status = statusOf(error);
      if ((status === 412 || status === 409) && attempt < MAX_COMMIT_ATTEMPTS) continue;
      throw error;
    }
  }
}

function byFirstIndex(a: string, b: string): number {
  return (rangeOfBlockId(a)?.first ?? 0) - (rangeOfBlockId(b)?.first ?? 0);
}

/** Downloads a whole segment. Precondition: the blob is in an online tier (Hot, Cool or Cold). */
export async function readSegment(container: ContainerClient, blobName: string): Promise<Buffer> {
  return container.getBlockBlobClient(blobName).downloadToBuffer();
}
