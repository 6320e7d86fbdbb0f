import type { Draft } from './events';

/**
 * Pending events ordered by time; events at the same millisecond keep the order they were added in, so
 * the emitted stream is fully determined by the order of scheduling. A binary min-heap.
 */
export class Timeline {
  private readonly heap: { readonly draft: Draft; readonly seq: number }[] = [];
  private added = 0;

  get size(): number {
    return this.heap.length;
  }

  add(draft: Draft): void {
    this.heap.push({ draft, seq: this.added++ });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Time of the earliest pending event, or undefined when none is pending. */
  peekTime(): number | undefined {
    return this.heap[0]?.draft.time;
  }

  /** Removes and returns the earliest pending event. Precondition: size > 0. */
  take(): Draft {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined)
      throw new RangeError('take from an empty timeline');
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < this.heap.length && this.before(left, smallest)) smallest = left;
        if (right < this.heap.length && this.before(right, smallest)) smallest = right;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top.draft;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a] as (typeof this.heap)[number];
    const y = this.heap[b] as (typeof this.heap)[number];
    return x.draft.time < y.draft.time || (x.draft.time === y.draft.time && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a] as (typeof this.heap)[number];
    this.heap[a] = this.heap[b] as (typeof this.heap)[number];
    this.heap[b] = x;
  }
}
