import {
  brotliCompressSync,
  brotliDecompressSync,
  deflateRawSync,
  inflateRawSync,
  constants as zlibConstants,
} from 'node:zlib';
import { ARCHIVE_DICTIONARY_V1 } from './archive-dictionary';
import { ColumnarFormatError } from './columnar-bytes';
import { decodeColumnar, encodeColumnar } from './columnar-frame';

/**
 * One archive segment is a block blob whose blocks are frames; each frame holds the canonical bytes of
 * consecutive records of one tenant, compressed on its own so a segment grows block by block without
 * rewriting what is already committed.
 *
 * Frame layout (big-endian):
 *   magic "MCA1" | codec u8 | record count u32 | first log index u64 | last log index u64
 *   | raw length u32 | payload length u32 | payload
 * Raw length is the size of the plain layout: for each record, a u32 length and the record's exact
 * canonical bytes. The payload of None, DeflateDictV1 and Brotli5 decompresses to that layout; the payload
 * of ColumnarBrotli decompresses to the columnar layout of columnar-frame.ts, which rebuilds the same
 * records (and is checked against the raw length).
 */
const MAGIC = Buffer.from('MCA1', 'ascii');
const HEADER_BYTES = 4 + 1 + 4 + 8 + 8 + 4 + 4;

export enum Codec {
  None = 0,
  /** Raw deflate primed with ARCHIVE_DICTIONARY_V1: small frames compress well from their first byte. */
  DeflateDictV1 = 1,
  /**
   * Brotli, quality 5, 4 MiB window: about a quarter smaller than deflate on frames of a few hundred
   * records, at a similar cost per byte.
   */
  Brotli5 = 2,
  /**
   * The records split into shapes and typed columns (columnar-frame.ts), then Brotli at a low quality
   * (COLUMNAR_BROTLI_PARAMS): about a quarter smaller than Brotli5 and cheaper to encode, since the
   * compressor gets a third of the bytes, already ordered like with like. The default for new frames.
   */
  ColumnarBrotli = 3,
}

const BROTLI_OPTIONS = {
  params: {
    [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
    [zlibConstants.BROTLI_PARAM_LGWIN]: 22,
    [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
  },
};

/**
 * Quality 2, chosen by measurement on simulated traffic (docs/storage.md): about 73 bytes per event in
 * frames of 400 records and 64 in frames of 1,000, against the archive's target of 84, for about a tenth
 * of Brotli5's compression time. Quality 1 is cheaper still but leaves less margin (76 and 66 bytes);
 * quality 3 and up cost more time than they save bytes. The window makes no difference at these sizes.
 */
const COLUMNAR_BROTLI_PARAMS = {
  [zlibConstants.BROTLI_PARAM_QUALITY]: 2,
  [zlibConstants.BROTLI_PARAM_LGWIN]: 22,
  [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_GENERIC,
};

export interface FrameRecord {
  logIndex: number;
  bytes: Uint8Array;
}

export class SegmentFormatError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(`segment frame at byte ${offset}: ${message}`);
    this.name = 'SegmentFormatError';
  }
}

const dictionary = Buffer.from(ARCHIVE_DICTIONARY_V1, 'utf8');

/** Precondition: records are non-empty and sorted by log index. */
export function encodeFrame(
  records: readonly FrameRecord[],
  codec: Codec = Codec.ColumnarBrotli,
): Buffer {
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined)
    throw new RangeError('a frame needs at least one record');
  let rawLength = 0;
  for (const record of records) rawLength += 4 + record.bytes.length;
  const payload =
    codec === Codec.ColumnarBrotli
      ? columnarPayload(records)
      : plainPayload(records, rawLength, codec);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt8(codec, 4);
  header.writeUInt32BE(records.length, 5);
  header.writeBigUInt64BE(BigInt(first.logIndex), 9);
  header.writeBigUInt64BE(BigInt(last.logIndex), 17);
  header.writeUInt32BE(rawLength, 25);
  header.writeUInt32BE(payload.length, 29);
  return Buffer.concat([header, payload]);
}

function columnarPayload(records: readonly FrameRecord[]): Buffer {
  const columnar = encodeColumnar(records.map((record) => record.bytes));
  return brotliCompressSync(columnar, {
    params: { ...COLUMNAR_BROTLI_PARAMS, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: columnar.length },
  });
}

function plainPayload(records: readonly FrameRecord[], rawLength: number, codec: Codec): Buffer {
  const raw = Buffer.allocUnsafe(rawLength);
  let at = 0;
  for (const record of records) {
    raw.writeUInt32BE(record.bytes.length, at);
    raw.set(record.bytes, at + 4);
    at += 4 + record.bytes.length;
  }
  switch (codec) {
    case Codec.Brotli5:
      return brotliCompressSync(raw, {
        params: { ...BROTLI_OPTIONS.params, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length },
      });
    case Codec.DeflateDictV1:
      return deflateRawSync(raw, { dictionary, level: 6, memLevel: 9 });
    default:
      return raw;
  }
}

export interface DecodedFrame {
  firstLogIndex: number;
  lastLogIndex: number;
  /** Record bytes in frame order; log indexes live inside the records themselves. */
  records: Buffer[];
  /** Byte offset of the frame within the segment, for error reports. */
  offset: number;
  encodedLength: number;
}

/** Decodes every frame of a segment, in order. Throws SegmentFormatError naming the byte offset. */
export function decodeSegment(segment: Uint8Array): DecodedFrame[] {
  const buffer = Buffer.from(segment.buffer, segment.byteOffset, segment.byteLength);
  const frames: DecodedFrame[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    frames.push(decodeFrameAt(buffer, offset));
    const last = frames[frames.length - 1] as DecodedFrame;
    offset += last.encodedLength;
  }
  return frames;
}

export function decodeFrameAt(buffer: Buffer, offset: number): DecodedFrame {
  if (buffer.length - offset < HEADER_BYTES)
    throw new SegmentFormatError(offset, 'truncated header');
  if (!buffer.subarray(offset, offset + 4).equals(MAGIC))
    throw new SegmentFormatError(offset, 'bad magic');
  const codec = buffer.readUInt8(offset + 4);
  const count = buffer.readUInt32BE(offset + 5);
  const firstLogIndex = Number(buffer.readBigUInt64BE(offset + 9));
  const lastLogIndex = Number(buffer.readBigUInt64BE(offset + 17));
  const rawLength = buffer.readUInt32BE(offset + 25);
  const payloadLength = buffer.readUInt32BE(offset + 29);
  const payloadStart = offset + HEADER_BYTES;
  if (buffer.length - payloadStart < payloadLength)
    throw new SegmentFormatError(offset, 'truncated payload');
  const payload = buffer.subarray(payloadStart, payloadStart + payloadLength);
  const frame = {
    firstLogIndex,
    lastLogIndex,
    offset,
    encodedLength: HEADER_BYTES + payloadLength,
  };
  if (codec === Codec.ColumnarBrotli)
    return { ...frame, records: columnarRecords(payload, count, rawLength, offset) };
  let raw: Buffer;
  if (codec === Codec.DeflateDictV1 || codec === Codec.Brotli5) {
    raw = decompress(payload, offset, (bytes) =>
      codec === Codec.Brotli5 ? brotliDecompressSync(bytes) : inflateRawSync(bytes, { dictionary }),
    );
  } else if (codec === Codec.None) {
    raw = payload;
  } else {
    throw new SegmentFormatError(offset, `unknown codec ${codec}`);
  }
  if (raw.length !== rawLength)
    throw new SegmentFormatError(offset, `raw length ${raw.length}, header says ${rawLength}`);
  const records: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (raw.length - at < 4) throw new SegmentFormatError(offset, `record ${i} truncated`);
    const length = raw.readUInt32BE(at);
    if (raw.length - at - 4 < length) throw new SegmentFormatError(offset, `record ${i} truncated`);
    records.push(raw.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (at !== raw.length)
    throw new SegmentFormatError(
      offset,
      `${raw.length - at} trailing bytes after ${count} records`,
    );
  return { ...frame, records };
}

function decompress(payload: Buffer, offset: number, inflate: (bytes: Buffer) => Buffer): Buffer {
  try {
    return inflate(payload);
  } catch (error) {
    throw new SegmentFormatError(
      offset,
      `payload does not decompress: ${(error as Error).message}`,
    );
  }
}

function columnarRecords(
  payload: Buffer,
  count: number,
  rawLength: number,
  offset: number,
): Buffer[] {
  if (rawLength < 4 * count)
    throw new SegmentFormatError(offset, `raw length ${rawLength} is less than 4 bytes per record`);
  const columnar = decompress(payload, offset, (bytes) => brotliDecompressSync(bytes));
  try {
    return decodeColumnar(columnar, count, rawLength - 4 * count);
  } catch (error) {
    if (error instanceof ColumnarFormatError)
      throw new SegmentFormatError(offset, `columnar payload: ${error.message}`);
    throw error;
  }
}

/** Block ids name the log-index range a frame covers; fixed width, as Put Block List requires. */
export function blockIdFor(firstLogIndex: number, lastLogIndex: number): string {
  return Buffer.from(
    `${String(firstLogIndex).padStart(16, '0')}-${String(lastLogIndex).padStart(16, '0')}`,
  ).toString('base64');
}

export function rangeOfBlockId(blockId: string): { first: number; last: number } | undefined {
  const text = Buffer.from(blockId, 'base64').toString('utf8');
  const match = /^(\d{16})-(\d{16})$/.exec(text);
  if (!match) return undefined;
  return { first: Number(match[1]), last: Number(match[2]) };
}
