import { crc32 } from 'node:zlib';
import { ByteReader, ByteWriter, ColumnarFormatError } from './columnar-bytes';
import {
  Column,
  ColumnKind,
  FrameValues,
  readPlan,
  writePlan,
  type ColumnPlan,
} from './columnar-columns';
import { JsonScanner } from './columnar-json';
import { columnReader, RecordOutput, textReader, type ColumnReader } from './columnar-readers';

/**
 * The columnar frame payload: the records of a frame taken apart into shapes and typed columns, so the
 * compressor sees like next to like (event ids together, timestamps as small deltas, hex as bytes,
 * repeated strings as one-byte codes) and has about a third of the bytes to work through.
 *
 * JsonScanner splits each record into a skeleton (keys, punctuation, whitespace, with 0x00 in place of each
 * scalar value) and its scalar values. Identical skeletons are stored once, as shapes; each slot of a shape
 * names the column of its key path, so values of one path share a column whatever shape they come from.
 * Columns are encoded as columnar-columns.ts describes. A record holding a 0x00 byte, or one the scanner
 * rejects (not JSON), is kept verbatim, so any bytes at all can be stored.
 *
 * Payload layout (varints are unsigned LEB128, u32 is big-endian):
 *   u32     crc32 of everything after it
 *   varint  column count; per column: kind byte (| 0x80 with a dictionary), [HexFixed: varint bytes per
 *           value], [dictionary: varint codes length], varint values length
 *   varint  shared stream length
 *   varint  shape count; per shape: varint skeleton length, skeleton bytes, varint slot count, one varint
 *           column index per slot
 *   per record: varint 0 for a verbatim record, else 1 + its shape index
 *   per column, in column order: its dictionary codes, then its values (SharedText values are in the
 *           shared stream instead)
 *   the shared stream: the new values of all SharedText columns, in record then slot order
 *   verbatim records: varint length and bytes each, in record order
 *
 * Why decoding is exact: a record is rebuilt as skeleton piece, value, skeleton piece, ..., and the scanner
 * cut it into exactly those pieces (the skeleton keeps every byte outside the value spans). Values never
 * hold 0x00, so 0x00 delimits both the slots and text values. Typed columns print back the exact token by
 * construction of their patterns, and a dictionary code repeats the bytes of an earlier value. Damage is
 * caught: the crc32 covers the payload, and the decoder checks every count, length and reference against
 * the data, that nothing is left over, and the total size the frame header announces, raising
 * ColumnarFormatError rather than yielding a different record.
 */

interface Shape {
  index: number;
  skeleton: Buffer;
  /** Column index of each slot. */
  columns: number[];
  /** Slot and column of each SharedText slot, once the columns are classified. */
  sharedSlots?: number[];
}

const VERBATIM_RECORD = 0;

/** Precondition: at least one record. */
export function encodeColumnar(records: readonly Uint8Array[]): Buffer {
  const sources = records.map(asBuffer);
  const frame = new FrameValues(sources);
  const { refs, firstValues, shapes, columns } = splitRecords(frame);
  for (const column of columns) column.classify(frame);

  // The shared stream, in record then slot order. Writers start at about the size they reach on audit
  // records, and grow when they need to.
  const shared = new ByteWriter(frame.count * 4);
  for (let r = 0; r < refs.length; r++) {
    const ref = refs[r] as number;
    if (ref === VERBATIM_RECORD) continue;
    const shape = shapes[ref - 1] as Shape;
    const slots = (shape.sharedSlots ??= sharedSlotsOf(shape, columns));
    const first = firstValues[r] as number;
    for (let k = 0; k < slots.length; k += 2)
      (columns[slots[k + 1] as number] as Column).addShared(
        frame,
        first + (slots[k] as number),
        shared,
      );
  }

  const data = new ByteWriter(frame.count * 4);
  const codesLengths: number[] = [];
  const valuesLengths: number[] = [];
  for (const column of columns) {
    const before = data.length;
    const codesLength = column.write(frame, data);
    codesLengths.push(codesLength);
    valuesLengths.push(data.length - before - codesLength);
  }
  const verbatim = new ByteWriter();
  for (let r = 0; r < refs.length; r++) {
    if (refs[r] !== VERBATIM_RECORD) continue;
    const source = sources[r] as Buffer;
    verbatim.varint(source.length);
    verbatim.bytes(source);
  }

  const tables = shapes.reduce(
    (sum, shape) => sum + shape.skeleton.length + 2 * shape.columns.length,
    0,
  );
  const out = new ByteWriter(
    tables + 8 * (columns.length + refs.length) + data.length + shared.length + verbatim.length,
  );
  out.u32(0);
  out.varint(columns.length);
  for (let c = 0; c < columns.length; c++) {
    const plan = (columns[c] as Column).plan;
    writePlan(plan, out);
    if (plan.dictionary) out.varint(codesLengths[c] as number);
    out.varint(valuesLengths[c] as number);
  }
  out.varint(shared.length);
  out.varint(shapes.length);
  for (const shape of shapes) {
    out.varint(shape.skeleton.length);
    out.bytes(shape.skeleton);
    out.varint(shape.columns.length);
    for (const c of shape.columns) out.varint(c);
  }
  for (const ref of refs) out.varint(ref);
  out.bytes(data.finish());
  out.bytes(shared.finish());
  out.bytes(verbatim.finish());
  const payload = out.finish();
  payload.writeUInt32BE(crc32(payload.subarray(4)), 0);
  return payload;
}

function sharedSlotsOf(shape: Shape, columns: readonly Column[]): number[] {
  const slots: number[] = [];
  shape.columns.forEach((c, k) => {
    if ((columns[c] as Column).plan.kind === ColumnKind.SharedText) slots.push(k, c);
  });
  return slots;
}

/**
 * Scans every record, finding its shape (VERBATIM_RECORD if none) and numbering its values in `frame`;
 * each column learns the numbers of its values.
 */
function splitRecords(frame: FrameValues): {
  refs: number[];
  firstValues: number[];
  shapes: Shape[];
  columns: Column[];
} {
  const scanner = new JsonScanner();
  // Shapes by skeleton length and slot count; those that share both are told apart by their bytes.
  const shapesByKey = new Map<number, Shape[]>();
  const shapes: Shape[] = [];
  const columns: Column[] = [];
  const columnOfPath = new Map<string, number>();
  const refs: number[] = [];
  const firstValues: number[] = [];
  const sources = frame.sources;
  for (let r = 0; r < sources.length; r++) {
    const text = sources[r] as Buffer;
    if (!scanner.scan(text)) {
      refs.push(VERBATIM_RECORD);
      firstValues.push(frame.count);
      continue;
    }
    const skeleton = scanner.skeleton.subarray(0, scanner.skeletonLength);
    const key = skeleton.length * 65_536 + scanner.valueCount;
    let known = shapesByKey.get(key);
    if (known === undefined) {
      known = [];
      shapesByKey.set(key, known);
    }
    let shape: Shape | undefined;
    for (const candidate of known)
      if (candidate.skeleton.equals(skeleton)) {
        shape = candidate;
        break;
      }
    if (shape === undefined) {
      const slotColumns = scanner.slotPaths(text).map((path) => {
        let column = columnOfPath.get(path);
        if (column === undefined) {
          column = columns.length;
          columns.push(new Column());
          columnOfPath.set(path, column);
        }
        return column;
      });
      shape = { index: shapes.length, skeleton: Buffer.from(skeleton), columns: slotColumns };
      known.push(shape);
      shapes.push(shape);
    }
    const first = frame.add(r, scanner.spans, scanner.valueCount);
    const slotColumns = shape.columns;
    for (let k = 0; k < slotColumns.length; k++)
      (columns[slotColumns[k] as number] as Column).values.push(first + k);
    refs.push(shape.index + 1);
    firstValues.push(first);
  }
  return { refs, firstValues, shapes, columns };
}

interface DecodedShape {
  /** The skeleton's pieces around its slots, as [start, end) pairs in the payload. */
  pieces: number[];
  columns: number[];
}

/** What a payload holds, read from its tables: for tests and for looking into an archive. */
export interface ColumnarSummary {
  columns: ColumnPlan[];
  shapes: number;
  verbatimRecords: number;
}

/** Reads the tables of a payload of `count` records. Throws ColumnarFormatError if they are damaged. */
export function describeColumnar(payload: Buffer, count: number): ColumnarSummary {
  const layout = readLayout(payload, count);
  return {
    columns: layout.plans,
    shapes: layout.shapes.length,
    verbatimRecords: layout.refs.filter((ref) => ref === VERBATIM_RECORD).length,
  };
}

interface Layout {
  plans: ColumnPlan[];
  shapes: DecodedShape[];
  refs: number[];
  readers: ColumnReader[];
  shared: ColumnReader;
  /** Positioned at the verbatim records, the last part of the payload. */
  verbatim: ByteReader;
}

/** Checks the crc32 and reads the tables, and sets up a reader per column. */
function readLayout(payload: Buffer, count: number): Layout {
  const reader = new ByteReader(payload, 0, payload.length);
  const expectedCrc = reader.u32();
  const actualCrc = crc32(payload.subarray(4));
  if (actualCrc !== expectedCrc)
    throw new ColumnarFormatError(
      `payload crc32 is ${hex32(actualCrc)}, the payload says ${hex32(expectedCrc)}`,
    );

  const columnCount = bounded(reader, payload.length, 'columns');
  const plans: ColumnPlan[] = [];
  const codesLengths: number[] = [];
  const valuesLengths: number[] = [];
  for (let c = 0; c < columnCount; c++) {
    const at = reader.at;
    const plan = readPlan(reader);
    const codesLength = plan.dictionary ? reader.varint() : 0;
    const valuesLength = reader.varint();
    if (plan.kind === ColumnKind.SharedText && valuesLength !== 0)
      throw new ColumnarFormatError(
        `shared column ${c} claims ${valuesLength} bytes of its own`,
        at,
      );
    plans.push(plan);
    codesLengths.push(codesLength);
    valuesLengths.push(valuesLength);
  }
  const sharedLength = reader.varint();
  const shapes = readShapes(reader, count, columnCount);

  const refs: number[] = [];
  for (let r = 0; r < count; r++) {
    const at = reader.at;
    const ref = reader.varint();
    if (ref > shapes.length)
      throw new ColumnarFormatError(`record ${r} names shape ${ref - 1} of ${shapes.length}`, at);
    refs.push(ref);
  }

  const regions: { codes: ByteReader | undefined; values: ByteReader }[] = [];
  for (let c = 0; c < columnCount; c++) {
    const codesStart = reader.skip(codesLengths[c] as number);
    const codes = (plans[c] as ColumnPlan).dictionary
      ? new ByteReader(payload, codesStart, reader.at)
      : undefined;
    const valuesStart = reader.skip(valuesLengths[c] as number);
    regions.push({ codes, values: new ByteReader(payload, valuesStart, reader.at) });
  }
  const sharedStart = reader.skip(sharedLength);
  const shared = textReader(new ByteReader(payload, sharedStart, reader.at));
  const readers = regions.map(({ codes, values }, c) =>
    columnReader(plans[c] as ColumnPlan, values, codes, shared),
  );
  return { plans, shapes, refs, readers, shared, verbatim: reader };
}

/**
 * Rebuilds the records of a columnar payload. `recordBytes` is the total size of the records (the frame
 * header's raw length less 4 bytes per record). Throws ColumnarFormatError on any inconsistency.
 */
export function decodeColumnar(payload: Buffer, count: number, recordBytes: number): Buffer[] {
  const { shapes, refs, readers, shared, verbatim } = readLayout(payload, count);
  // Records are rarely more than 16 times their columnar payload; past that, the output grows.
  const out = new RecordOutput(recordBytes, payload.length * 16);
  const bounds: number[] = [];
  for (let r = 0; r < count; r++) {
    bounds.push(out.at);
    const ref = refs[r] as number;
    if (ref === VERBATIM_RECORD) {
      const length = verbatim.varint();
      const start = verbatim.skip(length);
      out.copy(payload, start, start + length);
      continue;
    }
    const { pieces, columns } = shapes[ref - 1] as DecodedShape;
    out.copy(payload, pieces[0] as number, pieces[1] as number);
    for (let k = 0; k < columns.length; k++) {
      (readers[columns[k] as number] as ColumnReader).next(out);
      out.copy(payload, pieces[2 * k + 2] as number, pieces[2 * k + 3] as number);
    }
  }
  bounds.push(out.at);

  for (const column of readers) column.finish();
  shared.finish();
  if (verbatim.remaining !== 0)
    throw new ColumnarFormatError(
      `${verbatim.remaining} bytes left after the verbatim records`,
      verbatim.at,
    );
  if (out.at !== recordBytes)
    throw new ColumnarFormatError(
      `records hold ${out.at} bytes, the frame header announces ${recordBytes}`,
    );
  const buffer = out.result();
  const records: Buffer[] = [];
  for (let r = 0; r < count; r++)
    records.push(buffer.subarray(bounds[r] as number, bounds[r + 1] as number));
  return records;
}

function readShapes(reader: ByteReader, count: number, columnCount: number): DecodedShape[] {
  const payload = reader.buffer;
  // Every shape is used by at least one record.
  const shapeCount = bounded(reader, count, 'shapes');
  const shapes: DecodedShape[] = [];
  for (let s = 0; s < shapeCount; s++) {
    const length = reader.varint();
    const start = reader.skip(length);
    const pieces = [start];
    for (let at = start; ;) {
      const slot = payload.indexOf(0, at);
      if (slot < 0 || slot >= start + length) break;
      pieces.push(slot, slot + 1);
      at = slot + 1;
    }
    pieces.push(start + length);
    const slotsAt = reader.at;
    const slots = reader.varint();
    if (slots !== pieces.length / 2 - 1)
      throw new ColumnarFormatError(
        `shape ${s} lists ${slots} slots, its skeleton has ${pieces.length / 2 - 1}`,
        slotsAt,
      );
    const columns: number[] = [];
    for (let k = 0; k < slots; k++) {
      const at = reader.at;
      const column = reader.varint();
      if (column >= columnCount)
        throw new ColumnarFormatError(`shape ${s} names column ${column} of ${columnCount}`, at);
      columns.push(column);
    }
    shapes.push({ pieces, columns });
  }
  return shapes;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a count that cannot exceed `limit` unless the payload is corrupt. */
function bounded(reader: ByteReader, limit: number, what: string): number {
  const at = reader.at;
  const value = reader.varint();
  if (value > limit)
    throw new ColumnarFormatError(`${value} ${what}, at most ${limit} possible`, at);
  return value;
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}
