import { isIPv4, isIPv6 } from 'node:net';

/**
 * The JSON Schema formats the event schema uses, implemented here rather than through a formats plugin
 * so that what "date-time" accepts is exactly what the rest of the pipeline can handle.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * RFC 3339 date-time (e.g. 2025-01-31T12:00:00.123Z): a real calendar date, hours 00-23, minutes and
 * seconds 00-59, 1 to 9 fractional digits, and Z or a ±hh:mm offset (T and Z in either case). Leap
 * seconds (second 60) are refused because `Date.parse` cannot represent them and later stages derive
 * time partitions from this value. Hand-scanned: this runs for every event.
 */
export function isRfc3339DateTime(value: string): boolean {
  const length = value.length;
  if (length < 20 || length > 35) {
    return false;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (
    value[4] !== '-' ||
    value[7] !== '-' ||
    (value[10] !== 'T' && value[10] !== 't') ||
    value[13] !== ':' ||
    value[16] !== ':' ||
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return false;
  }
  let index = 19;
  if (value[index] === '.') {
    const start = ++index;
    while (index < length && isDigit(value.charCodeAt(index))) {
      index++;
    }
    if (index === start || index - start > 9) {
      return false;
    }
  }
  const zone = value[index];
  if (zone === 'Z' || zone === 'z') {
    return index + 1 === length;
  }
  if ((zone !== '+' && zone !== '-') || index + 6 !== length || value[index + 3] !== ':') {
    return false;
  }
  const offsetHours = digits(value, index + 1, 2);
  const offsetMinutes = digits(value, index + 4, 2);
  return offsetHours >= 0 && offsetHours <= 23 && offsetMinutes >= 0 && offsetMinutes <= 59;
}

/** The decimal value of `count` digits at `start`, or -1 when any of them is not a digit. */
function digits(value: string, start: number, count: number): number {
  let result = 0;
  for (let i = start; i < start + count; i++) {
    const code = value.charCodeAt(i);
    if (!isDigit(code)) {
      return -1;
    }
    result = result * 10 + (code - 48);
  }
  return result;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) {
    return 29;
  }
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** RFC 3986 characters: unreserved, reserved and percent-encoded octets, nothing else. */
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** An RFC 3986 URI-reference (relative or absolute), judged by its character set. */
export function isUriReference(value: string): boolean {
  return URI_REFERENCE.test(value);
}

/** An absolute RFC 3986 URI: a scheme followed by URI characters. */
export function isAbsoluteUri(value: string): boolean {
  return URI_SCHEME.test(value) && URI_REFERENCE.test(value);
}

/** The format implementations handed to ajv, keyed by format name. */
export const SCHEMA_FORMATS = {
  'date-time': isRfc3339DateTime,
  'uri-reference': isUriReference,
  uri: isAbsoluteUri,
  ipv4: isIPv4,
  ipv6: isIPv6,
} as const;

/** What each format means, for rejection messages. */
export const FORMAT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'date-time': 'an RFC 3339 date-time such as 2025-01-31T12:00:00Z',
  'uri-reference': 'a URI reference',
  uri: 'an absolute URI',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
};
