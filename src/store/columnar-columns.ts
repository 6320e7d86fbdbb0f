import { ByteReader, ByteWriter, ColumnarFormatError, varintSize, zigzag } from './columnar-bytes';
import {
  HMAC_SHA256,
  packHex,
  parseInt15,
  parseTime,
  QUOTE,
  TIME_LENGTH,
  TRACEPARENT,
  UUID,
  type HexTemplate,
} from './columnar-patterns';

/**
 * Column encodings of the columnar frame, and the builder that picks one per column. A column holds the
 * scalar values of one key path, each an exact JSON token (strings with their quotes). A typed encoding
 * is chosen only when EVERY value of the column matches its pattern (columnar-patterns.ts).
 *
 * Other columns are text. A text value is the content of a string token, or, for any other token and for
 * a string whose content starts with VERBATIM (0x01), that byte and then the whole token; each value is
 * followed by 0x00, which no token holds (the frame only admits records without 0x00). So a text column
 * takes whatever values come, and is written as they come, in one pass.
 *
 * A dictionary column stores each distinct value once: a varint code per value says 0 for a value seen
 * for the first time (its encoding follows in the column's data, in order), or k for the value that was
 * the k-th most recently added distinct value. Repeated session ids, hashed arguments and statements then
 * cost a byte or two instead of a back-reference the compressor must find.
 */
export enum ColumnKind {
  /** Text values in the column's own data. */
  Text = 0,
  /**
   * Text values in the frame's shared stream, interleaved in record order with the other SharedText
   * columns' values; always with a dictionary.
   */
  SharedText = 1,
  IntPlain = 2,
  IntDelta = 3,
  TimeDelta = 4,
  /** Parameter: bytes per value. */
  HexFixed = 5,
  HexVariable = 6,
  Uuid = 7,
  /** A UUID whose first 48 bits (a UUIDv7's millisecond clock) are stored as a delta from the previous. */
  UuidDelta = 8,
  Traceparent = 9,
  HmacSha256 = 10,
}

const LAST_KIND = ColumnKind.HmacSha256;
const DICTIONARY_FLAG = 0x80;
/** Marks a text value stored as its whole token. */
export const VERBATIM = 0x01;

/** A hex column uses a dictionary when at least this share of its values repeat an earlier one. */
const DICTIONARY_MIN_REPEAT_SHARE = 1 / 8;
/** UuidDelta is used when the clock deltas average at most this many varint bytes (of the 6 they replace). */
const UUID_DELTA_MAX_MEAN_BYTES = 3;
/** Bytes of a UUID after its 48-bit clock. */
export const UUID_TAIL_BYTES = 10;

export interface ColumnPlan {
  kind: ColumnKind;
  /** HexFixed only: bytes per value. */
  hexBytes: number;
  dictionary: boolean;
}

/** The template of a fixed-width hex kind, or undefined for other kinds. */
export function templateOf(plan: ColumnPlan): HexTemplate | undefined {
  switch (plan.kind) {
    case ColumnKind.Uuid:
    case ColumnKind.UuidDelta:
      return UUID;
    case ColumnKind.Traceparent:
      return TRACEPARENT;
    case ColumnKind.HmacSha256:
      return HMAC_SHA256;
    default:
      return undefined;
  }
}

/** Column descriptor: kind byte (| 0x80 for a dictionary), [HexFixed: varint bytes per value]. */
export function writePlan(plan: ColumnPlan, out: ByteWriter): void {
  out.byte(plan.kind | (plan.dictionary ? DICTIONARY_FLAG : 0));
  if (plan.kind === ColumnKind.HexFixed) out.varint(plan.hexBytes);
}

export function readPlan(reader: ByteReader): ColumnPlan {
  const at = reader.at;
  const byte = reader.byte();
  const kind = byte & ~DICTIONARY_FLAG;
  const dictionary = (byte & DICTIONARY_FLAG) !== 0;
  if (kind > LAST_KIND) throw new ColumnarFormatError(`unknown column kind ${kind}`, at);
  const hexBytes = kind === ColumnKind.HexFixed ? reader.varint() : 0;
  if (kind === ColumnKind.HexFixed && hexBytes === 0)
    throw new ColumnarFormatError('hex column of zero-byte values', at);
  if (dictionary && !hasDictionaryForm(kind))
    throw new ColumnarFormatError(`column kind ${kind} has no dictionary form`, at);
  return { kind, hexBytes, dictionary };
}

function hasDictionaryForm(kind: ColumnKind): boolean {
  return (
    kind === ColumnKind.SharedText ||
    kind === ColumnKind.HexFixed ||
    kind === ColumnKind.Uuid ||
    kind === ColumnKind.UuidDelta ||
    kind === ColumnKind.Traceparent ||
    kind === ColumnKind.HmacSha256
  );
}

/**
 * Every value of a frame, numbered in record then slot order: value v is [starts[v], ends[v]) of record
 * records[v].
 */
export class FrameValues {
  count = 0;
  records: Int32Array;
  starts: Int32Array;
  ends: Int32Array;

  constructor(readonly sources: readonly Buffer[]) {
    // Room for the few dozen values a record usually has; more grow the tables. The tables of the last
    // frame are reused (encoding is synchronous, so one frame is encoded at a time) unless they are big.
    const capacity = Math.max(1024, 48 * sources.length);
    const tables = spare.records.length >= capacity ? spare : keep(newTables(capacity));
    this.records = tables.records;
    this.starts = tables.starts;
    this.ends = tables.ends;
  }

  /** Appends `count` values of `record` whose spans are `spans[2k], spans[2k + 1]`; returns the first's number. */
  add(record: number, spans: Int32Array, count: number): number {
    const first = this.count;
    if (first + count > this.records.length) this.grow(first + count);
    for (let k = 0; k < count; k++) {
      this.records[first + k] = record;
      this.starts[first + k] = spans[2 * k] as number;
      this.ends[first + k] = spans[2 * k + 1] as number;
    }
    this.count += count;
    return first;
  }

  private grow(needed: number): void {
    let capacity = this.records.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = keep(newTables(capacity));
    next.records.set(this.records);
    next.starts.set(this.starts);
    next.ends.set(this.ends);
    this.records = next.records;
    this.starts = next.starts;
    this.ends = next.ends;
  }
}

interface ValueTables {
  records: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

function newTables(capacity: number): ValueTables {
  return {
    records: new Int32Array(capacity),
    starts: new Int32Array(capacity),
    ends: new Int32Array(capacity),
  };
}

/** Tables of more values than this (12 MiB) are not kept for the next frame. */
const MAX_SPARE_VALUES = 1 << 20;
let spare = newTables(0);

function keep(tables: ValueTables): ValueTables {
  if (tables.records.length <= MAX_SPARE_VALUES) spare = tables;
  return tables;
}

const TEXT_PLAN: ColumnPlan = { kind: ColumnKind.Text, hexBytes: 0, dictionary: false };
const SHARED_PLAN: ColumnPlan = { kind: ColumnKind.SharedText, hexBytes: 0, dictionary: true };

/**
 * One column of a frame being encoded: the numbers of its values in FrameValues, and once classified,
 * its plan and typed form. The first value decides which typed pattern to try (they exclude each other:
 * they differ in length or literals); the column is typed only if every value matches it.
 */
export class Column {
  /** Numbers of the column's values in FrameValues, in record then slot order. */
  readonly values: number[] = [];
  plan = TEXT_PLAN;
  /** Int values or epoch milliseconds, for Int and Time columns. */
  private numbers: number[] = [];
  /** Packed values, in order, for hex columns. */
  private packed: Buffer = Buffer.alloc(0);
  /** Per value, its dictionary code, when the plan uses a dictionary. */
  private codes: number[] = [];
  /** Distinct values of a SharedText column. */
  private dictionary: Dictionary | undefined;

  /** Precondition: at least one value. */
  classify(frame: FrameValues): void {
    const first = this.values[0] as number;
    const text = frame.sources[frame.records[first] as number] as Buffer;
    const start = frame.starts[first] as number;
    const end = frame.ends[first] as number;
    const typed =
      text[start] === QUOTE
        ? this.classifyString(frame, text, start + 1, end - 1)
        : this.ints(frame);
    // Text columns of strings go to the shared stream, in record order, so related strings (a statement
    // and its fingerprint) sit side by side for the compressor, each behind a dictionary that turns the
    // many repeated names, statements and sources into one-byte codes. Measured on simulated traffic,
    // that is about a tenth smaller than columns of their own, for a little more work.
    if (typed !== undefined) this.plan = typed;
    else if (text[start] === QUOTE) this.plan = SHARED_PLAN;
  }

  /** The typed plan the string content [start, end) of the first value points to, if all values match. */
  private classifyString(
    frame: FrameValues,
    text: Buffer,
    start: number,
    end: number,
  ): ColumnPlan | undefined {
    if (end - start === TIME_LENGTH && parseTime(text, start) !== undefined)
      return this.times(frame);
    for (const [template, kind] of TEMPLATE_KINDS) {
      const probe = new ByteWriter(template.bytes);
      if (template.matchAndPack(text, start, end, probe))
        return this.templated(frame, template, kind);
    }
    if (packHex(text, start, end, new ByteWriter(end - start))) return this.hex(frame);
    return undefined;
  }

  private ints(frame: FrameValues): ColumnPlan | undefined {
    const numbers: number[] = [];
    for (const v of this.values) {
      const value = parseInt15(
        frame.sources[frame.records[v] as number] as Buffer,
        frame.starts[v] as number,
        frame.ends[v] as number,
      );
      if (value === undefined) return undefined;
      numbers.push(value);
    }
    this.numbers = numbers;
    return plan(
      deltaSize(numbers) < plainSize(numbers) ? ColumnKind.IntDelta : ColumnKind.IntPlain,
    );
  }

  private times(frame: FrameValues): ColumnPlan | undefined {
    const numbers: number[] = [];
    for (const v of this.values) {
      const text = frame.sources[frame.records[v] as number] as Buffer;
      const start = frame.starts[v] as number;
      const ms =
        text[start] === QUOTE && (frame.ends[v] as number) - start - 2 === TIME_LENGTH
          ? parseTime(text, start + 1)
          : undefined;
      if (ms === undefined) return undefined;
      numbers.push(ms);
    }
    this.numbers = numbers;
    return plan(ColumnKind.TimeDelta);
  }

  private templated(
    frame: FrameValues,
    template: HexTemplate,
    kind: ColumnKind,
  ): ColumnPlan | undefined {
    const packed = new ByteWriter(this.values.length * template.bytes);
    for (const v of this.values) {
      const text = frame.sources[frame.records[v] as number] as Buffer;
      const start = frame.starts[v] as number;
      const end = frame.ends[v] as number;
      // Each value must be a string token: a number's digits would pass for hex once "unquoted".
      if (text[start] !== QUOTE || !template.matchAndPack(text, start + 1, end - 1, packed))
        return undefined;
    }
    this.packed = packed.finish();
    const dictionary = this.fixedWidthDictionary(template.bytes);
    const clockDeltas = kind === ColumnKind.Uuid ? this.uuidClockDeltaSize() : Infinity;
    if (clockDeltas <= UUID_DELTA_MAX_MEAN_BYTES * this.literalCount())
      return plan(ColumnKind.UuidDelta, 0, dictionary);
    return plan(kind, 0, dictionary);
  }

  private hex(frame: FrameValues): ColumnPlan | undefined {
    const packed = new ByteWriter(256);
    let minLength = Number.MAX_SAFE_INTEGER;
    let maxLength = 0;
    for (const v of this.values) {
      const text = frame.sources[frame.records[v] as number] as Buffer;
      const start = (frame.starts[v] as number) + 1;
      const end = (frame.ends[v] as number) - 1;
      // Each value must be a string token: a number's digits would pass for hex once "unquoted".
      if (text[start - 1] !== QUOTE || !packHex(text, start, end, packed)) return undefined;
      minLength = Math.min(minLength, end - start);
      maxLength = Math.max(maxLength, end - start);
    }
    this.packed = packed.finish();
    if (minLength !== maxLength) return plan(ColumnKind.HexVariable);
    return plan(ColumnKind.HexFixed, minLength / 2, this.fixedWidthDictionary(minLength / 2));
  }

  /** Computes dictionary codes over the packed values; keeps them when they pay. */
  private fixedWidthDictionary(width: number): boolean {
    const dictionary = new Dictionary();
    const codes: number[] = [];
    for (let i = 0; i < this.values.length; i++)
      codes.push(dictionary.code(this.packed, i * width, (i + 1) * width));
    if (this.values.length - dictionary.size < this.values.length * DICTIONARY_MIN_REPEAT_SHARE)
      return false;
    this.codes = codes;
    return true;
  }

  /** Values stored in the column's data: the distinct ones under a dictionary, else all. */
  private literalCount(): number {
    let count = 0;
    for (let i = 0; i < this.values.length; i++) if (this.isLiteral(i)) count++;
    return count;
  }

  private isLiteral(i: number): boolean {
    return this.codes.length === 0 || this.codes[i] === 0;
  }

  private uuidClockDeltaSize(): number {
    let size = 0;
    let previous = 0;
    for (let i = 0; i < this.values.length; i++) {
      if (!this.isLiteral(i)) continue;
      const clock = this.packed.readUIntBE(i * UUID.bytes, 6);
      size += varintSize(zigzag(clock - previous));
      previous = clock;
    }
    return size;
  }

  /**
   * For SharedText columns, in record then slot order across all of them: codes value v and writes it to
   * the shared stream if new.
   */
  addShared(frame: FrameValues, v: number, shared: ByteWriter): void {
    const text = frame.sources[frame.records[v] as number] as Buffer;
    const start = frame.starts[v] as number;
    const end = frame.ends[v] as number;
    this.dictionary ??= new Dictionary();
    const code = this.dictionary.code(text, start, end);
    this.codes.push(code);
    if (code === 0) writeText(shared, text, start, end);
  }

  /**
   * Writes the column's data region: dictionary codes (if any), then the values (SharedText values are in
   * the shared stream). Returns the length of the codes part.
   */
  write(frame: FrameValues, out: ByteWriter): number {
    const plan = this.plan;
    const codesStart = out.length;
    if (plan.dictionary) for (const code of this.codes) out.varint(code);
    const codesLength = out.length - codesStart;
    const packed = this.packed;
    switch (plan.kind) {
      case ColumnKind.Text:
        for (const v of this.values)
          writeText(
            out,
            frame.sources[frame.records[v] as number] as Buffer,
            frame.starts[v] as number,
            frame.ends[v] as number,
          );
        break;
      case ColumnKind.SharedText:
        break;
      case ColumnKind.IntPlain:
        for (const value of this.numbers) out.varint(zigzag(value));
        break;
      case ColumnKind.IntDelta:
      case ColumnKind.TimeDelta: {
        let previous = 0;
        for (const value of this.numbers) {
          out.varint(zigzag(value - previous));
          previous = value;
        }
        break;
      }
      case ColumnKind.HexVariable: {
        let at = 0;
        for (const v of this.values) {
          const bytes = ((frame.ends[v] as number) - (frame.starts[v] as number) - 2) / 2;
          out.varint(bytes);
          out.bytes(packed, at, at + bytes);
          at += bytes;
        }
        break;
      }
      case ColumnKind.UuidDelta: {
        let previous = 0;
        for (let i = 0; i < this.values.length; i++) {
          if (!this.isLiteral(i)) continue;
          const at = i * UUID.bytes;
          const clock = packed.readUIntBE(at, 6);
          out.varint(zigzag(clock - previous));
          previous = clock;
          out.bytes(packed, at + 6, at + UUID.bytes);
        }
        break;
      }
      case ColumnKind.HexFixed:
      case ColumnKind.Uuid:
      case ColumnKind.Traceparent:
      case ColumnKind.HmacSha256: {
        const width = templateOf(plan)?.bytes ?? plan.hexBytes;
        if (!plan.dictionary) {
          out.bytes(packed);
          break;
        }
        for (let i = 0; i < this.values.length; i++)
          if (this.isLiteral(i)) out.bytes(packed, i * width, (i + 1) * width);
        break;
      }
    }
    return codesLength;
  }
}

const TEMPLATE_KINDS: readonly (readonly [HexTemplate, ColumnKind])[] = [
  [UUID, ColumnKind.Uuid],
  [TRACEPARENT, ColumnKind.Traceparent],
  [HMAC_SHA256, ColumnKind.HmacSha256],
];

function plan(kind: ColumnKind, hexBytes = 0, dictionary = false): ColumnPlan {
  return { kind, hexBytes, dictionary };
}

/** Appends one value [start, end) of `text` in the text encoding. */
function writeText(out: ByteWriter, text: Uint8Array, start: number, end: number): void {
  if (text[start] === QUOTE && text[start + 1] !== VERBATIM) {
    out.terminated(text, start + 1, end - 1);
  } else {
    out.byte(VERBATIM);
    out.terminated(text, start, end);
  }
}

const HASHED_BYTES = 16;

/** Distinct byte strings in order of first appearance, found again by an FNV-1a hash and a byte compare. */
class Dictionary {
  /** Hash -> ordinal of the first distinct value with that hash; `sameHash` chains the others. */
  private readonly firstByHash = new Map<number, number>();
  private readonly sameHash: number[] = [];
  private readonly sources: Uint8Array[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Ordinal of the value coded last, or -1. */
  private last = -1;

  get size(): number {
    return this.sources.length;
  }

  /** The dictionary code of [start, end) of `source`: 0 if new (and adds it), else k for the k-th newest. */
  code(source: Uint8Array, start: number, end: number): number {
    // Columns often repeat their previous value (the same source, type or session): try it first.
    const last = this.last;
    if (last >= 0 && this.equals(last, source, start, end)) return this.size - last;
    // The hash reads the length and at most HASHED_BYTES at each end: the byte compare settles equality,
    // so the hash only has to keep chains short, and long values cost little to look up.
    let hash = Math.imul(0x811c9dc5 ^ (end - start), 0x01000193);
    const head = Math.min(end, start + HASHED_BYTES);
    for (let i = start; i < head; i++) hash = Math.imul(hash ^ (source[i] as number), 0x01000193);
    for (let i = Math.max(head, end - HASHED_BYTES); i < end; i++)
      hash = Math.imul(hash ^ (source[i] as number), 0x01000193);
    const first = this.firstByHash.get(hash);
    for (let ordinal = first ?? -1; ordinal >= 0; ordinal = this.sameHash[ordinal] as number)
      if (this.equals(ordinal, source, start, end)) {
        this.last = ordinal;
        return this.size - ordinal;
      }
    const ordinal = this.size;
    this.last = ordinal;
    this.sameHash.push(first ?? -1);
    this.firstByHash.set(hash, ordinal);
    this.sources.push(source);
    this.starts.push(start);
    this.ends.push(end);
    return 0;
  }

  private equals(ordinal: number, source: Uint8Array, start: number, end: number): boolean {
    const other = this.sources[ordinal] as Uint8Array;
    const otherStart = this.starts[ordinal] as number;
    if ((this.ends[ordinal] as number) - otherStart !== end - start) return false;
    for (let k = 0; k < end - start; k++)
      if (other[otherStart + k] !== source[start + k]) return false;
    return true;
  }
}

function plainSize(values: readonly number[]): number {
  let size = 0;
  for (const value of values) size += varintSize(zigzag(value));
  return size;
}

function deltaSize(values: readonly number[]): number {
  let size = 0;
  let previous = 0;
  for (const value of values) {
    size += varintSize(zigzag(value - previous));
    previous = value;
  }
  return size;
}
