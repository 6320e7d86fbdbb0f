import type { Frontier } from '../integrity';
import type { DecodedFrame } from '../store/segment-format';
import type { StoredCheckpoint } from './checkpoints';
import type { HotIndex, HotRow } from './hot-index';

/**
 * What verification reads of one partition's log. Storage (src/verify/storage-source.ts) and an
 * exported folder (src/verify/folder.ts) both provide it; only the archive's records and the
 * checkpoints are required, the rest adds cross-checks or, for an exported range, the context
 * outside the range.
 */

/** One frame of an archive segment: where it is, and the log indexes its name and header give. */
export interface FrameRef {
  segment: string;
  /** Byte offset and length of the frame in the segment. */
  offset: number;
  length: number;
  first: number;
  last: number;
}

/** A segment or frame that could not be read into frames, and why. */
export interface UnreadableSegment {
  segment: string;
  /** The first log index it was to hold, when its block names or header said. */
  index?: number;
  message: string;
}

/** Leaf hashes as the stored tree holds them (level-0 tiles), for indexes below `size`. */
export interface LeafReader {
  readonly size: number;
  leafAt(index: number): Promise<Uint8Array>;
}

/** The state a partial range starts from: the frontier of leaves [0, index). */
export interface StartPoint {
  index: number;
  frontier: Frontier;
}

/** Nodes covering leaves [end, size) (rangeNodes order), to reach the root of a checkpoint past the range. */
export interface TailPoint {
  size: number;
  nodes: { level: number; hash: Uint8Array }[];
}

export interface LogStateView {
  nextIndex: number;
  root: Uint8Array | undefined;
}

export interface PartitionSource {
  readonly partition: string;
  readonly origin: string;
  /** In order of size. */
  checkpoints(): Promise<StoredCheckpoint[]>;
  /** Archive frames of the partition, sorted by first index, and segments that could not be listed as frames. */
  frames(): Promise<{ frames: FrameRef[]; unreadable: UnreadableSegment[] }>;
  /** Decodes one frame; throws SegmentFormatError when it does not decode. */
  readFrame(frame: FrameRef): Promise<DecodedFrame>;
  /** The latest checkpoint as the store's head records it. */
  head?(): Promise<string | undefined>;
  /** Where the records start; the whole log (index 0) when absent. */
  start?(): Promise<StartPoint>;
  /** Where a range's records end (exclusive), when the source is a range. */
  end?(): Promise<number | undefined>;
  tail?(): Promise<TailPoint | undefined>;
  leaves?(): Promise<LeafReader | undefined>;
  consistencyProof?(size1: number, size2: number): Promise<Uint8Array[]>;
  /** The log state's size and frontier root (undefined when its frontier does not parse). */
  logState?(): Promise<LogStateView | undefined>;
  /** Rows of indexes [begin, end), to name the index where a hot-store bucket differs. */
  hotRowsInRange?(begin: number, end: number): Promise<Map<number, HotRow>>;
}

export interface VerifyOptionsBase {
  /** Notes seen before (e.g. the latest checkpoint at the previous audit): each must still be there. */
  knownCheckpoints?: readonly string[];
  onProgress?: (progress: import('./report').VerifyProgress) => void;
  clock?: () => Date;
}

export type { HotIndex };
