import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { isRestError, statusOf } from '../store/errors';

/**
 * Reading archived segments. A blob in the Archive tier cannot be read (Azure answers 409
 * BlobArchived) until it is rehydrated. Rehydrating a segment in place would change its tier: the
 * next lifecycle run archives it again (its last modification is long past), and leaving Archive
 * early is billed. So a segment is rehydrated by copying it (Copy Blob with a rehydrate priority)
 * to `audit-rehydrated/<archive container>/<segment name>`, outside the classified containers: no
 * lifecycle rule selects the copy, the segment itself never changes, and the copy is deleted by the
 * lifecycle timer REHYDRATED_COPY_DAYS after it was made.
 *
 * A copy holds the same record bytes: readers recompute every leaf hash from them, so a copy that
 * was altered yields records that no checkpoint proves.
 */
export const REHYDRATED_CONTAINER = 'audit-rehydrated';

/** Days a rehydrated copy is kept before the lifecycle timer deletes it (Hot has no minimum). */
export const REHYDRATED_COPY_DAYS = 30;

export type RehydratePriority = 'Standard' | 'High';

export const REHYDRATE_PRIORITIES: readonly RehydratePriority[] = ['Standard', 'High'];

/** The archive container and the container of its rehydrated copies. */
export interface ArchiveContainers {
  readonly archive: ContainerClient;
  readonly rehydrated: ContainerClient;
}

export function archiveContainersOf(clients: {
  readonly containers: { readonly archive: ContainerClient };
  readonly blobService: BlobServiceClient;
}): ArchiveContainers {
  return {
    archive: clients.containers.archive,
    rehydrated: clients.blobService.getContainerClient(REHYDRATED_CONTAINER),
  };
}

/** The copy's name carries the archive container's, so two archives in one account never share copies. */
export function rehydratedCopyName(archiveContainer: string, segment: string): string {
  return `${archiveContainer}/${segment}`;
}

export type SegmentState =
  /** Readable where it is (Hot, Cool or Cold). */
  | { readonly state: 'online'; readonly tier: string }
  /** In Archive, with no copy: it needs rehydration. */
  | { readonly state: 'archived' }
  /** A rehydration is under way: a copy pending, or the segment itself being moved back online. */
  | { readonly state: 'rehydrating'; readonly via: 'copy' | 'in-place' }
  /** In Archive, with a readable copy. */
  | { readonly state: 'rehydrated' }
  | { readonly state: 'missing' };

async function propertiesOf(container: ContainerClient, name: string) {
  try {
    return await container.getBlobClient(name).getProperties();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Where a segment stands: online, archived, being rehydrated, rehydrated (a copy), or gone. */
export async function segmentState(
  containers: ArchiveContainers,
  segment: string,
): Promise<SegmentState> {
  const properties = await propertiesOf(containers.archive, segment);
  if (properties === undefined) return { state: 'missing' };
  const tier = properties.accessTier ?? 'Hot';
  if (tier !== 'Archive') return { state: 'online', tier };
  if (properties.archiveStatus?.startsWith('rehydrate-pending') === true) {
    return { state: 'rehydrating', via: 'in-place' };
  }
  const copy = await propertiesOf(
    containers.rehydrated,
    rehydratedCopyName(containers.archive.containerName, segment),
  );
  if (copy === undefined) return { state: 'archived' };
  if (copy.copyStatus === 'pending') return { state: 'rehydrating', via: 'copy' };
  // A copy made by Copy Blob records its status; 'failed' or 'aborted' leaves nothing to read.
  return copy.copyStatus === undefined || copy.copyStatus === 'success'
    ? { state: 'rehydrated' }
    : { state: 'archived' };
}

export type RehydrateOutcome =
  /** The copy was requested; it completes in up to 15 hours (Standard) or about 1 hour (High). */
  | 'started'
  | 'in-progress'
  /** Not in Archive: readable already. */
  | 'online'
  | 'rehydrated'
  | 'missing';

/**
 * Starts rehydrating one segment by copying it to the rehydrated container with `priority`.
 * Idempotent: a segment online, already copied or being copied is left alone.
 */
export async function rehydrateSegment(
  containers: ArchiveContainers,
  segment: string,
  priority: RehydratePriority,
): Promise<RehydrateOutcome> {
  const state = await segmentState(containers, segment);
  switch (state.state) {
    case 'online':
      return 'online';
    case 'missing':
      return 'missing';
    case 'rehydrated':
      return 'rehydrated';
    case 'rehydrating':
      return 'in-progress';
    case 'archived':
      break;
  }
  await containers.rehydrated.createIfNotExists();
  const copy = containers.rehydrated.getBlobClient(
    rehydratedCopyName(containers.archive.containerName, segment),
  );
  try {
    // Starts the copy (the poller's first poll); it completes on the service, not here.
    const copying = await copy.beginCopyFromURL(containers.archive.getBlobClient(segment).url, {
      tier: 'Hot',
      rehydratePriority: priority,
    });
    return copying.isDone() ? 'rehydrated' : 'started';
  } catch (error) {
    // Another caller started the same copy a moment ago.
    if (isRestError(error) && error.code === 'PendingCopyOperation') return 'in-progress';
    throw error;
  }
}

/**
 * Deletes the rehydrated copies of this archive made more than `keepDays` before `now`.
 * Returns the names deleted. The segments themselves are untouched.
 */
export async function removeExpiredCopies(
  containers: ArchiveContainers,
  now: Date,
  keepDays: number = REHYDRATED_COPY_DAYS,
): Promise<string[]> {
  const prefix = `${containers.archive.containerName}/`;
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const removed: string[] = [];
  if (!(await containers.rehydrated.exists())) return removed;
  for await (const item of containers.rehydrated.listBlobsFlat({ prefix })) {
    const madeAt = item.properties.createdOn ?? item.properties.lastModified;
    if (madeAt.getTime() >= cutoff) continue;
    await containers.rehydrated.getBlobClient(item.name).deleteIfExists();
    removed.push(item.name.slice(prefix.length));
  }
  return removed;
}
