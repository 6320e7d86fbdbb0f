/**
 * Partition-key routing as Event Hubs does it.
 *
 * The Azure SDKs (.NET, Java, Python, and @azure/event-hubs' buffered producer) map a partition key
 * to a partition by hashing the key's UTF-8 bytes with Bob Jenkins' lookup3 `hashlittle2` (both
 * seeds 0), folding the two 32-bit results into a signed 16-bit value (`c ^ b`), and taking the
 * absolute value of that modulo the partition count. Using the same mapping means an event sent
 * with a partition key lands here on the partition it would land on in Azure, and on the partition
 * the buffered producer computes on its own side.
 */

const HASH_INITIAL_VALUE = 0xdeadbeef;

/**
 * The partition a partition key routes to.
 * Requires `partitionCount` to be an integer >= 1; returns an id in "0".."partitionCount-1".
 */
export function partitionForKey(key: string, partitionCount: number): string {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partitionCount must be an integer >= 1, got ${partitionCount}`);
  }
  const { b, c } = lookup3HashLittle2(Buffer.from(key, 'utf8'));
  const folded = toInt16(c ^ b);
  return String(Math.abs(folded % partitionCount));
}

/** lookup3 `hashlittle2` with both seeds 0; returns the primary (`c`) and secondary (`b`) hashes as uint32. */
export function lookup3HashLittle2(data: Uint8Array): { b: number; c: number } {
  let a = (HASH_INITIAL_VALUE + data.length) >>> 0;
  let b = a;
  let c = a;
  let offset = 0;
  let remaining = data.length;

  while (remaining > 12) {
    a = (a + readUint32LittleEndian(data, offset)) >>> 0;
    b = (b + readUint32LittleEndian(data, offset + 4)) >>> 0;
    c = (c + readUint32LittleEndian(data, offset + 8)) >>> 0;
    [a, b, c] = mix(a, b, c);
    offset += 12;
    remaining -= 12;
  }

  // The last 1..12 bytes: lookup3 skips the final mix when nothing is left.
  if (remaining === 0) {
    return { b, c };
  }
  const tail = [0, 0, 0];
  for (let i = 0; i < remaining; i++) {
    const word = i >> 2;
    tail[word] = ((tail[word] ?? 0) + ((data[offset + i] ?? 0) << (8 * (i & 3)))) >>> 0;
  }
  a = (a + (tail[0] ?? 0)) >>> 0;
  b = (b + (tail[1] ?? 0)) >>> 0;
  c = (c + (tail[2] ?? 0)) >>> 0;
  [a, b, c] = final(a, b, c);
  return { b, c };
}

function readUint32LittleEndian(data: Uint8Array, offset: number): number {
  return (
    ((data[offset] ?? 0) |
      ((data[offset + 1] ?? 0) << 8) |
      ((data[offset + 2] ?? 0) << 16) |
      ((data[offset + 3] ?? 0) << 24)) >>>
    0
  );
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

function mix(a: number, b: number, c: number): [number, number, number] {
  a = ((a - c) ^ rotateLeft(c, 4)) >>> 0;
  c = (c + b) >>> 0;
  b = ((b - a) ^ rotateLeft(a, 6)) >>> 0;
  a = (a + c) >>> 0;
  c = ((c - b) ^ rotateLeft(b, 8)) >>> 0;
  b = (b + a) >>> 0;
  a = ((a - c) ^ rotateLeft(c, 16)) >>> 0;
  c = (c + b) >>> 0;
  b = ((b - a) ^ rotateLeft(a, 19)) >>> 0;
  a = (a + c) >>> 0;
  c = ((c - b) ^ rotateLeft(b, 4)) >>> 0;
  b = (b + a) >>> 0;
  return [a, b, c];
}

function final(a: number, b: number, c: number): [number, number, number] {
  c = ((c ^ b) - rotateLeft(b, 14)) >>> 0;
  a = ((a ^ c) - rotateLeft(c, 11)) >>> 0;
  b = ((b ^ a) - rotateLeft(a, 25)) >>> 0;
  c = ((c ^ b) - rotateLeft(b, 16)) >>> 0;
  a = ((a ^ c) - rotateLeft(c, 4)) >>> 0;
  b = ((b ^ a) - rotateLeft(a, 14)) >>> 0;
  c = ((c ^ b) - rotateLeft(b, 24)) >>> 0;
  return [a, b, c];
}

function toInt16(value: number): number {
  return ((value & 0xffff) << 16) >> 16;
}
