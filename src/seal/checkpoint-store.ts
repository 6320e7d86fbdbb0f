import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import { ConcurrentWriteError, statusOf } from '../store/errors';
import {
  checkpointBlobName,
  checkpointPrefix,
  sizeOfCheckpointBlob,
  type LogIdentity,
} from './layout';
import { createBlobIfAbsent, downloadIfExists } from './stores';

/**
 * Checkpoints in storage. Each signed note is a blob written once, create-if-absent, under its tree
 * size (layout.ts); the latest of each partition is also kept in a head row of the log state table,
 * which the sealer replaces under its ETag. That row is the one point of agreement between sealers:
 * of two sealers racing on a partition only one moves the head from a given checkpoint, so the chain
 * never forks, and a note blob is written only after its head commit. A sealer that crashed between
 * the two leaves the head ahead of the blobs; the next seal (or any reader) writes the head's note to
 * its blob first.
 */

const HEAD_PARTITION = 'checkpoint';
const NOTE_CONTENT_TYPE = 'text/plain; charset=utf-8';

export interface CheckpointHead {
  partition: string;
  size: number;
  /** The signed note. */
  note: string;
  etag: string | undefined;
}

interface HeadEntity {
  partitionKey: string;
  rowKey: string;
  size: number;
  note: string;
  time: string;
  etag?: string;
}

/** A checkpoint blob that already holds another note than the one being written. */
export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
  constructor(readonly blobName: string) {
    super(
      `checkpoint ${blobName} already exists with different content; checkpoints are written once, ` +
        'so this one was altered or another signer writes to this log: run mcp-audit verify',
    );
  }
}

function toHead(entity: HeadEntity): CheckpointHead {
  return {
    partition: entity.rowKey,
    size: Number(entity.size),
    note: entity.note,
    etag: entity.etag,
  };
}

export async function readCheckpointHead(
  table: TableClient,
  partition: string,
): Promise<CheckpointHead | undefined> {
  try {
    return toHead(await table.getEntity<HeadEntity>(HEAD_PARTITION, partition));
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** The head of every partition that has a checkpoint. */
export async function listCheckpointHeads(table: TableClient): Promise<CheckpointHead[]> {
  const heads: CheckpointHead[] = [];
  for await (const entity of table.listEntities<HeadEntity>({
    queryOptions: { filter: `PartitionKey eq '${HEAD_PARTITION}'` },
  })) {
    heads.push(toHead(entity));
  }
  return heads.sort((a, b) => comparePartitions(a.partition, b.partition));
}

/** Numeric partition ids in numeric order, others after them in text order. */
export function comparePartitions(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : Number.NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : Number.NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  if (!Number.isNaN(na)) return -1;
  if (!Number.isNaN(nb)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Moves the head from `previous` (undefined: the partition has none yet) to the new checkpoint.
 * Throws ConcurrentWriteError when another sealer moved it first.
 */
export async function commitCheckpointHead(
  table: TableClient,
  previous: CheckpointHead | undefined,
  next: { partition: string; size: number; note: string; time: Date },
): Promise<void> {
  const entity = {
    partitionKey: HEAD_PARTITION,
    rowKey: next.partition,
    // A double is exact to 2^53, beyond any tree size.
    size: { value: String(next.size), type: 'Double' as const },
    note: next.note,
    time: next.time.toISOString(),
  };
  try {
    if (previous === undefined) await table.createEntity(entity);
    else await table.updateEntity(entity, 'Replace', { etag: previous.etag });
  } catch (error) {
    const status = statusOf(error);
    if (status === 409 || status === 412) {
      throw new ConcurrentWriteError(`checkpoint head of partition ${next.partition}`);
    }
    throw error;
  }
}

/**
 * Writes a signed note to its immutable blob. Writing the same note again is a no-op; a different
 * note under the same name is CheckpointConflictError.
 */
export async function writeCheckpointNote(
  container: ContainerClient,
  log: LogIdentity,
  partition: string,
  size: number,
  note: string,
  time: Date,
): Promise<string> {
  const name = checkpointBlobName(log, partition, size);
  const blob = container.getBlockBlobClient(name);
  const data = Buffer.from(note, 'utf8');
  const metadata = { size: String(size), time: time.toISOString() };
  if (await createBlobIfAbsent(blob, data, NOTE_CONTENT_TYPE, metadata)) return name;
  const existing = await downloadIfExists(blob);
  if (existing === undefined || !existing.data.equals(data))
    throw new CheckpointConflictError(name);
  return name;
}

export async function readCheckpointNote(
  container: ContainerClient,
  log: LogIdentity,
  partition: string,
  size: number,
): Promise<string | undefined> {
  const found = await downloadIfExists(
    container.getBlockBlobClient(checkpointBlobName(log, partition, size)),
  );
  return found?.data.toString('utf8');
}

/** A checkpoint blob as listed: its name, the size its name gives, and the seal time kept beside it. */
export interface CheckpointRef {
  name: string;
  size: number;
  /** From the blob's metadata; undefined when the metadata is missing. */
  time: Date | undefined;
}

/** Every checkpoint blob of a partition, in size order, without reading the notes. */
export async function* listCheckpointRefs(
  container: ContainerClient,
  log: LogIdentity,
  partition: string,
): AsyncIterable<CheckpointRef> {
  for await (const blob of container.listBlobsFlat({
    prefix: checkpointPrefix(log, partition),
    includeMetadata: true,
  })) {
    const size = sizeOfCheckpointBlob(blob.name);
    if (size === undefined) continue;
    const time = blob.metadata?.time === undefined ? undefined : new Date(blob.metadata.time);
    yield { name: blob.name, size, time: time && !Number.isNaN(time.getTime()) ? time : undefined };
  }
}

export async function readBlobText(
  container: ContainerClient,
  name: string,
): Promise<string | undefined> {
  return (await downloadIfExists(container.getBlockBlobClient(name)))?.data.toString('utf8');
}
