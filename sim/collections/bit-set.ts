/**
 * A set of small non-negative integers (peer ids) as bits in a typed array
 * that grows to the largest one added: an eighth of a byte per possible
 * member, where a Set<number> spends tens of bytes per member, on the heap
 * the garbage collector walks.
 */
export class BitSet {
  private words: Uint32Array;

  constructor(initialBits = 1024) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(initialBits / 32)));
  }

  has(n: number): boolean {
    const w = n >>> 5;
    return w < this.words.length && (this.words[w]! & (1 << (n & 31))) !== 0;
  }

  /** Adds `n`; false if it was there already. */
  add(n: number): boolean {
    const w = n >>> 5;
    if (w >= this.words.length) {
      const bigger = new Uint32Array(Math.max(w + 1, 2 * this.words.length));
      bigger.set(this.words);
      this.words = bigger;
    }
    const bit = 1 << (n & 31);
    if ((this.words[w]! & bit) !== 0) return false;
    this.words[w]! |= bit;
    return true;
  }
}
