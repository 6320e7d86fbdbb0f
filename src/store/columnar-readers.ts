import { ByteReader, ColumnarFormatError, unzigzag } from './columnar-bytes';
import {
  ColumnKind,
  templateOf,
  UUID_TAIL_BYTES,
  VERBATIM,
  type ColumnPlan,
} from './columnar-columns';
import {
  MAX_INT,
  MAX_TIME,
  MIN_TIME,
  printedIntLength,
  printHex,
  printInt,
  printTime,
  QUOTE,
  TIME_LENGTH,
  UUID,
  type HexTemplate,
} from './columnar-patterns';

/**
 * Where decoded records are written, never past `limit` bytes (the size the frame header announces). It
 * grows on demand rather than trusting that size up front, so a damaged header cannot make it allocate
 * gigabytes.
 */
export class RecordOutput {
  at = 0;
  /** Replaced as it grows: read it after claim(), never before. */
  buffer: Buffer;

  constructor(
    readonly limit: number,
    initialCapacity: number,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.max(0, Math.min(limit, initialCapacity)));
  }

  /** Reserves the next `length` bytes and returns where they start. */
  claim(length: number): number {
    const start = this.at;
    const end = start + length;
    if (end > this.limit)
      throw new ColumnarFormatError(
        `records exceed the ${this.limit} bytes the frame header announces`,
      );
    if (end > this.buffer.length) {
      const next = Buffer.allocUnsafe(Math.min(this.limit, Math.max(end, this.buffer.length * 2)));
      this.buffer.copy(next, 0, 0, start);
      this.buffer = next;
    }
    this.at = end;
    return start;
  }

  copy(source: Uint8Array, start: number, end: number): void {
    const at = this.claim(end - start);
    copyBytes(source, start, end, this.buffer, at);
  }

  /** Appends a copy of bytes already written, [start, end) with end <= at. */
  repeat(start: number, end: number): void {
    const at = this.claim(end - start);
    copyBytes(this.buffer, start, end, this.buffer, at);
  }

  byte(value: number): void {
    const at = this.claim(1);
    this.buffer[at] = value;
  }

  /** The bytes written so far. */
  result(): Buffer {
    return this.buffer.subarray(0, this.at);
  }
}

/**
 * Copies [start, end) of `source` to `target` at `at`. Precondition: the ranges do not overlap. Most
 * pieces are a few bytes long; a loop beats the fixed cost of a native copy for those.
 */
function copyBytes(
  source: Uint8Array,
  start: number,
  end: number,
  target: Buffer,
  at: number,
): void {
  if (end - start < 64) {
    for (let i = start, to = at; i < end; i++, to++) target[to] = source[i] as number;
  } else {
    target.set(source.subarray(start, end), at);
  }
}

/** Reads one column's values back, in order, writing each as its exact JSON token. */
export interface ColumnReader {
  next(out: RecordOutput): void;
  /** Throws unless every byte of the column's data was consumed. */
  finish(): void;
}

/**
 * The reader of a column whose values are in `values`; for a dictionary column, `codes` holds its codes.
 * SharedText columns read their values from `shared`, the shared stream.
 */
export function columnReader(
  plan: ColumnPlan,
  values: ByteReader,
  codes: ByteReader | undefined,
  shared: ColumnReader,
): ColumnReader {
  const inner = plainReader(plan, values, shared);
  return codes === undefined ? inner : new DictionaryReader(codes, inner);
}

/** The reader of text values: a Text column's, or the shared stream's. */
export function textReader(data: ByteReader): ColumnReader {
  return new TextReader(data);
}

function plainReader(plan: ColumnPlan, data: ByteReader, shared: ColumnReader): ColumnReader {
  switch (plan.kind) {
    case ColumnKind.Text:
      return new TextReader(data);
    case ColumnKind.SharedText:
      return shared;
    case ColumnKind.IntPlain:
    case ColumnKind.IntDelta:
      return new IntReader(data, plan.kind === ColumnKind.IntDelta);
    case ColumnKind.TimeDelta:
      return new TimeReader(data);
    case ColumnKind.HexVariable:
      return new HexVariableReader(data);
    case ColumnKind.UuidDelta:
      return new UuidDeltaReader(data);
    case ColumnKind.HexFixed:
      return new HexFixedReader(data, plan.hexBytes);
    case ColumnKind.Uuid:
    case ColumnKind.Traceparent:
    case ColumnKind.HmacSha256:
      return new TemplateReader(data, templateOf(plan) as HexTemplate);
  }
}

function finishRegion(data: ByteReader): void {
  if (data.remaining !== 0)
    throw new ColumnarFormatError(`${data.remaining} bytes of column data left unread`, data.at);
}

class TextReader implements ColumnReader {
  constructor(private readonly data: ByteReader) {}

  next(out: RecordOutput): void {
    const { buffer, at, end } = this.data;
    let stop = at;
    while (stop < end && buffer[stop] !== 0) stop++;
    if (stop >= end) throw new ColumnarFormatError('text value runs past its column', at);
    if (stop > at && buffer[at] === VERBATIM) {
      out.copy(buffer, at + 1, stop);
    } else {
      const to = out.claim(stop - at + 2);
      const target = out.buffer;
      target[to] = QUOTE;
      copyBytes(buffer, at, stop, target, to + 1);
      target[to + 1 + stop - at] = QUOTE;
    }
    this.data.at = stop + 1;
  }

  finish(): void {
    finishRegion(this.data);
  }
}

class IntReader implements ColumnReader {
  private previous = 0;

  constructor(
    private readonly data: ByteReader,
    private readonly delta: boolean,
  ) {}

  next(out: RecordOutput): void {
    const at = this.data.at;
    const stored = unzigzag(this.data.varint());
    const value = this.delta ? this.previous + stored : stored;
    if (!(Math.abs(value) <= MAX_INT))
      throw new ColumnarFormatError(`integer ${value} outside the 15-digit range`, at);
    this.previous = value;
    const to = out.claim(printedIntLength(value));
    printInt(value, out.buffer, to);
  }

  finish(): void {
    finishRegion(this.data);
  }
}

class TimeReader implements ColumnReader {
  private previous = 0;

  constructor(private readonly data: ByteReader) {}

  next(out: RecordOutput): void {
    const at = this.data.at;
    const value = this.previous + unzigzag(this.data.varint());
    if (!(value >= MIN_TIME && value <= MAX_TIME))
      throw new ColumnarFormatError(`timestamp ${value} ms outside years 0000-9999`, at);
    this.previous = value;
    const to = out.claim(TIME_LENGTH + 2);
    out.buffer[to] = QUOTE;
    printTime(value, out.buffer, to + 1);
    out.buffer[to + TIME_LENGTH + 1] = QUOTE;
  }

  finish(): void {
    finishRegion(this.data);
  }
}

class TemplateReader implements ColumnReader {
  constructor(
    private readonly data: ByteReader,
    private readonly template: HexTemplate,
  ) {}

  next(out: RecordOutput): void {
    const from = this.data.skip(this.template.bytes);
    const at = out.claim(this.template.token.length);
    this.template.print(this.data.buffer, from, out.buffer, at);
  }

  finish(): void {
    finishRegion(this.data);
  }
}

class HexFixedReader implements ColumnReader {
  constructor(
    private readonly data: ByteReader,
    private readonly bytes: number,
  ) {}

  next(out: RecordOutput): void {
    printQuotedHex(this.data, this.bytes, out);
  }

  finish(): void {
    finishRegion(this.data);
  }
}

class HexVariableReader implements ColumnReader {
  constructor(private readonly data: ByteReader) {}

  next(out: RecordOutput): void {
    const at = this.data.at;
    const bytes = this.data.varint();
    if (bytes === 0) throw new ColumnarFormatError('hex value of 0 bytes', at);
    printQuotedHex(this.data, bytes, out);
  }

  finish(): void {
    finishRegion(this.data);
  }
}

function printQuotedHex(data: ByteReader, bytes: number, out: RecordOutput): void {
  const from = data.skip(bytes);
  const at = out.claim(2 + 2 * bytes);
  const buffer = out.buffer;
  buffer[at] = QUOTE;
  printHex(data.buffer, from, bytes, buffer, at + 1);
  buffer[at + 1 + 2 * bytes] = QUOTE;
}

class UuidDeltaReader implements ColumnReader {
  private previous = 0;
  private readonly value = Buffer.alloc(UUID.bytes);

  constructor(private readonly data: ByteReader) {}

  next(out: RecordOutput): void {
    const at = this.data.at;
    const clock = this.previous + unzigzag(this.data.varint());
    if (!(clock >= 0 && clock < 2 ** 48))
      throw new ColumnarFormatError(`UUID clock ${clock} outside 48 bits`, at);
    this.previous = clock;
    this.value.writeUIntBE(clock, 0, 6);
    const tail = this.data.skip(UUID_TAIL_BYTES);
    copyBytes(this.data.buffer, tail, tail + UUID_TAIL_BYTES, this.value, 6);
    const to = out.claim(UUID.token.length);
    UUID.print(this.value, 0, out.buffer, to);
  }

  finish(): void {
    finishRegion(this.data);
  }
}

/** Repeats earlier distinct values by code; code 0 reads a new value from the inner reader. */
class DictionaryReader implements ColumnReader {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(
    private readonly codes: ByteReader,
    private readonly inner: ColumnReader,
  ) {}

  next(out: RecordOutput): void {
    const at = this.codes.at;
    const code = this.codes.varint();
    if (code === 0) {
      this.starts.push(out.at);
      this.inner.next(out);
      this.ends.push(out.at);
      return;
    }
    const index = this.starts.length - code;
    if (index < 0)
      throw new ColumnarFormatError(
        `dictionary code ${code} but only ${this.starts.length} distinct values so far`,
        at,
      );
    out.repeat(this.starts[index] as number, this.ends[index] as number);
  }

  finish(): void {
    finishRegion(this.codes);
    this.inner.finish();
  }
}
