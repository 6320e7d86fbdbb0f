import { bytesEqual } from './encoding';
import {
  IndexOutOfRangeError,
  ProofLengthError,
  RootMismatchError,
  SizeOrderError,
} from './errors';
import { emptyRoot, hashChildren } from './rfc6962';
import { assertHash, assertTreeNumber, bitLength, popCount, trailingZeros } from './tree-math';

/**
 * Pure proof verification, following the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2 (the same
 * proofs as RFC 6962). Every function either returns normally or throws a ProofError subclass;
 * none of them ever returns "false".
 *
 * The proof length is checked first against the length the index and sizes imply, so a proof
 * with missing or extra hashes fails with ProofLengthError before any hashing. With the length
 * fixed, the RFC loops never run out of path or stop early.
 */

/** Number of hashes in the inclusion proof of index in a tree of size leaves. Requires index < size. */
export function inclusionProofLength(index: number, size: number): number {
  const last = BigInt(size - 1);
  const inner = bitLength(BigInt(index) ^ last);
  return inner + popCount(BigInt(index) >> BigInt(inner));
}

/** Number of hashes in the consistency proof from size1 to size2. Requires size1 <= size2. */
export function consistencyProofLength(size1: number, size2: number): number {
  if (size1 === 0 || size1 === size2) return 0;
  const inner = bitLength(BigInt(size1 - 1) ^ BigInt(size2 - 1));
  const border = popCount(BigInt(size1 - 1) >> BigInt(inner));
  const shift = trailingZeros(size1);
  // When size1 is a power of two its root is the seed and is not repeated in the proof.
  const seed = size1 === 2 ** shift ? 0 : 1;
  return inner - shift + border + seed;
}

/**
 * The root that an inclusion proof leads to. Requires 0 <= index < size; throws
 * IndexOutOfRangeError, ProofLengthError or HashLengthError otherwise.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array {
  assertTreeNumber('index', index);
  assertTreeNumber('size', size);
  if (index >= size) throw new IndexOutOfRangeError(index, size);
  assertHash('leaf hash', leafHash);
  proof.forEach((hash, i) => assertHash(`proof[${i}]`, hash));
  const expectedLength = inclusionProofLength(index, size);
  if (proof.length !== expectedLength) throw new ProofLengthError(expectedLength, proof.length);

  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leafHash;
  for (const p of proof) {
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashChildren(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return r;
}

/** Checks that leafHash is the leaf at index of the tree of size leaves whose root is root. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  assertHash('root', root);
  const calculated = rootFromInclusionProof(leafHash, index, size, proof);
  if (!bytesEqual(calculated, root)) throw new RootMismatchError('root', root, calculated);
}

/**
 * Checks that the tree of size2 leaves with root2 extends the tree of size1 leaves with root1.
 * Requires size1 <= size2. Between equal sizes the proof is empty and the roots must be equal;
 * from size 0 the proof is empty and root1 must be the empty-tree root.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  assertTreeNumber('size1', size1);
  assertTreeNumber('size2', size2);
  if (size1 > size2) throw new SizeOrderError(size1, size2);
  assertHash('root1', root1);
  assertHash('root2', root2);
  proof.forEach((hash, i) => assertHash(`proof[${i}]`, hash));
  const expectedLength = consistencyProofLength(size1, size2);
  if (proof.length !== expectedLength) throw new ProofLengthError(expectedLength, proof.length);

  if (size1 === 0) {
    const empty = emptyRoot();
    if (!bytesEqual(root1, empty)) throw new RootMismatchError('root1', root1, empty);
    return;
  }
  if (size1 === size2) {
    if (!bytesEqual(root1, root2)) throw new RootMismatchError('root2', root2, root1);
    return;
  }

  const path = size1 === 2 ** trailingZeros(size1) ? [root1, ...proof] : proof;
  let fn = BigInt(size1 - 1);
  let sn = BigInt(size2 - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if ((fn & 1n) === 1n || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (!bytesEqual(fr, root1)) throw new RootMismatchError('root1', root1, fr);
  if (!bytesEqual(sr, root2)) throw new RootMismatchError('root2', root2, sr);
}
