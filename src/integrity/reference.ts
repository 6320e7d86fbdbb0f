import { emptyRoot, hashChildren } from './rfc6962';
import { largestPowerOfTwoBelow } from './tree-math';

/**
 * The definitions of RFC 6962 §2.1 transcribed as directly as possible, over the full list of
 * leaf hashes. Quadratic and recursive: for checking the compact implementation against, and
 * for verifying small trees by hand, never for serving.
 */

/** MTH over leaves that are already leaf hashes (MTH({d}) = d here, since d = hashLeaf(entry)). */
export function referenceRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const n = leafHashes.length;
  if (n === 0) return emptyRoot();
  if (n === 1) return leafHashes[0] as Uint8Array;
  const k = largestPowerOfTwoBelow(n);
  return hashChildren(referenceRoot(leafHashes.slice(0, k)), referenceRoot(leafHashes.slice(k)));
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1. Requires 0 <= m < leafHashes.length. */
export function referenceInclusionProof(
  leafHashes: readonly Uint8Array[],
  m: number,
): Uint8Array[] {
  const n = leafHashes.length;
  if (n <= 1) return [];
  const k = largestPowerOfTwoBelow(n);
  if (m < k) {
    return [
      ...referenceInclusionProof(leafHashes.slice(0, k), m),
      referenceRoot(leafHashes.slice(k)),
    ];
  }
  return [
    ...referenceInclusionProof(leafHashes.slice(k), m - k),
    referenceRoot(leafHashes.slice(0, k)),
  ];
}

/** PROOF(m, D[n]) of RFC 6962 §2.1.2. Requires 0 <= m <= leafHashes.length. */
export function referenceConsistencyProof(
  leafHashes: readonly Uint8Array[],
  m: number,
): Uint8Array[] {
  if (m === 0) return [];
  return referenceSubproof(m, leafHashes, true);
}

function referenceSubproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [referenceRoot(d)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) return [...referenceSubproof(m, d.slice(0, k), b), referenceRoot(d.slice(k))];
  return [...referenceSubproof(m - k, d.slice(k), false), referenceRoot(d.slice(0, k))];
}
