import type { Random } from './random';

/**
 * A UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits from `random`.
 * Driven by the simulated clock and the seeded source, so identifiers are reproducible and sort by time.
 *
 * Precondition: 0 <= unixMs < 2^48.
 */
export function uuidv7(unixMs: number, random: Random): string {
  if (!Number.isSafeInteger(unixMs) || unixMs < 0 || unixMs >= 2 ** 48) {
    throw new RangeError(`UUIDv7 time must be whole milliseconds in [0, 2^48), got ${unixMs}`);
  }
  const time = unixMs.toString(16).padStart(12, '0');
  const randA = random.hex(3);
  const variant = (8 + random.int(0, 3)).toString(16); // 0b10xx
  const randB = random.hex(15);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randA}-${variant}${randB.slice(0, 3)}-${randB.slice(3)}`;
}
