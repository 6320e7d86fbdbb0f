import { randomBytes } from 'node:crypto';
import { appendLeaves, emptyFrontier, type Frontier } from '../../../src/integrity/compact';
import { MemoryNodeStore } from '../../../src/integrity/nodes';
import { hashLeaf } from '../../../src/integrity/rfc6962';

/** Distinct random leaf hashes: distinct so that no mutation of a proof can be a no-op by accident. */
export function randomLeafHashes(count: number): Buffer[] {
  return Array.from({ length: count }, () => hashLeaf(randomBytes(8)));
}

/** Leaf hashes derived from a seed, so a fast-check counterexample replays exactly. */
export function seededLeafHashes(count: number, seed: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => hashLeaf(Buffer.from(`leaf ${seed} ${i}`)));
}

export function buildTree(leafHashes: readonly Uint8Array[]): {
  frontier: Frontier;
  store: MemoryNodeStore;
} {
  const { frontier, completed } = appendLeaves(emptyFrontier(), leafHashes);
  const store = new MemoryNodeStore();
  store.put(completed);
  return { frontier, store };
}
