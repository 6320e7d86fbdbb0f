import { SpoolCorruptError } from './errors';
import { readAt, type SpoolFile } from './file';
import {
  chainHash,
  checksumMatches,
  DATA_START,
  decodePayload,
  decodeSlot,
  genesisHash,
  MAX_PAYLOAD_BYTES,
  RECORD_OVERHEAD,
  SLOT_SIZE,
  type SpoolHead,
} from './format';

/** One record read back from the file and checked against its checksum and the chain. */
export type RecordRead =
  | { kind: 'ok'; payload: Buffer; hash: Buffer; size: number }
  | { kind: 'incomplete' }
  | { kind: 'bad-length'; length: number }
  | { kind: 'bad-checksum' }
  | { kind: 'bad-chain' };

/** Reads the record at `position`, which must end by `limit`, continuing the chain from `previous`. */
export async function readRecord(
  file: SpoolFile,
  position: number,
  limit: number,
  previous: Buffer,
): Promise<RecordRead> {
  if (position + 8 > limit) return { kind: 'incomplete' };
  const header = await readAt(file, position, 8);
  if (header.length < 8) return { kind: 'incomplete' };
  const length = header.readUInt32BE(0);
  if (length < 3 || length > MAX_PAYLOAD_BYTES) return { kind: 'bad-length', length };
  const size = RECORD_OVERHEAD + length;
  if (position + size > limit) return { kind: 'incomplete' };
  const rest = await readAt(file, position + 8, length + 32);
  if (rest.length < length + 32) return { kind: 'incomplete' };
  const payload = rest.subarray(0, length);
  if (!checksumMatches(header, payload)) return { kind: 'bad-checksum' };
  const hash = chainHash(previous, header.subarray(0, 4), payload);
  if (!hash.equals(rest.subarray(length))) return { kind: 'bad-chain' };
  return { kind: 'ok', payload: Buffer.from(payload), hash, size };
}

/**
 * What scanning a spool found: the state to resume from and what recovery should repair, or `fresh`
 * when the file holds no header yet (new, or its creation was cut short before any record).
 */
export type SpoolScan = { fresh: true; discardedBytes: number } | VerifiedSpool;

export interface VerifiedSpool {
  fresh: false;
  /** The committed head, with complete records written after it (before a crash) adopted. */
  head: SpoolHead;
  /** Chain hash after the last acknowledged record. */
  ackedHash: Buffer;
  /** Complete, chained records found after the committed head. */
  adopted: number;
  /** Bytes after the last complete record: a write cut short. */
  discardedBytes: number;
  fileSize: number;
}

/**
 * Verifies a spool file from its header to its last byte.
 *
 * Every committed record must be complete, pass its checksum and continue the hash chain, and the
 * chain must end in the committed head hash; otherwise the spool is corrupt (a truncation below the
 * committed length, an edited, reordered, inserted or removed record, a damaged header) and
 * SpoolCorruptError says where. Past the committed head, complete chained records are adopted
 * (fsynced before a crash cut the header update short) and whatever follows the last of them is a
 * torn write, reported in `discardedBytes`.
 */
export async function scanSpool(file: SpoolFile, filePath: string): Promise<SpoolScan> {
  const { size } = await file.stat();
  const corrupt = (offset: number, index: number | undefined, reason: string): SpoolCorruptError =>
    new SpoolCorruptError(filePath, offset, index, reason);
  const slots = await readAt(file, 0, DATA_START);
  const a = decodeSlot(slots.subarray(0, SLOT_SIZE));
  const b = decodeSlot(slots.subarray(SLOT_SIZE, DATA_START));
  const valid = [a, b].filter((slot): slot is SpoolHead => typeof slot !== 'string');
  if (valid.length === 0) {
    // Records are written only after the header is durable, so a file no longer than the header
    // region without a valid slot is a creation cut short: nothing was ever committed to it.
    if (size <= DATA_START) {
      return { fresh: true, discardedBytes: size };
    }
    throw corrupt(
      0,
      undefined,
      `neither header slot is valid (slot A ${String(a)}; slot B ${String(b)})`,
    );
  }
  const committed = valid.reduce((x, y) => (y.generation > x.generation ? y : x));
  if (
    committed.ackedCount > committed.recordCount ||
    committed.ackedLength > committed.dataLength
  ) {
    throw corrupt(
      (committed.generation % 2) * SLOT_SIZE,
      undefined,
      `the header acknowledges ${committed.ackedCount} records (${committed.ackedLength} bytes) of ${committed.recordCount} (${committed.dataLength} bytes)`,
    );
  }

  let position = DATA_START;
  let hash = genesisHash(committed.nonce);
  let ackedHash = committed.ackedCount === 0 ? hash : Buffer.alloc(0);
  const committedEnd = DATA_START + committed.dataLength;
  for (let index = 0; index < committed.recordCount; index++) {
    const read = await readRecord(file, position, size, hash);
    if (read.kind !== 'ok') {
      throw corrupt(position, index, committedProblem(read, index, position, size, committed));
    }
    const payload = decodePayload(read.payload);
    if (typeof payload === 'string') {
      throw corrupt(position, index, `record ${index} has a malformed payload: ${payload}`);
    }
    hash = read.hash;
    position += read.size;
    if (index + 1 === committed.ackedCount) {
      if (position !== DATA_START + committed.ackedLength) {
        throw corrupt(
          position,
          index,
          `acknowledged records end at byte ${position}, the header says ${DATA_START + committed.ackedLength}`,
        );
      }
      ackedHash = hash;
    }
  }
  if (position !== committedEnd) {
    throw corrupt(
      position,
      undefined,
      `the committed records end at byte ${position}, the header says ${committedEnd}`,
    );
  }
  if (!hash.equals(committed.headHash)) {
    throw corrupt(
      position,
      undefined,
      `the hash chain does not end in the header's head hash (records were edited or replaced)`,
    );
  }

  let adopted = 0;
  let head = committed;
  while (position < size) {
    const read = await readRecord(file, position, size, hash);
    if (read.kind !== 'ok' || typeof decodePayload(read.payload) === 'string') break;
    hash = read.hash;
    position += read.size;
    adopted += 1;
    head = {
      ...head,
      recordCount: head.recordCount + 1,
      dataLength: position - DATA_START,
      headHash: hash,
    };
  }
  return {
    fresh: false,
    head,
    ackedHash,
    adopted,
    discardedBytes: size - position,
    fileSize: size,
  };
}

function committedProblem(
  read: Exclude<RecordRead, { kind: 'ok' }>,
  index: number,
  position: number,
  size: number,
  head: SpoolHead,
): string {
  const committedEnd = DATA_START + head.dataLength;
  switch (read.kind) {
    case 'incomplete':
      return position >= size
        ? `the file ends at byte ${size}, before record ${index}, but the header commits ${head.recordCount} records ending at byte ${committedEnd}: the spool was truncated`
        : `the file ends at byte ${size}, inside record ${index}, but the header commits ${head.recordCount} records ending at byte ${committedEnd}: the spool was truncated`;
    case 'bad-length':
      return `record ${index} declares an impossible payload length of ${read.length} bytes (damaged)`;
    case 'bad-checksum':
      return `record ${index} fails its checksum (damaged or edited)`;
    case 'bad-chain':
      return `record ${index} does not continue the hash chain (a record was edited, reordered, inserted or removed)`;
  }
}
