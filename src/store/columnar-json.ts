/**
 * Splits one JSON text into its skeleton (everything but scalar values: keys, punctuation, whitespace,
 * empty containers) and the spans of its scalar values (strings with their quotes, numbers, true, false,
 * null), in text order. The skeleton holds SLOT (0x00) in place of each value.
 *
 * It works on bytes: every byte structural to JSON is ASCII, and no byte of a multi-byte UTF-8 sequence
 * is, so cutting at those bytes never splits a character, and bytes that are not valid UTF-8 pass through
 * unchanged.
 *
 * Exactness does not depend on the scanner being right about JSON: the skeleton keeps every byte between
 * value spans and marks each span with SLOT, so skeleton and values interleaved give back the input,
 * whatever the spans are. That only needs the input to hold no 0x00 byte, which scan() checks.
 */

/** The placeholder for a value in a skeleton. */
export const SLOT = 0x00;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const MAX_TEXT_BYTES = 0x7fff_ffff;

/** Separates keys in a slot path; JSON holds it only escaped, and canonical JSON always escapes it. */
const PATH_SEPARATOR = '\u0001';

/** Reusable: one scanner serves every record of a frame, keeping its scratch space. */
export class JsonScanner {
  /** After a successful scan: the skeleton is skeleton[0, skeletonLength). */
  skeleton = Buffer.allocUnsafe(1024);
  skeletonLength = 0;
  /** After a successful scan: value k spans [spans[2k], spans[2k + 1]) of the input. */
  spans = new Int32Array(256);
  valueCount = 0;
  private readonly stack: number[] = [];

  /**
   * Scans `text` as one JSON value (RFC 8259 structure, whitespace allowed). Returns false when the text
   * holds a 0x00 byte, is 2 GiB or longer, or is not JSON as far as the scanner checks (bad structure,
   * unterminated string, unknown bare word). String contents and number syntax are not validated: spans
   * are kept verbatim.
   */
  scan(text: Uint8Array): boolean {
    // Offsets are kept in 32-bit tables.
    if (text.length > MAX_TEXT_BYTES || text.indexOf(0) >= 0) return false;
    return this.run(text, undefined);
  }

  /**
   * The key path of every value slot, in slot order: keys as they appear in the text (quotes and escapes
   * included) and "[]" for array items, joined by U+0001. Where a key holds U+0001 unescaped, two paths
   * may coincide, which only puts their values in one column. Precondition: scan(text) returned true.
   */
  slotPaths(text: Uint8Array): string[] {
    const paths: string[] = [];
    this.run(text, paths);
    return paths;
  }

  private run(text: Uint8Array, paths: string[] | undefined): boolean {
    const n = text.length;
    // The skeleton is never longer than the text: each value of one byte or more becomes one SLOT.
    if (this.skeleton.length < n) this.skeleton = Buffer.allocUnsafe(n * 2);
    const skeleton = this.skeleton;
    const stack = this.stack;
    stack.length = 0;
    // Key names are only collected when paths are wanted; that stack mirrors `stack`.
    const keys: string[] | undefined = paths === undefined ? undefined : [];
    let out = 0;
    let values = 0;
    let i = 0;
    for (;;) {
      // A value is expected at i.
      while (i < n && isWhitespace(text[i] as number)) skeleton[out++] = text[i++] as number;
      if (i >= n) return false;
      const c = text[i] as number;
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
        skeleton[out++] = text[i++] as number;
        while (i < n && isWhitespace(text[i] as number)) skeleton[out++] = text[i++] as number;
        if (i < n && text[i] === close) {
          skeleton[out++] = text[i++] as number;
        } else {
          stack.push(close);
          if (c === OPEN_ARRAY) {
            keys?.push('[]');
            continue;
          }
          const end = copyKey(text, i, skeleton, out);
          if (end < 0) return false;
          keys?.push(latin1(text, i, stringEnd(text, i)));
          out += end - i;
          i = end;
          continue;
        }
      } else {
        const end = scalarEnd(text, i, c);
        if (end < 0) return false;
        if (2 * values + 2 > this.spans.length) this.growSpans();
        this.spans[2 * values] = i;
        this.spans[2 * values + 1] = end;
        values++;
        skeleton[out++] = SLOT;
        if (paths !== undefined && keys !== undefined) paths.push(keys.join(PATH_SEPARATOR));
        i = end;
      }
      // A value ended at i: close containers until a comma opens the next value, or the text ends.
      for (;;) {
        while (i < n && isWhitespace(text[i] as number)) skeleton[out++] = text[i++] as number;
        const close = stack[stack.length - 1];
        if (close === undefined) {
          if (i !== n) return false;
          this.skeletonLength = out;
          this.valueCount = values;
          return true;
        }
        if (i >= n) return false;
        const d = text[i] as number;
        if (d === COMMA) {
          skeleton[out++] = text[i++] as number;
          if (close === CLOSE_OBJECT) {
            while (i < n && isWhitespace(text[i] as number)) skeleton[out++] = text[i++] as number;
            const end = copyKey(text, i, skeleton, out);
            if (end < 0) return false;
            keys?.pop();
            keys?.push(latin1(text, i, stringEnd(text, i)));
            out += end - i;
            i = end;
          }
          break;
        }
        if (d !== close) return false;
        skeleton[out++] = d;
        i++;
        stack.pop();
        keys?.pop();
      }
    }
  }

  private growSpans(): void {
    const next = new Int32Array(this.spans.length * 2);
    next.set(this.spans);
    this.spans = next;
  }
}

function latin1(text: Uint8Array, start: number, end: number): string {
  return Buffer.from(text.buffer, text.byteOffset + start, end - start).toString('latin1');
}

/**
 * Copies the key string at i, whitespace and the colon after it, to `skeleton` at `out` (byte for byte, so
 * the copy ends where the text does), and returns the offset after the colon, or -1 when there is no key
 * there.
 */
function copyKey(text: Uint8Array, i: number, skeleton: Buffer, out: number): number {
  const n = text.length;
  if (text[i] !== QUOTE) return -1;
  let to = out;
  skeleton[to++] = QUOTE;
  let j = i + 1;
  for (;;) {
    if (j >= n) return -1;
    const c = text[j++] as number;
    skeleton[to++] = c;
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      if (j >= n) return -1;
      skeleton[to++] = text[j++] as number;
    }
  }
  while (j < n && isWhitespace(text[j] as number)) skeleton[to++] = text[j++] as number;
  if (text[j] !== COLON) return -1;
  skeleton[to] = COLON;
  return j + 1;
}

/** The end of the scalar starting at i with byte c, or -1. */
function scalarEnd(text: Uint8Array, i: number, c: number): number {
  if (c === QUOTE) return stringEnd(text, i);
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    let j = i + 1;
    while (j < text.length && isNumberByte(text[j] as number)) j++;
    return j;
  }
  if (c === 0x74 && matches(text, i, TRUE)) return i + 4;
  if (c === 0x66 && matches(text, i, FALSE)) return i + 5;
  if (c === 0x6e && matches(text, i, NULL)) return i + 4;
  return -1;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function matches(text: Uint8Array, i: number, word: Buffer): boolean {
  if (i + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) return false;
  return true;
}

function isNumberByte(c: number): boolean {
  // digits, '+', '-', '.', 'e', 'E'
  return (
    (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x65 || c === 0x45
  );
}

/** The offset just after the closing quote of the string opening at i, or -1 if it never closes. */
function stringEnd(text: Uint8Array, i: number): number {
  const n = text.length;
  for (let j = i + 1; j < n; j++) {
    const c = text[j];
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) j++;
  }
  return -1;
}

function isWhitespace(c: number): boolean {
  // Canonical JSON has no whitespace: one comparison settles the usual case.
  return c <= 0x20 && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09);
}
