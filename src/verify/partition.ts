import {
  appendLeaf,
  appendSubtree,
  bytesEqual,
  emptyFrontier,
  hashLeaf,
  rootOf,
  toBase64,
  toHex,
  type Frontier,
} from '../integrity';
import type { JsonWebKeySet } from '../keys/types';
import { decodeRecord, type AuditRecord } from '../pipeline/record';
import { SegmentFormatError, type DecodedFrame } from '../store/segment-format';
import { verifyCheckpointChain, type VerifiedCheckpoint } from './checkpoints';
import { addDigest, BUCKET_SIZE, entryDigest, type HotIndex } from './hot-index';
import {
  byPosition,
  MAX_FAILURES_PER_PARTITION,
  type PartitionReport,
  type VerificationFailure,
  type VerifyProgress,
} from './report';
import type { FrameRef, LeafReader, LogStateView, PartitionSource } from './source';

export interface PartitionOptions {
  publicKeys: JsonWebKeySet;
  /** The source starts at the partition's first checkpoint and first record. */
  fromFirst: boolean;
  knownCheckpoints?: readonly string[];
  hot?: HotIndex;
  onProgress?: (progress: VerifyProgress) => void;
}

export interface PartitionResult {
  report: PartitionReport;
  signatureChecks: number;
  recordBytes: number;
}

const PROGRESS_EVERY = 1000;
/** Frames read ahead of the merge. */
const READ_AHEAD = 8;

/**
 * Verifies one partition's log: the checkpoint chain (signatures with only the public keys, order,
 * consistency), then every record in log order, streaming: each record's index must be its position,
 * its leaf must match the stored tree's leaf, the leaves rebuilt into the tree (O(log n) memory, the
 * frontier) must give each signed root, and the hot store's rows must agree with the archive. The
 * record pass stops at the first bad record, which is the failure reported: later differences follow
 * from it.
 */
export async function verifyPartition(
  source: PartitionSource,
  options: PartitionOptions,
): Promise<PartitionResult> {
  const { partition } = source;
  const progress = (phase: VerifyProgress['phase'], done: number, total?: number): void =>
    options.onProgress?.({ partition, phase, done, ...(total === undefined ? {} : { total }) });

  const stored = await source.checkpoints();
  progress('checkpoints', 0, stored.length);
  const head = await source.head?.();
  const chain = await verifyCheckpointChain({
    partition,
    origin: source.origin,
    stored,
    publicKeys: options.publicKeys,
    fromFirst: options.fromFirst,
    ...(head === undefined ? {} : { head }),
    ...(options.knownCheckpoints ? { known: options.knownCheckpoints } : {}),
    ...(source.consistencyProof
      ? { consistencyProof: (a: number, b: number) => source.consistencyProof!(a, b) }
      : {}),
  });
  progress('checkpoints', stored.length, stored.length);

  const records = await RecordPass.run(source, chain.verified, options, progress);
  const failures = [
    ...chain.failures,
    ...records.failures,
    ...(options.hot?.problemsOf(partition) ?? []),
  ].sort(byPosition);
  const latest = chain.verified[chain.verified.length - 1]?.checkpoint.size;
  return {
    report: {
      partition,
      origin: source.origin,
      ok: failures.length === 0,
      records: records.count,
      checkpoints: chain.verified.length,
      latestCheckpointSize: latest,
      unsealed: Math.max(0, records.end - (latest ?? 0)),
      keyIds: [...new Set(chain.verified.map((v) => v.checkpoint.keyId))],
      failures: failures.slice(0, MAX_FAILURES_PER_PARTITION),
    },
    signatureChecks: chain.signatureChecks,
    recordBytes: records.bytes,
  };
}

interface ReadRecord {
  bytes: Buffer;
  /** The decoded record, or undefined when the bytes are not JSON. */
  record: AuditRecord | undefined;
  /** The index the record claims (for bytes that do not decode: the position they sit at). */
  claimed: number;
  frame: FrameRef;
}

interface OpenFrame {
  records: ReadRecord[];
  cursor: number;
}

/**
 * The archive's records of a partition in log order, with one record of lookahead. A frame holds
 * consecutive records of one tenant, so the frames of a batch interleave: this is a k-way merge by
 * claimed index over the frames open at once (those whose range has begun), a heap of their heads.
 */
class RecordStream {
  private frameIndex = 0;
  private readonly heap: OpenFrame[] = [];
  private peeked: ReadRecord | undefined;
  /** Frames being read ahead of the merge, by position in `frames`: reads overlap instead of queueing. */
  private readonly reading = new Map<number, Promise<DecodedFrame>>();

  constructor(
    private readonly source: PartitionSource,
    private readonly frames: readonly FrameRef[],
  ) {}

  async peek(): Promise<ReadRecord | undefined> {
    this.peeked ??= await this.read();
    return this.peeked;
  }

  async next(): Promise<ReadRecord | undefined> {
    const record = await this.peek();
    this.peeked = undefined;
    return record;
  }

  private async read(): Promise<ReadRecord | undefined> {
    for (;;) {
      const frame = this.frames[this.frameIndex];
      const top = this.heap[0];
      if (frame === undefined || (top !== undefined && headOf(top).claimed < frame.first)) break;
      await this.open(frame, this.frameIndex++);
    }
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const record = headOf(top);
    top.cursor++;
    if (top.cursor === top.records.length) {
      const last = this.heap.pop() as OpenFrame;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.siftDown(0);
      }
    } else {
      this.siftDown(0);
    }
    return record;
  }

  private readAhead(from: number): void {
    for (let i = from; i < Math.min(from + READ_AHEAD, this.frames.length); i++) {
      if (this.reading.has(i)) continue;
      const read = this.source.readFrame(this.frames[i] as FrameRef);
      // Awaited when the merge reaches it; until then a failure must not count as unhandled.
      read.catch(() => undefined);
      this.reading.set(i, read);
    }
  }

  private async open(frame: FrameRef, position: number): Promise<void> {
    this.readAhead(position);
    const read = this.reading.get(position) as Promise<DecodedFrame>;
    this.reading.delete(position);
    let decoded;
    try {
      decoded = await read;
    } catch (error) {
      if (error instanceof SegmentFormatError) throw new FrameReadError(frame, error);
      throw error;
    }
    let previous = frame.first - 1;
    const records = decoded.records.map((bytes): ReadRecord => {
      const record = safeDecode(bytes);
      const index = record?.log?.index;
      const claimed =
        typeof index === 'number' && Number.isSafeInteger(index) ? index : previous + 1;
      previous = claimed;
      return { bytes, record, claimed, frame };
    });
    if (records.length === 0) return;
    this.heap.push({ records, cursor: 0 });
    this.siftUp(this.heap.length - 1);
  }

  private siftUp(at: number): void {
    for (let i = at; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(at: number): void {
    for (let i = at; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private less(a: number, b: number): boolean {
    return headOf(this.heap[a] as OpenFrame).claimed < headOf(this.heap[b] as OpenFrame).claimed;
  }

  private swap(a: number, b: number): void {
    const held = this.heap[a] as OpenFrame;
    this.heap[a] = this.heap[b] as OpenFrame;
    this.heap[b] = held;
  }
}

/** A frame that does not decode, with the frame it is. */
class FrameReadError extends Error {
  constructor(
    readonly frame: FrameRef,
    error: SegmentFormatError,
  ) {
    super(error.message, { cause: error });
  }
}

function headOf(frame: OpenFrame): ReadRecord {
  return frame.records[frame.cursor] as ReadRecord;
}

class StopPass extends Error {}

class RecordPass {
  readonly failures: VerificationFailure[] = [];
  count = 0;
  bytes = 0;
  /** The position after the last record read. */
  end = 0;

  private frontier: Frontier = emptyFrontier();
  private position = 0;
  private checkpointAt = 0;
  private lastMatchedSize = 0;
  private leaves: LeafReader | undefined;
  private suspect: VerificationFailure | undefined;
  private stateRoot: Uint8Array | undefined;
  private bucketDigest = 0n;
  private bucketCount = 0;
  private readonly bucketLeaves = new Map<number, { leaf: Buffer; eventId: string | undefined }>();

  private constructor(
    private readonly source: PartitionSource,
    private readonly checkpoints: readonly VerifiedCheckpoint[],
    private readonly options: PartitionOptions,
    private readonly progress: (
      phase: VerifyProgress['phase'],
      done: number,
      total?: number,
    ) => void,
  ) {}

  static async run(
    source: PartitionSource,
    checkpoints: readonly VerifiedCheckpoint[],
    options: PartitionOptions,
    progress: (phase: VerifyProgress['phase'], done: number, total?: number) => void,
  ): Promise<RecordPass> {
    const pass = new RecordPass(source, checkpoints, options, progress);
    try {
      await pass.verify();
    } catch (error) {
      if (!(error instanceof StopPass)) throw error;
    }
    return pass;
  }

  private get partition(): string {
    return this.source.partition;
  }

  private fail(failure: Omit<VerificationFailure, 'partition'>, stop: boolean): void {
    this.failures.push({ partition: this.partition, ...failure });
    if (stop) throw new StopPass();
  }

  private async verify(): Promise<void> {
    const start = (await this.source.start?.()) ?? { index: 0, frontier: emptyFrontier() };
    const rangeEnd = await this.source.end?.();
    const state = await this.source.logState?.();
    this.leaves = await this.source.leaves?.();
    this.frontier = start.frontier;
    this.position = start.index;
    this.end = start.index;
    this.lastMatchedSize = start.index;
    // Checkpoints at or before the start cannot be rebuilt here; the chain's consistency covers them.
    while ((this.checkpoints[this.checkpointAt]?.checkpoint.size ?? Infinity) < start.index) {
      this.checkpointAt++;
    }
    if (state?.nextIndex === this.position) this.stateRoot = rootOf(this.frontier);
    await this.checkRootsAtPosition();

    const { frames, unreadable } = await this.source.frames();
    for (const segment of unreadable) {
      this.fail(
        {
          kind: 'archive-unreadable',
          ...(segment.index === undefined ? {} : { index: segment.index }),
          message: `${segment.segment}: ${segment.message}`,
        },
        false,
      );
    }
    const total = (state?.nextIndex ?? rangeEnd ?? this.lastCheckpointSize()) - start.index;
    const stream = new RecordStream(this.source, frames);
    for (;;) {
      let record: ReadRecord | undefined;
      try {
        record = await stream.next();
      } catch (error) {
        if (!(error instanceof FrameReadError)) throw error;
        this.fail(
          {
            kind: 'archive-unreadable',
            index: error.frame.first,
            message: `the frame of indexes ${error.frame.first}..${error.frame.last} in ${error.frame.segment} does not decode: ${error.message}`,
          },
          true,
        );
      }
      if (record === undefined) break;
      if (rangeEnd !== undefined && this.position >= rangeEnd) {
        this.fail(
          {
            kind: 'record-inserted',
            index: this.position,
            message: `the export's records end at index ${rangeEnd}, yet another record follows`,
          },
          true,
        );
      }
      await this.verifyRecord(record as ReadRecord, stream);
      if (state?.nextIndex === this.position) this.stateRoot = rootOf(this.frontier);
      if ((this.position - start.index) % PROGRESS_EVERY === 0) {
        this.progress('records', this.position - start.index, total);
      }
    }
    this.progress('records', this.position - start.index, total);
    if (this.position % BUCKET_SIZE !== 0) await this.compareHotBucket();
    await this.finish(state, rangeEnd);
  }

  private lastCheckpointSize(): number {
    return this.checkpoints[this.checkpoints.length - 1]?.checkpoint.size ?? 0;
  }

  private async verifyRecord(read: ReadRecord, stream: RecordStream): Promise<void> {
    const position = this.position;
    const record = read.record;
    if (record === undefined) {
      this.fail(
        {
          kind: 'record-malformed',
          index: position,
          message: `the bytes at position ${position} (${read.frame.segment}) are not a JSON record`,
        },
        true,
      );
      return;
    }
    const claimed = record.log?.index;
    const eventId = typeof record.event?.id === 'string' ? record.event.id : undefined;
    if (record.log?.partition !== this.partition) {
      this.fail(
        {
          kind: 'record-inserted',
          index: position,
          ...(eventId === undefined ? {} : { eventId }),
          message: `the record at position ${position} (${read.frame.segment}) is of partition ${String(record.log?.partition)}`,
        },
        true,
      );
    }
    if (claimed !== position) await this.misplaced(position, claimed, eventId, read, stream);

    const leaf = hashLeaf(read.bytes);
    if (this.suspect === undefined && this.leaves !== undefined && position < this.leaves.size) {
      const stored = await this.storedLeaf(position);
      if (stored !== undefined && !bytesEqual(stored, leaf)) {
        const next = await stream.peek().catch(() => undefined);
        if (next?.claimed === position && bytesEqual(hashLeaf(next.bytes), stored)) {
          this.fail(
            {
              kind: 'record-inserted',
              index: position,
              ...(eventId === undefined ? {} : { eventId }),
              message: `an extra record claiming index ${position} precedes the genuine one (${read.frame.segment})`,
              expected: toHex(stored),
              actual: toHex(leaf),
            },
            true,
          );
        }
        this.suspect = {
          kind: 'record-modified',
          partition: this.partition,
          index: position,
          ...(eventId === undefined ? {} : { eventId }),
          message: `the archived record (${read.frame.segment}) hashes to ${toHex(leaf)}, the log recorded leaf ${toHex(stored)}`,
          expected: toHex(stored),
          actual: toHex(leaf),
        };
      }
    }

    this.frontier = appendLeaf(this.frontier, leaf);
    this.count++;
    this.bytes += read.bytes.length;
    this.position++;
    this.end = this.position;
    this.addToHotBucket(position, leaf, eventId);
    if (this.position % BUCKET_SIZE === 0) await this.compareHotBucket();
    await this.checkRootsAtPosition();
  }

  /** A record whose claimed index is not its position: an insertion, a removal or a reordering. */
  private async misplaced(
    position: number,
    claimed: unknown,
    eventId: string | undefined,
    read: ReadRecord,
    stream: RecordStream,
  ): Promise<void> {
    const base = { index: position, expected: String(position), actual: String(claimed) };
    if (typeof claimed !== 'number' || claimed < position) {
      this.fail(
        {
          kind: 'record-inserted',
          ...base,
          ...(eventId === undefined ? {} : { eventId }),
          message: `the record at position ${position} (${read.frame.segment}) claims index ${String(claimed)}, which an earlier record holds`,
        },
        true,
      );
    }
    // Does the record of this position come later? Then the order was changed; else it is gone.
    for (let ahead = await stream.next(); ahead !== undefined; ahead = await stream.next()) {
      if (ahead.claimed === position) {
        const aheadId = ahead.record?.event?.id;
        this.fail(
          {
            kind: 'record-out-of-order',
            ...base,
            ...(typeof aheadId === 'string' ? { eventId: aheadId } : {}),
            message: `position ${position} holds the record of index ${String(claimed)}; the record of index ${position} comes later (${ahead.frame.segment})`,
          },
          true,
        );
      }
    }
    // The event that is gone is named when the hot store still has its row.
    const row = (await this.source.hotRowsInRange?.(position, position + 1))?.get(position);
    this.fail(
      {
        kind: 'record-missing',
        ...base,
        ...(row === undefined ? {} : { eventId: row.eventId }),
        message: `no archived record holds index ${position}; the next one (${read.frame.segment}) claims index ${String(claimed)}`,
      },
      true,
    );
  }

  private async storedLeaf(index: number): Promise<Uint8Array | undefined> {
    try {
      return await (this.leaves as LeafReader).leafAt(index);
    } catch (error) {
      this.fail(
        {
          kind: 'tile-mismatch',
          index,
          message: `the stored tree has no leaf ${index}: ${(error as Error).message}`,
        },
        false,
      );
      this.leaves = undefined;
      return undefined;
    }
  }

  /** Compares the rebuilt root with every verified checkpoint of the current size. */
  private async checkRootsAtPosition(): Promise<void> {
    for (
      let next = this.checkpoints[this.checkpointAt];
      next !== undefined && next.checkpoint.size === this.position;
      next = this.checkpoints[++this.checkpointAt]
    ) {
      this.compareRoot(next, rootOf(this.frontier), 'the archived records');
    }
  }

  private compareRoot(verified: VerifiedCheckpoint, root: Uint8Array, from: string): void {
    const { size, rootHash } = verified.checkpoint;
    if (!bytesEqual(root, rootHash)) {
      if (this.suspect !== undefined) {
        this.fail(
          {
            ...this.suspect,
            message: `${this.suspect.message}; the signed root of checkpoint ${size} confirms the original`,
          },
          true,
        );
      }
      this.fail(
        {
          kind: 'root-mismatch',
          index: this.lastMatchedSize,
          checkpointSize: size,
          message: `${from} of indexes ${this.lastMatchedSize}..${size - 1} do not give the signed root of checkpoint ${size}`,
          expected: toBase64(rootHash),
          actual: toBase64(root),
        },
        true,
      );
    }
    if (this.suspect !== undefined) {
      // The records give the signed root: the archive is right and the stored tree's leaf is not.
      this.fail(
        {
          ...this.suspect,
          kind: 'tile-mismatch',
          message: `the stored tree's leaf ${this.suspect.index} is ${this.suspect.expected}, but the archived record (${this.suspect.actual}) gives the signed root of checkpoint ${size}`,
        },
        false,
      );
      this.suspect = undefined;
      this.leaves = undefined;
    }
    this.lastMatchedSize = size;
  }

  private addToHotBucket(index: number, leaf: Buffer, eventId: string | undefined): void {
    const hot = this.options.hot;
    if (hot === undefined || !hot.has(this.partition, index)) return;
    this.bucketDigest = addDigest(this.bucketDigest, entryDigest(index, leaf));
    this.bucketCount++;
    this.bucketLeaves.set(index, { leaf, eventId });
  }

  /** At the end of a bucket: the archive's digest over the indexes with hot rows must be the hot store's. */
  private async compareHotBucket(): Promise<void> {
    const hot = this.options.hot;
    if (hot === undefined) return;
    const bucketIndex = Math.floor((this.position - 1) / BUCKET_SIZE);
    if (bucketIndex < 0) return;
    const expected = hot.bucket(this.partition, bucketIndex);
    const archived = { digest: this.bucketDigest, count: this.bucketCount };
    const leaves = new Map(this.bucketLeaves);
    this.bucketDigest = 0n;
    this.bucketCount = 0;
    this.bucketLeaves.clear();
    if (expected.digest === archived.digest && expected.count === archived.count) return;
    const begin = bucketIndex * BUCKET_SIZE;
    const rows = (await this.source.hotRowsInRange?.(begin, begin + BUCKET_SIZE)) ?? new Map();
    for (let index = begin; index < begin + BUCKET_SIZE; index++) {
      const row = rows.get(index);
      const archivedLeaf = leaves.get(index);
      if (row === undefined || archivedLeaf === undefined) continue;
      // Rows past the archive's end are reported once the whole archive is read (finish).
      const rowLeaf = hashLeaf(row.bytes);
      if (!bytesEqual(rowLeaf, archivedLeaf.leaf)) {
        this.fail(
          {
            kind: 'hot-store-mismatch',
            index,
            eventId: row.eventId,
            message: `the hot-store row of index ${index} holds a record hashing to ${toHex(rowLeaf)}, the archive's hashes to ${toHex(archivedLeaf.leaf)}`,
            expected: toHex(archivedLeaf.leaf),
            actual: toHex(rowLeaf),
          },
          false,
        );
        return;
      }
    }
    if ([...rows.keys()].some((index) => index >= this.position)) return;
    this.fail(
      {
        kind: 'hot-store-mismatch',
        index: begin,
        message: `the hot-store rows of indexes ${begin}..${begin + BUCKET_SIZE - 1} do not match the archive (${expected.count} rows, ${archived.count} archived records with rows)`,
      },
      false,
    );
  }

  /** After the last record: what the log says should exist beyond it. */
  private async finish(
    state: LogStateView | undefined,
    rangeEnd: number | undefined,
  ): Promise<void> {
    const pending = this.checkpoints[this.checkpointAt];
    if (pending !== undefined) {
      const tail = rangeEnd === this.position ? await this.source.tail?.() : undefined;
      if (tail !== undefined && tail.size === pending.checkpoint.size) {
        let frontier = this.frontier;
        for (const node of tail.nodes) frontier = appendSubtree(frontier, node.level, node.hash);
        this.compareRoot(
          pending,
          rootOf(frontier),
          'the exported records and the tree nodes after them',
        );
        this.checkpointAt++;
      } else if (rangeEnd === undefined) {
        this.fail(
          {
            kind: 'record-missing',
            index: this.position,
            checkpointSize: pending.checkpoint.size,
            message: `checkpoint ${pending.checkpoint.size} covers ${pending.checkpoint.size} records; the archive ends at index ${this.position}`,
          },
          true,
        );
      }
    }
    if (this.suspect !== undefined) {
      this.fail(
        { ...this.suspect, message: `${this.suspect.message}; no signed checkpoint covers it yet` },
        true,
      );
    }
    if (rangeEnd !== undefined && this.position < rangeEnd) {
      this.fail(
        {
          kind: 'record-missing',
          index: this.position,
          message: `the export holds indexes up to ${rangeEnd - 1}; its records end at index ${this.position}`,
        },
        true,
      );
    }
    if (state !== undefined) {
      if (this.position < state.nextIndex) {
        this.fail(
          {
            kind: 'record-missing',
            index: this.position,
            message: `the log state counts ${state.nextIndex} records; the archive ends at index ${this.position}`,
          },
          true,
        );
      }
      if (
        this.stateRoot !== undefined &&
        (state.root === undefined || !bytesEqual(this.stateRoot, state.root))
      ) {
        this.fail(
          {
            kind: 'state-mismatch',
            index: state.nextIndex,
            message:
              state.root === undefined
                ? `the log state's frontier does not parse`
                : `the log state's frontier is not the tree of the first ${state.nextIndex} archived records`,
            expected: toBase64(this.stateRoot),
            ...(state.root === undefined ? {} : { actual: toBase64(state.root) }),
          },
          false,
        );
      }
      const orphan = this.options.hot?.firstIndexFrom(this.partition, this.position);
      if (orphan !== undefined && orphan < state.nextIndex) {
        this.fail(
          {
            kind: 'hot-store-mismatch',
            index: orphan,
            message: `the hot store has a row for index ${orphan}, which no archived record holds`,
          },
          false,
        );
      }
    }
  }
}

function safeDecode(bytes: Uint8Array): AuditRecord | undefined {
  try {
    return decodeRecord(bytes);
  } catch {
    return undefined;
  }
}
