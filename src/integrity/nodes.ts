/**
 * Addressing of the complete subtrees of a Merkle log, and the read interface a store offers.
 *
 * The node at (level, index) is the root of the perfect subtree over leaves
 * [index * 2^level, (index + 1) * 2^level). Level 0 nodes are leaf hashes. Once all of its leaves
 * exist a node never changes, so a store may cache it forever.
 */

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A node hash that became known while appending; a store persists these to serve proofs later. */
export interface CompletedNode extends NodeId {
  readonly hash: Uint8Array;
}

/** Map key for a node: "level/index". */
export function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

export interface NodeStore {
  /**
   * Returns the hash of every requested node, keyed by nodeKey. Every requested node must be
   * complete in the stored tree; a store that cannot find one throws MissingNodeError (a gap in
   * storage is an integrity failure, not an empty answer).
   */
  getNodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>>;
}

export class MissingNodeError extends Error {
  override readonly name = 'MissingNodeError';
  constructor(readonly missing: readonly NodeId[]) {
    super(`node store has no hash for ${missing.map(nodeKey).join(', ')}`);
  }
}

/** NodeStore over an in-process map: for tests, tools and trees rebuilt from an archive. */
export class MemoryNodeStore implements NodeStore {
  private readonly hashes = new Map<string, Uint8Array>();

  put(nodes: Iterable<CompletedNode>): void {
    for (const node of nodes) this.hashes.set(nodeKey(node), node.hash);
  }

  get size(): number {
    return this.hashes.size;
  }

  async getNodes(ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    const missing: NodeId[] = [];
    for (const id of ids) {
      const hash = this.hashes.get(nodeKey(id));
      if (hash === undefined) missing.push(id);
      else found.set(nodeKey(id), hash);
    }
    if (missing.length > 0) throw new MissingNodeError(missing);
    return found;
  }
}
