import { HashLengthError, InvalidTreeNumberError } from './errors';
import type { NodeId } from './nodes';

/**
 * Arithmetic over leaf positions. Sizes and indices are JavaScript numbers (safe up to 2^53 - 1);
 * bit operations go through BigInt because the 32-bit operators would silently truncate them.
 */

export const HASH_SIZE = 32;

export function assertTreeNumber(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidTreeNumberError(what, value);
}

export function assertHash(what: string, hash: Uint8Array): void {
  if (hash.length !== HASH_SIZE) throw new HashLengthError(what, hash.length);
}

/** The largest power of two strictly below n. Requires n >= 2 (RFC 6962 §2.1 calls it k). */
export function largestPowerOfTwoBelow(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

export function bitLength(value: number | bigint): number {
  let v = BigInt(value);
  let length = 0;
  while (v > 0n) {
    v >>= 1n;
    length++;
  }
  return length;
}

export function popCount(value: number | bigint): number {
  let v = BigInt(value);
  let count = 0;
  while (v > 0n) {
    count += Number(v & 1n);
    v >>= 1n;
  }
  return count;
}

/** Number of trailing zero bits. Requires value > 0. */
export function trailingZeros(value: number | bigint): number {
  let v = BigInt(value);
  let count = 0;
  while ((v & 1n) === 0n) {
    v >>= 1n;
    count++;
  }
  return count;
}

export function isPowerOfTwo(value: number): boolean {
  return value > 0 && popCount(value) === 1;
}

/**
 * Splits the leaf range [begin, end) into the fewest complete subtrees, left to right. When begin
 * is aligned to a power of two at least end - begin (every range RFC 6962 proofs and roots use),
 * hashing these nodes together from the right gives the range's Merkle Tree Hash.
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let position = begin;
  while (position < end) {
    let level = 0;
    while (position % 2 ** (level + 1) === 0 && position + 2 ** (level + 1) <= end) level++;
    nodes.push({ level, index: position / 2 ** level });
    position += 2 ** level;
  }
  return nodes;
}
