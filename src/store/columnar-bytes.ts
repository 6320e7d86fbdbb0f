/**
 * Byte-level building blocks of the columnar frame payload: a growable writer and a bounds-checked reader,
 * both with unsigned LEB128 varints. Varints carry integers up to Number.MAX_SAFE_INTEGER (2^53 - 1) using
 * arithmetic rather than 32-bit bitwise operators, which would silently truncate larger values.
 */

/**
 * A malformed columnar payload. `position` is the byte offset within the decompressed payload where the
 * fault was found, when one byte can be blamed.
 */
export class ColumnarFormatError extends Error {
  constructor(
    readonly detail: string,
    readonly position?: number,
  ) {
    super(position === undefined ? detail : `${detail} (payload byte ${position})`);
    this.name = 'ColumnarFormatError';
  }
}

export class ByteWriter {
  /** Valid up to `length`; replaced when it grows, so read it again after every reserve/claim. */
  buffer: Buffer;
  length = 0;

  constructor(initialCapacity = 4096) {
    this.buffer = Buffer.allocUnsafe(Math.max(16, Math.ceil(initialCapacity)));
  }

  /** Makes room for `extra` more bytes. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = Buffer.allocUnsafe(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  /** Reserves the next `length` bytes for the caller to fill, and returns where they start. */
  claim(length: number): number {
    this.reserve(length);
    const at = this.length;
    this.length += length;
    return at;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** Precondition: 0 <= value <= Number.MAX_SAFE_INTEGER and value is an integer. */
  varint(value: number): void {
    this.reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32BE(value, this.length);
    this.length += 4;
  }

  bytes(source: Uint8Array, start = 0, end = source.length): void {
    const length = end - start;
    this.reserve(length);
    this.copyIn(source, start, end);
  }

  /** Appends [start, end) of `source` and then a 0x00 byte, the terminator of text values. */
  terminated(source: Uint8Array, start: number, end: number): void {
    this.reserve(end - start + 1);
    this.copyIn(source, start, end);
    this.buffer[this.length++] = 0;
  }

  /** Precondition: room was reserved. */
  private copyIn(source: Uint8Array, start: number, end: number): void {
    const target = this.buffer;
    let at = this.length;
    // Most values are a few bytes long; a loop beats the fixed cost of a native copy for those.
    if (end - start < 64) for (let i = start; i < end; i++) target[at++] = source[i] as number;
    else target.set(source.subarray(start, end), at);
    this.length += end - start;
  }

  /** The written bytes; the writer must not be used afterwards (the view shares its memory). */
  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** Size in bytes of `value` as a varint (same precondition as ByteWriter.varint). */
export function varintSize(value: number): number {
  let size = 1;
  let rest = value;
  while (rest >= 0x80) {
    rest = Math.floor(rest / 0x80);
    size++;
  }
  return size;
}

/** Maps signed integers to unsigned ones, small magnitudes first: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ... */
export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** Reads within [start, end) of a buffer; every read past `end` throws ColumnarFormatError. */
export class ByteReader {
  constructor(
    readonly buffer: Buffer,
    public at: number,
    readonly end: number,
  ) {}

  get remaining(): number {
    return this.end - this.at;
  }

  byte(): number {
    if (this.at >= this.end) throw new ColumnarFormatError('unexpected end of data', this.at);
    return this.buffer[this.at++] as number;
  }

  varint(): number {
    const start = this.at;
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      // Eight groups of seven bits already reach 2^56: anything longer is not a value we wrote.
      if (scale > 2 ** 49) throw new ColumnarFormatError('varint longer than 8 bytes', start);
    }
    if (value > Number.MAX_SAFE_INTEGER)
      throw new ColumnarFormatError(`varint ${value} exceeds 2^53 - 1`, start);
    return value;
  }

  u32(): number {
    if (this.remaining < 4) throw new ColumnarFormatError('unexpected end of data', this.at);
    const value = this.buffer.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  /** Skips `length` bytes and returns where they start. */
  skip(length: number): number {
    if (length > this.remaining)
      throw new ColumnarFormatError(`${length} bytes announced, ${this.remaining} remain`, this.at);
    const start = this.at;
    this.at += length;
    return start;
  }
}
