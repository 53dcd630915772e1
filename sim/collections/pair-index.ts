const NONE = -1;

/**
 * A hash map from pairs of non-negative integers (a peer and another peer,
 * a peer and a CID number) to non-negative integers, over typed arrays:
 * open addressing with linear probing; a deletion shifts the later entries
 * of its probe run back into the gap, so there are no tombstones and
 * lookups stay short however many entries come and go. Nothing is
 * allocated per entry.
 */
export class PairIndex {
  private keyA: Int32Array<ArrayBuffer>;
  private keyB: Int32Array<ArrayBuffer>;
  private values: Int32Array<ArrayBuffer>;
  private used = 0;

  constructor(initialSlots = 1024) {
    let size = 16;
    while (size < initialSlots) size *= 2;
    this.keyA = new Int32Array(size).fill(NONE);
    this.keyB = new Int32Array(size);
    this.values = new Int32Array(size);
  }

  get size(): number {
    return this.used;
  }

  /** The value of (a, b), or -1. */
  get(a: number, b: number): number {
    const keyA = this.keyA;
    const mask = keyA.length - 1;
    for (let s = hash(a, b) & mask; ; s = (s + 1) & mask) {
      const k = keyA[s]!;
      if (k === NONE) return NONE;
      if (k === a && this.keyB[s] === b) return this.values[s]!;
    }
  }

  /** Sets the value of (a, b) (value ≥ 0). */
  set(a: number, b: number, value: number): void {
    const keyA = this.keyA;
    const mask = keyA.length - 1;
    let s = hash(a, b) & mask;
    for (; ; s = (s + 1) & mask) {
      const k = keyA[s]!;
      if (k === NONE) break;
      if (k === a && this.keyB[s] === b) {
        this.values[s] = value;
        return;
      }
    }
    if ((this.used + 1) * 2 > keyA.length) {
      this.rehash(keyA.length * 2);
      this.set(a, b, value);
      return;
    }
    keyA[s] = a;
    this.keyB[s] = b;
    this.values[s] = value;
    this.used++;
  }

  /** Removes (a, b); false if it was not there. */
  delete(a: number, b: number): boolean {
    const keyA = this.keyA;
    const keyB = this.keyB;
    const mask = keyA.length - 1;
    let gap = hash(a, b) & mask;
    for (; ; gap = (gap + 1) & mask) {
      const k = keyA[gap]!;
      if (k === NONE) return false;
      if (k === a && keyB[gap] === b) break;
    }
    for (let s = (gap + 1) & mask; keyA[s] !== NONE; s = (s + 1) & mask) {
      const home = hash(keyA[s]!, keyB[s]!) & mask;
      // The entry at s must stay if its home lies cyclically in (gap, s]: moving it would put it before its home.
      if (gap <= s ? gap < home && home <= s : gap < home || home <= s) continue;
      keyA[gap] = keyA[s]!;
      keyB[gap] = keyB[s]!;
      this.values[gap] = this.values[s]!;
      gap = s;
    }
    keyA[gap] = NONE;
    this.used--;
    return true;
  }

  private rehash(size: number): void {
    const { keyA, keyB, values } = this;
    this.keyA = new Int32Array(size).fill(NONE);
    this.keyB = new Int32Array(size);
    this.values = new Int32Array(size);
    this.used = 0;
    for (let s = 0; s < keyA.length; s++) if (keyA[s] !== NONE) this.set(keyA[s]!, keyB[s]!, values[s]!);
  }
}

function hash(a: number, b: number): number {
  const h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x632be5ab, 0x85ebca6b);
  // Fold the high bits in: the low bits of a product depend only on the low bits of its factors.
  return (h ^ (h >>> 15)) & 0x7fffffff;
}
