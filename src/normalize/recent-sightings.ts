/**
 * Which texts were seen recently, approximately and in constant memory: a Bloom filter with two probes
 * over a 32-bit FNV-1a hash of the UTF-16 code units. It may answer "seen" for a text it never saw (a
 * false positive, rare while it is sparse), never the reverse. It starts afresh after `resetAfter`
 * texts were added, so it stays sparse.
 */
export class RecentSightings {
  private readonly words: Int32Array;
  private readonly mask: number;
  private added = 0;

  /** Preconditions: `bits` is a power of two, at least 32; resetAfter is well below `bits`. */
  constructor(
    bits: number,
    private readonly resetAfter: number,
  ) {
    this.words = new Int32Array(bits >>> 5);
    this.mask = bits - 1;
  }

  /** Records `text` and tells whether it had (probably) been recorded since the last fresh start. */
  sawBefore(text: string): boolean {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    }
    // Two probes from one hash: the hash itself, and the hash remixed (multiplied by the golden ratio).
    const first = hash & this.mask;
    const second = (Math.imul(hash, 0x9e3779b1) >>> 13) & this.mask;
    if (this.has(first) && this.has(second)) {
      return true;
    }
    if (++this.added > this.resetAfter) {
      this.words.fill(0);
      this.added = 1;
    }
    this.set(first);
    this.set(second);
    return false;
  }

  private has(bit: number): boolean {
    return ((this.words[bit >>> 5] ?? 0) & (1 << (bit & 31))) !== 0;
  }

  private set(bit: number): void {
    this.words[bit >>> 5] = (this.words[bit >>> 5] ?? 0) | (1 << (bit & 31));
  }
}
