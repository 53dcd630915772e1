import type { PeerId } from "../../peers/population.js";
import type { KadIds } from "./ids.js";
import { sortById } from "../shared/sort-by-id.js";

/**
 * The online peers sorted by id: an observer's view, never the protocol's.
 * The oracle bootstrap fills buckets from it and the checks of lookup
 * answers (`lookupsExactKClosest`) compare against it. It follows joins,
 * leaves and crashes as the simulation reports them.
 *
 * Why sorted order: the ids sharing a prefix form one contiguous run of it,
 * so every k-bucket's candidates are a run found by binary search on one
 * bit, and the k closest ids to a target (by XOR) are found by walking down
 * the prefix tree: take the whole half on the target's side if it has
 * fewer than needed, then continue in the other half.
 */
export class LiveIndex {
  /** Online peers in id order: sorted[0 .. size). */
  private sorted = new Int32Array(64);
  /**
   * The top word of each of those ids, side by side (sortedTop[i] is the top
   * word of sorted[i]'s id): binary searches on the first 32 bits probe this
   * compact array instead of one id row per probe, scattered over memory.
   */
  private sortedTop = new Uint32Array(64);
  size = 0;

  constructor(private readonly ids: KadIds) {}

  /** The peers in id order (a copy). */
  peers(): PeerId[] {
    return Array.from(this.sorted.subarray(0, this.size));
  }

  /** Rebuilds the index from a set of peers. */
  build(peers: readonly PeerId[]): void {
    const ids = this.ids;
    const sorted = Int32Array.from(peers);
    sortById(sorted, ids.ids, ids.W, 32 - ids.pad);
    this.sorted = new Int32Array(Math.max(64, sorted.length * 2));
    this.sorted.set(sorted);
    this.sortedTop = new Uint32Array(this.sorted.length);
    for (let i = 0; i < sorted.length; i++) this.sortedTop[i] = ids.top[sorted[i]!]!;
    this.size = sorted.length;
  }

  insert(peer: PeerId): void {
    if (this.size === this.sorted.length) {
      const bigger = new Int32Array(this.sorted.length * 2);
      bigger.set(this.sorted);
      this.sorted = bigger;
      const biggerTop = new Uint32Array(bigger.length);
      biggerTop.set(this.sortedTop);
      this.sortedTop = biggerTop;
    }
    const at = this.lowerBound(peer);
    this.sorted.copyWithin(at + 1, at, this.size);
    this.sortedTop.copyWithin(at + 1, at, this.size);
    this.sorted[at] = peer;
    this.sortedTop[at] = this.ids.top[peer]!;
    this.size++;
  }

  remove(peer: PeerId): void {
    const at = this.indexOf(peer);
    if (at < 0) return;
    this.sorted.copyWithin(at, at + 1, this.size);
    this.sortedTop.copyWithin(at, at + 1, this.size);
    this.size--;
  }

  /** Position of `peer`, or -1 if it is not online. */
  indexOf(peer: PeerId): number {
    for (let i = this.lowerBound(peer); i < this.size; i++) {
      if (this.sorted[i] === peer) return i;
      if (this.cmpPeers(this.sorted[i]!, peer) > 0) break;
    }
    return -1;
  }

  /** First position whose peer sorts at or after `peer` (by id, then peer number). */
  private lowerBound(peer: PeerId): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmpPeers(this.sorted[mid]!, peer) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private cmpPeers(a: PeerId, b: PeerId): number {
    const ids = this.ids;
    return ids.cmp(ids.ids, a * ids.W, ids.ids, b * ids.W) || a - b;
  }

  /**
   * In [lo, hi), whose ids all share the bits above position `pos`, the
   * first position whose `width`-bit digit at `pos` is ≥ `digit` (sorted
   * order makes the digit non-decreasing along the run).
   */
  split(lo: number, hi: number, pos: number, width: number, digit: number): number {
    const topBits = 32 - this.ids.pad;
    if (pos + width <= topBits) {
      // Within the top word: search the compact copy.
      const top = this.sortedTop;
      const shift = topBits - pos - width;
      const mask = (1 << width) - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (((top[mid]! >>> shift) & mask) < digit) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    const ids = this.ids;
    const all = ids.ids;
    const W = ids.W;
    const sorted = this.sorted;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const d = width === 1 ? ids.bit(all, sorted[mid]! * W, pos) : ids.bitsAt(all, sorted[mid]! * W, pos, width);
      if (d < digit) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  at(i: number): PeerId {
    return this.sorted[i]!;
  }

  /** The online peers in id order, as a view (valid until the next change; not to be written). */
  view(): Int32Array {
    return this.sorted.subarray(0, this.size);
  }

  /**
   * Writes to `out` the `want` online peers closest to the id at t[to..] by
   * XOR, `exclude` left out (in no particular order); returns how many.
   */
  kClosest(t: Uint32Array, to: number, want: number, exclude: PeerId, out: Int32Array): number {
    const ids = this.ids;
    const sorted = this.sorted;
    const ex = exclude >= 0 ? this.indexOf(exclude) : -1;
    const inRange = (lo: number, hi: number) => (ex >= lo && ex < hi ? 1 : 0);
    let n = 0;
    const takeAll = (lo: number, hi: number, limit: number) => {
      for (let i = lo; i < hi && n < limit; i++) if (i !== ex) out[n++] = sorted[i]!;
    };
    let lo = 0;
    let hi = this.size;
    let pos = 0;
    let need = want;
    while (need > 0 && hi > lo) {
      if (hi - lo - inRange(lo, hi) <= need || pos >= ids.bits) {
        takeAll(lo, hi, n + need);
        return n;
      }
      const mid = this.split(lo, hi, pos, 1, 1);
      const [nearLo, nearHi, farLo, farHi] = ids.bit(t, to, pos) === 0 ? [lo, mid, mid, hi] : [mid, hi, lo, mid];
      const nearCount = nearHi - nearLo - inRange(nearLo, nearHi);
      if (nearCount >= need) {
        lo = nearLo;
        hi = nearHi;
      } else {
        takeAll(nearLo, nearHi, n + nearCount);
        need -= nearCount;
        lo = farLo;
        hi = farHi;
      }
      pos++;
    }
    return n;
  }
}
