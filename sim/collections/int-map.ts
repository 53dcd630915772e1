/**
 * A hash map from non-negative integers to integers, with open addressing
 * and linear probing over typed arrays. It has no delete: peers use it for
 * memories that are dropped whole (see the seen-tables of the unstructured
 * overlay), and without tombstones lookups stay short. Several times faster
 * than a Map<number, number> on the message hot path, and far smaller.
 */
const EMPTY = -1;

export class IntMap {
  private keys: Int32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Int32Array(cap).fill(EMPTY);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The value stored for `key`, or `missing` if there is none. */
  get(key: number, missing: number): number {
    const keys = this.keys;
    let i = hash(key) & this.mask;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return this.values[i]!;
      if (k === EMPTY) return missing;
      i = (i + 1) & this.mask;
    }
  }

  set(key: number, value: number): void {
    if (key < 0 || key > 0x7fffffff) throw new RangeError(`IntMap: key must be an integer in [0, 2^31), got ${key}`);
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    let i = hash(key) & this.mask;
    for (;;) {
      const k = keys[i]!;
      if (k === key) break;
      if (k === EMPTY) {
        keys[i] = key;
        this.count++;
        break;
      }
      i = (i + 1) & this.mask;
    }
    this.values[i] = value;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Int32Array(oldKeys.length * 2).fill(EMPTY);
    this.values = new Int32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    // Re-insert without set()'s checks: the keys are known valid and distinct.
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j]!;
      if (key === EMPTY) continue;
      let i = hash(key) & mask;
      while (keys[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = key;
      values[i] = oldValues[j]!;
    }
  }
}

/** Scrambles sequential ids so linear probing does not cluster them (a multiplicative hash). */
function hash(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 0;
}
