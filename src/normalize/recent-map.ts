/**
 * A bounded memo of recent entries, approximately least-recently-used at the cost of two Map probes:
 * entries live in two generations. When the current generation holds `maxEntries` entries, or entries
 * weighing `maxWeight` in total, the older generation is dropped and the current one takes its place;
 * an entry found in the older generation moves to the current one. So what keeps recurring stays, and
 * at most two generations' worth is ever held.
 */
export class RecentMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();
  private currentWeight = 0;

  /**
   * `weigh` gives what an entry costs against `maxWeight`, e.g. the length of the strings it holds.
   * Preconditions: maxEntries >= 1; no single entry weighs more than maxWeight.
   */
  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
    private readonly weigh: (key: K, value: V) => number = () => 0,
  ) {}

  get(key: K): V | undefined {
    const value = this.current.get(key);
    if (value !== undefined) {
      return value;
    }
    const older = this.previous.get(key);
    if (older !== undefined) {
      this.previous.delete(key);
      this.set(key, older);
    }
    return older;
  }

  set(key: K, value: V): void {
    const weight = this.weigh(key, value);
    if (this.current.size >= this.maxEntries || this.currentWeight + weight > this.maxWeight) {
      this.previous = this.current;
      this.current = new Map();
      this.currentWeight = 0;
    }
    this.current.set(key, value);
    this.currentWeight += weight;
  }
}

/**
 * A copy of `text` that keeps no longer string alive, for use as a memo key. V8 represents a slice of
 * 13 or more characters as a view into the string it was cut from, so a remembered word could hold on
 * to a whole statement, or a remembered value to a whole event. Concatenating makes a new string, and
 * slicing that flattens it into storage of its own, one character longer than `text`. It copies, so call
 * it when inserting, not when looking up.
 */
export function detachedCopy(text: string): string {
  return (text + ' ').slice(0, -1);
}
