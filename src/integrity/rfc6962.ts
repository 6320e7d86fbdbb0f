import { createHash, hash } from 'node:crypto';

/** RFC 6962 §2.1 domain separation: leaves and interior nodes can never be confused for each other. */
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 || leaf bytes). */
export function hashLeaf(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/**
 * A buffer holding the leaf prefix followed by room for a leaf of `byteLength` bytes, and a view of that
 * room: a writer that fills `leaf` in place hashes it with hashPrefixedLeaf, one one-shot digest and no
 * copy, where hashLeaf would feed the prefix and the bytes to a Hash object in turn.
 */
export function allocatePrefixedLeaf(byteLength: number): { prefixed: Buffer; leaf: Buffer } {
  const prefixed = Buffer.allocUnsafe(LEAF_PREFIX.length + byteLength);
  LEAF_PREFIX.copy(prefixed, 0);
  return { prefixed, leaf: prefixed.subarray(LEAF_PREFIX.length) };
}

/** The leaf hash of a buffer from allocatePrefixedLeaf: equal to hashLeaf of its `leaf` view. */
export function hashPrefixedLeaf(prefixed: Buffer): Buffer {
  return hash('sha256', prefixed, 'buffer');
}

/** SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}
