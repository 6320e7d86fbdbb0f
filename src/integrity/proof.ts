import { IndexOutOfRangeError, SizeOrderError } from './errors';
import { MissingNodeError, nodeKey, type NodeId, type NodeStore } from './nodes';
import { emptyRoot, hashChildren } from './rfc6962';
import { assertTreeNumber, largestPowerOfTwoBelow, rangeNodes } from './tree-math';

/**
 * Proof generation from stored nodes. A proof is planned first (which leaf ranges each proof hash
 * covers, following RFC 6962 §2.1.1 and §2.1.2 literally), then the plan names the O(log n)
 * complete subtrees it needs, which one NodeStore round trip fetches.
 */

/** The leaves [begin, end) whose Merkle Tree Hash is one element of a proof. */
export interface LeafRange {
  readonly begin: number;
  readonly end: number;
}

export type ProofPlan = readonly LeafRange[];

/** RFC 6962 §2.1.1 PATH(index, D[0:size]). Requires 0 <= index < size. */
export function inclusionProofPlan(index: number, size: number): ProofPlan {
  assertTreeNumber('index', index);
  assertTreeNumber('size', size);
  if (index >= size) throw new IndexOutOfRangeError(index, size);
  return path(index, 0, size);
}

function path(index: number, begin: number, end: number): LeafRange[] {
  if (end - begin === 1) return [];
  const k = largestPowerOfTwoBelow(end - begin);
  if (index < begin + k) return [...path(index, begin, begin + k), { begin: begin + k, end }];
  return [...path(index, begin + k, end), { begin, end: begin + k }];
}

/**
 * RFC 6962 §2.1.2 PROOF(size1, D[0:size2]). Requires 0 <= size1 <= size2. The proof from the
 * empty tree, and between equal sizes, is empty.
 */
export function consistencyProofPlan(size1: number, size2: number): ProofPlan {
  assertTreeNumber('size1', size1);
  assertTreeNumber('size2', size2);
  if (size1 > size2) throw new SizeOrderError(size1, size2);
  if (size1 === 0) return [];
  return subproof(size1, 0, size2, true);
}

function subproof(size1: number, begin: number, end: number, wholeOldTree: boolean): LeafRange[] {
  const size = end - begin;
  if (size1 === size) return wholeOldTree ? [] : [{ begin, end }];
  const k = largestPowerOfTwoBelow(size);
  if (size1 <= k) {
    return [...subproof(size1, begin, begin + k, wholeOldTree), { begin: begin + k, end }];
  }
  return [...subproof(size1 - k, begin + k, end, false), { begin, end: begin + k }];
}

/** Every node the plan needs, without duplicates. */
export function planNodeIds(plan: ProofPlan): NodeId[] {
  const ids = new Map<string, NodeId>();
  for (const range of plan) {
    for (const id of rangeNodes(range.begin, range.end)) ids.set(nodeKey(id), id);
  }
  return [...ids.values()];
}

/** Turns a plan and the fetched node hashes into the proof hashes, in proof order. */
export function materializeProof(
  plan: ProofPlan,
  nodes: ReadonlyMap<string, Uint8Array>,
): Uint8Array[] {
  return plan.map((range) => hashRange(range, nodes));
}

function hashRange(range: LeafRange, nodes: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const ids = rangeNodes(range.begin, range.end);
  const hashes = ids.map((id) => {
    const hash = nodes.get(nodeKey(id));
    if (hash === undefined) throw new MissingNodeError([id]);
    return hash;
  });
  let hash = hashes[hashes.length - 1] as Uint8Array;
  for (let i = hashes.length - 2; i >= 0; i--) hash = hashChildren(hashes[i] as Uint8Array, hash);
  return hash;
}

/** Inclusion proof for the leaf at index in the tree of the first size leaves. */
export async function buildInclusionProof(
  store: NodeStore,
  index: number,
  size: number,
): Promise<Uint8Array[]> {
  const plan = inclusionProofPlan(index, size);
  return materializeProof(plan, await fetchNodes(store, planNodeIds(plan)));
}

/** Consistency proof between the trees of the first size1 and size2 leaves. */
export async function buildConsistencyProof(
  store: NodeStore,
  size1: number,
  size2: number,
): Promise<Uint8Array[]> {
  const plan = consistencyProofPlan(size1, size2);
  return materializeProof(plan, await fetchNodes(store, planNodeIds(plan)));
}

/** Root of the tree of the first size leaves, from at most log2(size) + 1 stored nodes. */
export async function buildRoot(store: NodeStore, size: number): Promise<Uint8Array> {
  assertTreeNumber('size', size);
  if (size === 0) return emptyRoot();
  const range = { begin: 0, end: size };
  return hashRange(range, await fetchNodes(store, rangeNodes(0, size)));
}

async function fetchNodes(
  store: NodeStore,
  ids: readonly NodeId[],
): Promise<ReadonlyMap<string, Uint8Array>> {
  return ids.length === 0 ? new Map() : store.getNodes(ids);
}
