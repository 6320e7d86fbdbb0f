import { randomBytes } from 'node:crypto';

/** Source of random bytes; the seam that lets tests pin the random part. */
export type RandomBytes = (size: number) => Uint8Array;

/**
 * Creates a UUID version 7 generator (RFC 9562 §5.7): 48 bits of Unix milliseconds, a 12-bit counter
 * in `rand_a` (RFC 9562 §6.2, method 1) and 62 random bits.
 *
 * Identifiers from one generator strictly increase, also when the clock stands still or steps back:
 * within one millisecond the counter advances, and past 4095 ids the time field borrows the next
 * millisecond. A spool therefore holds ids in the order they were made.
 */
export function createUuidV7Generator(
  now: () => number = Date.now,
  random: RandomBytes = randomBytes,
): () => string {
  let lastMs = -1;
  let counter = 0;
  return () => {
    const clock = Math.floor(now());
    if (clock > lastMs) {
      lastMs = clock;
      // A random start below 2048 leaves at least 2048 increments before the millisecond is exhausted.
      counter = ((random(2)[0] ?? 0) << 3) & 0x7ff;
    } else if (counter < 0xfff) {
      counter += 1;
    } else {
      lastMs += 1;
      counter = 0;
    }
    if (lastMs < 0 || lastMs >= 2 ** 48) {
      throw new RangeError(`UUIDv7 time must be whole milliseconds in [0, 2^48), got ${lastMs}`);
    }
    const bytes = Buffer.alloc(16);
    bytes.writeUIntBE(lastMs, 0, 6);
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    const tail = random(8);
    bytes[8] = 0x80 | ((tail[0] ?? 0) & 0x3f);
    for (let i = 1; i < 8; i++) bytes[8 + i] = tail[i] ?? 0;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/** The UUIDv7 pattern (lower-case hex, version 7, RFC 9562 variant). */
export const UUID_V7_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
