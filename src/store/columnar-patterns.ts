import type { ByteWriter } from './columnar-bytes';

/**
 * The strict value patterns behind the typed column encodings. Each accepts only texts that its printer
 * gives back byte for byte, so a typed column never decodes differently:
 *
 * - Int: `-?(0|[1-9][0-9]{0,14})`, not `-0`. At most 15 digits, so values, their differences and zigzag
 *   forms stay exact doubles, and String(n) prints exactly that token.
 * - Time: `"YYYY-MM-DDTHH:MM:SS.sssZ"` naming a real instant of years 0000-9999 (month 1-12, day within
 *   the month, hour < 24, minute and second < 60): Date.prototype.toISOString prints each such instant in
 *   exactly that form.
 * - Hex templates: lowercase hex digits at fixed places between fixed literals (UUID, W3C traceparent,
 *   `hmac-sha256:` + 64 digits, or a fixed even number of digits). Digits are packed two per byte and
 *   printed back lowercase; uppercase, other lengths or other literals do not match.
 * - Hex of any even, non-zero length, printed back lowercase from its bytes.
 *
 * printInt and printTime print as String and toISOString do, without building strings (the tests hold
 * them to that).
 */

export const QUOTE = 0x22;

/**
 * A string pattern of fixed length: '#' stands for one lowercase hex digit, every other character is
 * literal. '#' places come in adjacent pairs, one byte each.
 */
export class HexTemplate {
  readonly text: Buffer;
  /** Packed size of a value. */
  readonly bytes: number;
  /** The JSON token, quotes included, with '#' places; what decoding fills in. */
  readonly token: Buffer;
  /** Offsets of the first digit of each pair, and of each literal character, within the text. */
  private readonly pairs: Int32Array;
  private readonly literals: Int32Array;

  constructor(pattern: string) {
    this.text = Buffer.from(pattern, 'latin1');
    this.token = Buffer.from(`"${pattern}"`, 'latin1');
    const pairs: number[] = [];
    const literals: number[] = [];
    for (let k = 0; k < pattern.length; k++) {
      if (pattern[k] !== '#') literals.push(k);
      else if (pattern[k + 1] === '#') pairs.push(k++);
      else throw new RangeError(`hex template ${pattern} has an unpaired digit at ${k}`);
    }
    this.pairs = Int32Array.from(pairs);
    this.literals = Int32Array.from(literals);
    this.bytes = pairs.length;
  }

  /**
   * Checks the string content [start, end) against the template and appends its packed bytes to `out`.
   * On a mismatch returns false, having appended part of the value: the caller drops `out`.
   */
  matchAndPack(text: Uint8Array, start: number, end: number, out: ByteWriter): boolean {
    const pattern = this.text;
    if (end - start !== pattern.length) return false;
    const literals = this.literals;
    for (let k = 0; k < literals.length; k++) {
      const offset = literals[k] as number;
      if (text[start + offset] !== pattern[offset]) return false;
    }
    const pairs = this.pairs;
    let at = out.claim(pairs.length);
    const packed = out.buffer;
    for (let k = 0; k < pairs.length; k++) {
      const digit = start + (pairs[k] as number);
      const high = HEX_VALUE[text[digit] as number] as number;
      const low = HEX_VALUE[text[digit + 1] as number] as number;
      if ((high | low) > 15) return false;
      packed[at++] = (high << 4) | low;
    }
    return true;
  }

  /** Prints one packed value (at `from` in `packed`) as its token into `out` at `at`. */
  print(packed: Uint8Array, from: number, out: Buffer, at: number): void {
    const token = this.token;
    out[at] = QUOTE;
    out[at + token.length - 1] = QUOTE;
    // +1: the token starts with its opening quote.
    const base = at + 1;
    const literals = this.literals;
    for (let k = 0; k < literals.length; k++) {
      const offset = literals[k] as number;
      out[base + offset] = this.text[offset] as number;
    }
    const pairs = this.pairs;
    for (let k = 0; k < pairs.length; k++) {
      const byte = packed[from + k] as number;
      const digit = base + (pairs[k] as number);
      out[digit] = HEX_DIGITS[byte >> 4] as number;
      out[digit + 1] = HEX_DIGITS[byte & 15] as number;
    }
  }
}

export const UUID = new HexTemplate('########-####-####-####-############');
export const TRACEPARENT = new HexTemplate(
  '##-################################-################-##',
);
export const HMAC_SHA256 = new HexTemplate('hmac-sha256:' + '#'.repeat(64));

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Value of each byte as a lowercase hex digit, or 16 when it is not one. */
const HEX_VALUE = new Uint8Array(256).fill(16);
for (let d = 0; d < 16; d++) HEX_VALUE[HEX_DIGITS[d] as number] = d;

/**
 * Appends the packed bytes of the lowercase hex string content [start, end) to `out`; false (with part of
 * it appended) unless the content is an even, non-zero number of lowercase hex digits.
 */
export function packHex(text: Uint8Array, start: number, end: number, out: ByteWriter): boolean {
  const length = end - start;
  if (length === 0 || length % 2 !== 0) return false;
  let at = out.claim(length / 2);
  const packed = out.buffer;
  for (let i = start; i < end; i += 2) {
    const high = HEX_VALUE[text[i] as number] as number;
    const low = HEX_VALUE[text[i + 1] as number] as number;
    if ((high | low) > 15) return false;
    packed[at++] = high * 16 + low;
  }
  return true;
}

/** Prints `length` packed bytes as lowercase hex digits. */
export function printHex(
  packed: Uint8Array,
  from: number,
  length: number,
  out: Buffer,
  at: number,
): void {
  for (let k = 0; k < length; k++) {
    const byte = packed[from + k] as number;
    out[at + 2 * k] = HEX_DIGITS[byte >> 4] as number;
    out[at + 2 * k + 1] = HEX_DIGITS[byte & 15] as number;
  }
}

export const MAX_INT = 999_999_999_999_999;
const MAX_INT_DIGITS = 15;

/** The value of an Int token [start, end), or undefined when the token is not in the Int pattern. */
export function parseInt15(text: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  const negative = text[i] === 0x2d;
  if (negative) i++;
  const digits = end - i;
  if (digits < 1 || digits > MAX_INT_DIGITS) return undefined;
  if (text[i] === 0x30 && (digits > 1 || negative)) return undefined;
  let value = 0;
  for (; i < end; i++) {
    const d = (text[i] as number) - 0x30;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  return negative ? -value : value;
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: what toISOString prints in 24 characters. */
export const MIN_TIME = -62_167_219_200_000;
export const MAX_TIME = 253_402_300_799_999;
export const TIME_LENGTH = 24;
const TIME_LAYOUT = Buffer.from('0000-00-00T00:00:00.000Z', 'latin1');
const MS_PER_DAY = 86_400_000;

/** Epoch milliseconds of the TIME_LENGTH bytes at `at`, or undefined unless they are in the Time pattern. */
export function parseTime(text: Uint8Array, at: number): number | undefined {
  for (let k = 0; k < TIME_LENGTH; k++) {
    const c = text[at + k] as number;
    const layout = TIME_LAYOUT[k] as number;
    if (layout === 0x30 ? c < 0x30 || c > 0x39 : c !== layout) return undefined;
  }
  const year = digits(text, at, 4);
  const month = digits(text, at + 5, 2);
  const day = digits(text, at + 8, 2);
  const hour = digits(text, at + 11, 2);
  const minute = digits(text, at + 14, 2);
  const second = digits(text, at + 17, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const time = ((hour * 60 + minute) * 60 + second) * 1000 + digits(text, at + 20, 3);
  return daysFromCivil(year, month, day) * MS_PER_DAY + time;
}

/** The value of `count` ASCII digits at `at`. Precondition: they are digits. */
function digits(text: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let k = at; k < at + count; k++) value = value * 10 + (text[k] as number) - 0x30;
  return value;
}

/**
 * Prints epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.sssZ` into `out` at `at`, as
 * Date.prototype.toISOString does. Precondition: MIN_TIME <= ms <= MAX_TIME.
 */
export function printTime(ms: number, out: Buffer, at: number): void {
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  putDigits(out, at, year, 4);
  out[at + 4] = 0x2d;
  putDigits(out, at + 5, month, 2);
  out[at + 7] = 0x2d;
  putDigits(out, at + 8, day, 2);
  out[at + 10] = 0x54;
  putDigits(out, at + 11, Math.floor(rest / 3_600_000), 2);
  rest %= 3_600_000;
  out[at + 13] = 0x3a;
  putDigits(out, at + 14, Math.floor(rest / 60_000), 2);
  rest %= 60_000;
  out[at + 16] = 0x3a;
  putDigits(out, at + 17, Math.floor(rest / 1000), 2);
  out[at + 19] = 0x2e;
  putDigits(out, at + 20, rest % 1000, 3);
  out[at + 23] = 0x5a;
}

function putDigits(out: Buffer, at: number, value: number, width: number): void {
  let rest = value;
  for (let k = width - 1; k >= 0; k--) {
    out[at + k] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}

/** The inverse of daysFromCivil (H. Hinnant, civil_from_days). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Prints an integer of at most 15 digits (|value| <= MAX_INT) in decimal into `out` at `at`. */
export function printInt(value: number, out: Buffer, at: number): void {
  let to = at;
  let rest = value;
  if (rest < 0) {
    out[to++] = 0x2d;
    rest = -rest;
  }
  const width = decimalWidth(rest);
  putDigits(out, to, rest, width);
}

/** Bytes printInt writes for `value`. */
export function printedIntLength(value: number): number {
  return value < 0 ? 1 + decimalWidth(-value) : decimalWidth(value);
}

function decimalWidth(value: number): number {
  let width = 1;
  for (let bound = 10; value >= bound && width < 16; bound *= 10) width++;
  return width;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar, which is ECMAScript's
 * (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
