import { quoteJsonString } from './quote';

/** How to write the members of an object whose Object.keys() is a given list. */
export interface MemberPlan {
  /** The keys sorted by UTF-16 code units (RFC 8785 §3.2.3): the order members are written in. */
  readonly keys: readonly string[];
  /** `{"key":` for each sorted key: the text before the first member written. */
  readonly opening: readonly string[];
  /** `,"key":` for each sorted key: the text before every later member. */
  readonly following: readonly string[];
}

const EMPTY_PLAN: MemberPlan = { keys: [], opening: [], following: [] };

/** Objects with more keys, or a longer key, get a plan that is not remembered. */
const MAX_REMEMBERED_KEYS = 64;
const MAX_REMEMBERED_KEY_LENGTH = 256;
/** The memory bound: the trie starts afresh when it holds this many nodes. */
const MAX_NODES = 4096;

class KeyListNode {
  readonly children = new Map<string, KeyListNode>();
  plan: MemberPlan | undefined = undefined;
}

let root = new KeyListNode();
let nodeCount = 0;

/**
 * The plan for an object whose Object.keys() returned `keys`. Records repeat a few object shapes (the
 * event envelope, actor, outcome, ...) in every event, so plans are remembered in a trie keyed by the key
 * list in its enumeration order: a lookup is one Map probe per key with strings whose hashes V8 has
 * already computed, instead of a sort and a quoting of every key per object.
 *
 * The plan depends only on the list of keys, never on the values, so sharing it between objects is
 * safe; integer-like keys need no special care because the trie is keyed by the order Object.keys
 * reports and the plan sorts them as strings.
 */
export function memberPlanOf(keys: readonly string[]): MemberPlan {
  if (keys.length === 0) {
    return EMPTY_PLAN;
  }
  if (keys.length > MAX_REMEMBERED_KEYS) {
    return planFor(keys);
  }
  let node = root;
  for (const key of keys) {
    let child = node.children.get(key);
    if (child === undefined) {
      if (key.length > MAX_REMEMBERED_KEY_LENGTH) {
        return planFor(keys);
      }
      if (nodeCount >= MAX_NODES) {
        root = new KeyListNode();
        nodeCount = 0;
        return planFor(keys);
      }
      child = new KeyListNode();
      node.children.set(key, child);
      nodeCount++;
    }
    node = child;
  }
  return (node.plan ??= planFor(keys));
}

function planFor(keys: readonly string[]): MemberPlan {
  // Array.prototype.sort without a comparator compares UTF-16 code units, as RFC 8785 requires.
  const sorted = keys.slice().sort();
  return {
    keys: sorted,
    opening: sorted.map((key) => '{' + quoteJsonString(key) + ':'),
    following: sorted.map((key) => ',' + quoteJsonString(key) + ':'),
  };
}
