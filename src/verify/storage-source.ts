import type { ContainerClient } from '@azure/storage-blob';
import { buildConsistencyProof, frontierFromJson, rootOf, type Frontier } from '../integrity';
import { TILE_WIDTH, tileWidthAt } from '../integrity/tiles';
import { HASH_SIZE } from '../integrity/tree-math';
import {
  BlobTileReader,
  listCheckpointRefs,
  logOrigin,
  readBlobText,
  readCheckpointHead,
  TileCache,
  tileNodeStore,
  type IntegrityStores,
  type LogIdentity,
} from '../seal';
import type { StorageClients } from '../store/clients';
import { readLogState } from '../store/log-state';
import { decodeFrameAt, rangeOfBlockId, SegmentFormatError } from '../store/segment-format';
import type { StoredCheckpoint } from './checkpoints';
import { mapLimit } from './concurrency';
import { hotRowsInRange } from './hot-index';
import type { FrameRef, LeafReader, PartitionSource, UnreadableSegment } from './source';

/** A deployment's storage, as verification and export read it. */
export interface LogTarget {
  clients: StorageClients;
  stores: IntegrityStores;
  log: LogIdentity;
}

const PARALLEL_READS = 8;

/** The partition's log as storage holds it: checkpoints, head, log state, tiles, archive, hot store. */
export function storagePartitionSource(target: LogTarget, partition: string): PartitionSource {
  const { clients, stores, log } = target;
  const tiles = new TileCache(256);
  let stateSize: Promise<number> | undefined;
  const sizeOfState = (): Promise<number> =>
    (stateSize ??= readLogState(stores.state, partition).then((s) => s.nextIndex));
  return {
    partition,
    origin: logOrigin(log, partition),
    async checkpoints() {
      return readStoredCheckpoints(stores.checkpoints, log, partition);
    },
    async head() {
      return (await readCheckpointHead(stores.state, partition))?.note;
    },
    async logState() {
      const state = await readLogState(stores.state, partition);
      if (state.etag === undefined) return undefined;
      stateSize = Promise.resolve(state.nextIndex);
      let frontier: Frontier | undefined;
      try {
        frontier = frontierFromJson(JSON.parse(state.frontier));
      } catch {
        frontier = undefined;
      }
      const root =
        frontier !== undefined && frontier.size === state.nextIndex ? rootOf(frontier) : undefined;
      return { nextIndex: state.nextIndex, root };
    },
    async leaves() {
      const size = await sizeOfState();
      return size === 0 ? undefined : tileLeafReader(stores.tiles, log, partition, size, tiles);
    },
    async consistencyProof(size1, size2) {
      return buildConsistencyProof(
        tileNodeStore(stores, log, partition, size2, tiles),
        size1,
        size2,
      );
    },
    async frames() {
      return archiveFrames(clients.containers.archive, partition);
    },
    async readFrame(frame) {
      const data = await clients.containers.archive
        .getBlockBlobClient(frame.segment)
        .downloadToBuffer(frame.offset, frame.length);
      return checkedFrame(data, frame);
    },
    async hotRowsInRange(begin, end) {
      return hotRowsInRange(clients.tables.events, partition, begin, end);
    },
  };
}

/** Every checkpoint blob of the partition with its note, in size order. */
export async function readStoredCheckpoints(
  container: ContainerClient,
  log: LogIdentity,
  partition: string,
): Promise<StoredCheckpoint[]> {
  const refs = [];
  for await (const ref of listCheckpointRefs(container, log, partition)) refs.push(ref);
  const notes = await mapLimit(refs, PARALLEL_READS, (ref) => readBlobText(container, ref.name));
  const stored: StoredCheckpoint[] = [];
  refs.forEach((ref, i) => {
    const note = notes[i];
    if (note !== undefined) stored.push({ name: ref.name, nameSize: ref.size, note });
  });
  return stored;
}

/** Level-0 tiles as a leaf reader: one tile read per 256 leaves. */
export function tileLeafReader(
  container: ContainerClient,
  log: LogIdentity,
  partition: string,
  size: number,
  cache: TileCache,
): LeafReader {
  const reader = new BlobTileReader(container, log, partition, size, cache);
  return {
    size,
    async leafAt(index) {
      const tile = { level: 0, index: Math.floor(index / TILE_WIDTH) };
      const data = await reader.readTile(tile, tileWidthAt(tile, size));
      const at = (index % TILE_WIDTH) * HASH_SIZE;
      return data.subarray(at, at + HASH_SIZE);
    },
  };
}

/**
 * The frames of a partition's archive segments in log order. Segments are named by tenant first,
 * so each tenant's folder of the partition is listed. Frame positions come from the committed block
 * list (block ids name index ranges, sizes give offsets), without reading the data; a segment whose
 * blocks do not carry such names is read whole and its frame headers used instead.
 */
export async function archiveFrames(
  container: ContainerClient,
  partition: string,
): Promise<{ frames: FrameRef[]; unreadable: UnreadableSegment[] }> {
  const segments: string[] = [];
  for await (const item of container.listBlobsByHierarchy('/')) {
    if (item.kind !== 'prefix') continue;
    for await (const blob of container.listBlobsFlat({ prefix: `${item.name}${partition}/` })) {
      segments.push(blob.name);
    }
  }
  const frames: FrameRef[] = [];
  const unreadable: UnreadableSegment[] = [];
  const listed = await mapLimit(segments, PARALLEL_READS, (segment) =>
    segmentFrames(container, segment),
  );
  for (const result of listed) {
    frames.push(...result.frames);
    if (result.unreadable !== undefined) unreadable.push(result.unreadable);
  }
  frames.sort((a, b) => a.first - b.first || (a.segment < b.segment ? -1 : 1));
  return { frames, unreadable };
}

async function segmentFrames(
  container: ContainerClient,
  segment: string,
): Promise<{ frames: FrameRef[]; unreadable?: UnreadableSegment }> {
  const blob = container.getBlockBlobClient(segment);
  const list = await blob.getBlockList('committed');
  const blocks = list.committedBlocks ?? [];
  const ranges = blocks.map((block) => rangeOfBlockId(block.name));
  if (blocks.length > 0 && ranges.every((range) => range !== undefined)) {
    let offset = 0;
    return {
      frames: blocks.map((block, i) => {
        const range = ranges[i] as { first: number; last: number };
        const frame = { segment, offset, length: block.size, first: range.first, last: range.last };
        offset += block.size;
        return frame;
      }),
    };
  }
  // Blocks without index-range names: the segment was rewritten outside the ingest path. Read its
  // frame headers instead, as far as they decode.
  const data = await blob.downloadToBuffer();
  const frames: FrameRef[] = [];
  let offset = 0;
  while (offset < data.length) {
    try {
      const frame = decodeFrameAt(data, offset);
      frames.push({
        segment,
        offset,
        length: frame.encodedLength,
        first: frame.firstLogIndex,
        last: frame.lastLogIndex,
      });
      offset += frame.encodedLength;
    } catch (error) {
      if (!(error instanceof SegmentFormatError)) throw error;
      // The header's first index, when at least that much of it is there.
      const index =
        data.length - offset >= 17 ? Number(data.readBigUInt64BE(offset + 9)) : undefined;
      return {
        frames,
        unreadable: {
          segment,
          ...(index === undefined ? {} : { index }),
          message: error.message,
        },
      };
    }
  }
  return { frames };
}

/** Decodes a frame read by its ref; its header must name the indexes the ref (block id) names. */
export function checkedFrame(data: Buffer, frame: FrameRef): ReturnType<typeof decodeFrameAt> {
  const decoded = decodeFrameAt(data, 0);
  if (decoded.encodedLength !== data.length) {
    throw new SegmentFormatError(
      frame.offset,
      `${frame.segment}: the frame is ${decoded.encodedLength} bytes, its block ${data.length}`,
    );
  }
  if (decoded.firstLogIndex !== frame.first || decoded.lastLogIndex !== frame.last) {
    throw new SegmentFormatError(
      frame.offset,
      `${frame.segment}: the frame header says indexes ${decoded.firstLogIndex}..${decoded.lastLogIndex}, its block ${frame.first}..${frame.last}`,
    );
  }
  return decoded;
}
