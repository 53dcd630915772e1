/**
 * Identifiers on the Chord ring, without BigInt: an id of `bits` bits is
 * `words` = ceil(bits / 32) unsigned 32-bit words, most significant first,
 * stored at an offset in a Uint32Array (one big array holds every peer's id).
 * The top word keeps only the low `bits - 32·(words-1)` bits. All arithmetic
 * is modulo 2^bits. Tests check every function against a BigInt reference.
 */
export class IdSpace {
  readonly bits: number;
  readonly words: number;
  /** Mask of the bits the most significant word keeps. */
  readonly topMask: number;

  constructor(bits: number) {
    if (!Number.isInteger(bits) || bits < 1 || bits > 1024) throw new RangeError(`idBits must be an integer from 1 to 1024, got ${bits}`);
    this.bits = bits;
    this.words = Math.ceil(bits / 32);
    const top = bits - 32 * (this.words - 1);
    this.topMask = top === 32 ? 0xffffffff : (1 << top) - 1;
  }

  /** -1, 0 or 1 as a is below, equal to or above b (as unsigned integers). */
  cmp(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
    for (let i = 0; i < this.words; i++) {
      const x = a[ao + i]!;
      const y = b[bo + i]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  /** x ∈ (a, b] on the ring; (a, a] is the whole ring. */
  inOpenClosed(x: Uint32Array, xo: number, a: Uint32Array, ao: number, b: Uint32Array, bo: number): boolean {
    const ab = this.cmp(a, ao, b, bo);
    if (ab < 0) return this.cmp(a, ao, x, xo) < 0 && this.cmp(x, xo, b, bo) <= 0;
    if (ab > 0) return this.cmp(x, xo, a, ao) > 0 || this.cmp(x, xo, b, bo) <= 0;
    return true;
  }

  /** x ∈ (a, b) on the ring; (a, a) is the whole ring but a. */
  inOpen(x: Uint32Array, xo: number, a: Uint32Array, ao: number, b: Uint32Array, bo: number): boolean {
    const ab = this.cmp(a, ao, b, bo);
    if (ab < 0) return this.cmp(a, ao, x, xo) < 0 && this.cmp(x, xo, b, bo) < 0;
    if (ab > 0) return this.cmp(x, xo, a, ao) > 0 || this.cmp(x, xo, b, bo) < 0;
    return this.cmp(x, xo, a, ao) !== 0;
  }

  /** out = a + 2^i mod 2^bits (0 ≤ i < bits). `out` may be `a`. */
  addPow2(a: Uint32Array, ao: number, i: number, out: Uint32Array, oo: number): void {
    const w = this.words;
    if (out !== a || oo !== ao) for (let k = 0; k < w; k++) out[oo + k] = a[ao + k]!;
    let k = w - 1 - (i >>> 5);
    let add = (1 << (i & 31)) >>> 0;
    while (k >= 0 && add !== 0) {
      const s = out[oo + k]! + add;
      out[oo + k] = s >>> 0;
      add = s > 0xffffffff ? 1 : 0;
      k--;
    }
    out[oo] = out[oo]! & this.topMask;
  }

  /**
   * The index of the highest set bit of (b - a) mod 2^bits, or -1 if a = b:
   * the largest i with a + 2^i in (a, b], i.e. the highest finger whose start
   * does not pass b.
   */
  distanceLog2(a: Uint32Array, ao: number, b: Uint32Array, bo: number): number {
    const w = this.words;
    // Subtract from the least significant word, remembering the borrow; keep the highest non-zero word.
    let borrow = 0;
    let high = -1;
    let highWord = 0;
    for (let k = w - 1; k >= 0; k--) {
      let d = b[bo + k]! - a[ao + k]! - borrow;
      if (d < 0) {
        d += 0x100000000;
        borrow = 1;
      } else borrow = 0;
      if (k === 0) d = (d & this.topMask) >>> 0;
      if (d !== 0) {
        high = k;
        highWord = d;
      }
    }
    if (high < 0) return -1;
    return 32 * (w - 1 - high) + 31 - Math.clz32(highWord);
  }

  /**
   * Writes the id of workload key `key` (or of peer `peer`, with a different
   * salt) to out[oo..]: word k is murmur3's 32-bit finaliser applied to
   * (value · 0x9e3779b1 + salt + k · 0x85ebca77). A fixed, well-mixed
   * function, so ids look uniform and every run gets the same ones.
   */
  hash(value: number, salt: number, out: Uint32Array, oo: number): void {
    const lo = value >>> 0;
    const hi = Math.floor(value / 0x100000000) >>> 0;
    for (let k = 0; k < this.words; k++) {
      let h = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + 0x632be5ab, 0xc2b2ae3d)) + salt + Math.imul(k + 1, 0x85ebca77);
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      out[oo + k] = h >>> 0;
    }
    out[oo] = out[oo]! & this.topMask;
  }
}

/** Salts for `IdSpace.hash`: keys and peers live in the same id space but hash differently. */
export const KEY_SALT = 0x4b455953; // "KEYS"
export const PEER_SALT = 0x50454552; // "PEER"
