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
  /** Slot i is slots[4i..4i+3]: a (NONE when empty), b, value, unused: one slot, one cache line. */
  private slots: Int32Array<ArrayBuffer>;
  private mask: number;
  private used = 0;

  constructor(initialSlots = 1024) {
    let size = 16;
    while (size < initialSlots) size *= 2;
    this.slots = emptySlots(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.used;
  }

  /** The value of (a, b), or -1. */
  get(a: number, b: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let s = hash(a, b) & mask; ; s = (s + 1) & mask) {
      const k = slots[s << 2]!;
      if (k === NONE) return NONE;
      if (k === a && slots[(s << 2) + 1] === b) return slots[(s << 2) + 2]!;
    }
  }

  /** Sets the value of (a, b) (value ≥ 0). */
  set(a: number, b: number, value: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let s = hash(a, b) & mask;
    for (; ; s = (s + 1) & mask) {
      const k = slots[s << 2]!;
      if (k === NONE) break;
      if (k === a && slots[(s << 2) + 1] === b) {
        slots[(s << 2) + 2] = value;
        return;
      }
    }
    if ((this.used + 1) * 2 > mask + 1) {
      this.rehash((mask + 1) * 2);
      this.set(a, b, value);
      return;
    }
    slots[s << 2] = a;
    slots[(s << 2) + 1] = b;
    slots[(s << 2) + 2] = value;
    this.used++;
  }

  /** Removes (a, b); false if it was not there. */
  delete(a: number, b: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    let gap = hash(a, b) & mask;
    for (; ; gap = (gap + 1) & mask) {
      const k = slots[gap << 2]!;
      if (k === NONE) return false;
      if (k === a && slots[(gap << 2) + 1] === b) break;
    }
    for (let s = (gap + 1) & mask; slots[s << 2] !== NONE; s = (s + 1) & mask) {
      const home = hash(slots[s << 2]!, slots[(s << 2) + 1]!) & mask;
      // The entry at s must stay if its home lies cyclically in (gap, s]: moving it would put it before its home.
      if (gap <= s ? gap < home && home <= s : gap < home || home <= s) continue;
      slots[gap << 2] = slots[s << 2]!;
      slots[(gap << 2) + 1] = slots[(s << 2) + 1]!;
      slots[(gap << 2) + 2] = slots[(s << 2) + 2]!;
      gap = s;
    }
    slots[gap << 2] = NONE;
    this.used--;
    return true;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = emptySlots(size);
    this.mask = size - 1;
    this.used = 0;
    for (let i = 0; i < old.length; i += 4) if (old[i] !== NONE) this.set(old[i]!, old[i + 1]!, old[i + 2]!);
  }
}

function emptySlots(size: number): Int32Array<ArrayBuffer> {
  const slots = new Int32Array(size * 4);
  for (let i = 0; i < slots.length; i += 4) slots[i] = NONE;
  return slots;
}

function hash(a: number, b: number): number {
  const h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x632be5ab, 0x85ebca6b);
  // Fold the high bits in: the low bits of a product depend only on the low bits of its factors.
  return (h ^ (h >>> 15)) & 0x7fffffff;
}
