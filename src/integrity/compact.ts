import { fromHex, toHex } from './encoding';
import type { CompletedNode, NodeId } from './nodes';
import { emptyRoot, hashChildren } from './rfc6962';
import { assertHash, assertTreeNumber, HASH_SIZE, popCount, rangeNodes } from './tree-math';

/**
 * The frontier (compact range) of a Merkle log: the roots of the complete subtrees that cover
 * leaves [0, size), largest first. It holds one hash per set bit of size, so a storage row can
 * keep the whole state needed to append and to compute the current root.
 */
export interface Frontier {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

/** The JSON form a storage row holds: hashes as lower-case hex. */
export interface FrontierJson {
  size: number;
  hashes: string[];
}

export class FrontierFormatError extends Error {
  override readonly name = 'FrontierFormatError';
  constructor(readonly reason: string) {
    super(`invalid frontier: ${reason}`);
  }
}

export function emptyFrontier(): Frontier {
  return { size: 0, hashes: [] };
}

/**
 * Appends one leaf hash in O(log size). Every subtree the leaf completes (the leaf itself at level
 * 0 first, then each parent it closes) is passed to onCompleted, so the caller can persist it for
 * proofs. The input frontier is not modified.
 */
export function appendLeaf(
  frontier: Frontier,
  leafHash: Uint8Array,
  onCompleted?: (node: CompletedNode) => void,
): Frontier {
  assertHash('leaf hash', leafHash);
  return merge(frontier, 0, leafHash, onCompleted);
}

/**
 * Appends a complete subtree of 2^level leaves by its root hash, as if its leaves were appended one by
 * one. Requires the frontier's size to be a multiple of 2^level (the subtree starts at an aligned
 * position), which holds for every node of rangeNodes(size, end). Lets a verifier that holds the
 * frontier of [0, begin) and the nodes covering [begin, end) compute the root of [0, end).
 */
export function appendSubtree(frontier: Frontier, level: number, hash: Uint8Array): Frontier {
  assertTreeNumber('level', level);
  assertHash('subtree hash', hash);
  if (frontier.size % 2 ** level !== 0) {
    throw new FrontierFormatError(
      `a subtree of level ${level} cannot start at leaf ${frontier.size}: not a multiple of ${2 ** level}`,
    );
  }
  return merge(frontier, level, hash);
}

function merge(
  frontier: Frontier,
  startLevel: number,
  subtreeHash: Uint8Array,
  onCompleted?: (node: CompletedNode) => void,
): Frontier {
  const hashes = frontier.hashes.slice();
  let hash: Uint8Array = subtreeHash;
  let level = startLevel;
  let index = frontier.size / 2 ** level;
  onCompleted?.({ level, index, hash });
  // Each set bit of the old size at or above this level is a complete left sibling waiting for it.
  while (Math.floor(frontier.size / 2 ** level) % 2 === 1) {
    const left = hashes.pop();
    if (left === undefined) throw new FrontierFormatError('fewer hashes than set bits in size');
    hash = hashChildren(left, hash);
    level++;
    index = Math.floor(index / 2);
    onCompleted?.({ level, index, hash });
  }
  hashes.push(hash);
  return { size: frontier.size + 2 ** startLevel, hashes };
}

/** Appends leaves in order and returns the new frontier with every node completed on the way. */
export function appendLeaves(
  frontier: Frontier,
  leafHashes: readonly Uint8Array[],
): { frontier: Frontier; completed: CompletedNode[] } {
  const completed: CompletedNode[] = [];
  let current = frontier;
  for (const leafHash of leafHashes) {
    current = appendLeaf(current, leafHash, (node) => completed.push(node));
  }
  return { frontier: current, completed };
}

/** RFC 6962 Merkle Tree Hash of the leaves the frontier covers. */
export function rootOf(frontier: Frontier): Uint8Array {
  const { hashes } = frontier;
  if (hashes.length === 0) return emptyRoot();
  let root = hashes[hashes.length - 1] as Uint8Array;
  for (let i = hashes.length - 2; i >= 0; i--) root = hashChildren(hashes[i] as Uint8Array, root);
  return root;
}

/** The node ids the frontier's hashes stand for, in the same order. */
export function frontierNodeIds(size: number): NodeId[] {
  assertTreeNumber('size', size);
  return rangeNodes(0, size);
}

export function frontierToJson(frontier: Frontier): FrontierJson {
  return { size: frontier.size, hashes: frontier.hashes.map(toHex) };
}

/** Parses a stored frontier, checking that it has exactly one 32-byte hash per set bit of size. */
export function frontierFromJson(json: unknown): Frontier {
  if (typeof json !== 'object' || json === null) throw new FrontierFormatError('not an object');
  const { size, hashes } = json as { size?: unknown; hashes?: unknown };
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new FrontierFormatError(
      `size ${JSON.stringify(size)} is not a non-negative safe integer`,
    );
  }
  if (!Array.isArray(hashes) || !hashes.every((h): h is string => typeof h === 'string')) {
    throw new FrontierFormatError('hashes is not an array of strings');
  }
  if (hashes.length !== popCount(size)) {
    throw new FrontierFormatError(
      `size ${size} needs ${popCount(size)} hashes, found ${hashes.length}`,
    );
  }
  return { size, hashes: hashes.map((h, i) => fromHex(h, `hashes[${i}]`, HASH_SIZE)) };
}
