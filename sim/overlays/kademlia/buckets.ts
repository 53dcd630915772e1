import type { PeerId } from "../../peers/population.js";
import type { KadIds } from "./ids.js";
import { BucketTable } from "./bucket-table.js";

/**
 * Every peer's k-buckets (bucket-table.ts: where contacts live and the
 * paper's update rule) and the question routing asks of them: which of a
 * peer's contacts are closest to an id, exactly, without sorting the table.
 */
export class Buckets extends BucketTable {
  /** Scratch for the closest-contacts selection: contacts, and the top words of their distances. */
  private readonly scratch: Int32Array;
  private readonly scratchKeys: Uint32Array;

  constructor(
    ids: KadIds,
    options: { k: number; b: number; replacements: number; staleAfter: number; probe?: "immediate" | "delayed" },
    capacity: number,
  ) {
    super(ids, options, capacity);
    this.scratch = new Int32Array(this.S * (1 << (this.b - 1)) + 1);
    this.scratchKeys = new Uint32Array(this.scratch.length);
  }

  // ── The k closest ─────────────────────────────────────────────────

  /**
   * Writes to `out` the (at most) `want` contacts of `peer` closest to the
   * id at t[to..], skipping `exclude`; returns how many. Exact, and cheap:
   * buckets never overlap in distance. Group the buckets by the bit position
   * s (from the top) where their contacts first differ from the peer; a
   * contact c in group s has c ⊕ t equal to x = peer ⊕ t above s and the
   * opposite of x's bit at s. So the groups where x has a 1 come first, in
   * increasing s, then those where x has a 0, in decreasing s; only the last
   * group taken needs sorting by exact distance. (With b = 1 a group is one
   * bucket; with larger b the 2^(b−1) … buckets of a level sharing a first
   * differing bit.)
   */
  closest(peer: PeerId, t: Uint32Array, to: number, want: number, exclude: PeerId, out: Int32Array): number {
    const maxLevel = this.maxLevel[peer]!;
    if (maxLevel < 0 || want <= 0) return 0;
    const lastPos = this.lastGroup(maxLevel);
    const diffTop = (this.ids.top[peer]! ^ t[to]!) >>> 0;
    const cpl = this.targetPrefix(peer, diffTop, t, to);
    let n = 0;
    // Groups where the target differs from the peer: nearest first. Above the common prefix they agree.
    for (let s = cpl; s <= lastPos && n < want; s++) {
      if (this.targetDiffers(peer, diffTop, t, to, s)) n = this.takeGroup(peer, s, t, to, want, exclude, out, n);
    }
    // Then groups where it agrees, from the deepest up (above the common prefix all agree).
    for (let s = lastPos; s >= 0 && n < want; s--) {
      if (s < cpl || !this.targetDiffers(peer, diffTop, t, to, s)) n = this.takeGroup(peer, s, t, to, want, exclude, out, n);
    }
    return n;
  }

  /**
   * True if some contact of `peer` other than `exclude` is closer to the id
   * at t[to..] than the peer itself: what `closest(…, 1, exclude, …)` and a
   * comparison would tell, without ordering anyone. By the grouping of
   * `closest`, the contacts of group s are all closer than the peer when the
   * target differs from the peer at s, and all farther when it agrees; so
   * the answer is whether the target differs from the peer at a group with
   * such a contact. `occupied`, from `occupiedGroups(peer, exclude)`, tells
   * that for every group in the top word at once; pass it when asking about
   * many targets with the same table.
   */
  hasCloserThanSelf(peer: PeerId, t: Uint32Array, to: number, exclude: PeerId, occupied = this.occupiedGroups(peer, exclude)): boolean {
    const diffTop = (this.ids.top[peer]! ^ t[to]!) >>> 0;
    if ((diffTop & occupied) !== 0) return true;
    const maxLevel = this.maxLevel[peer]!;
    if (maxLevel < 0) return false;
    // Groups past the top word (only where ids share their first 32 bits).
    const lastPos = this.lastGroup(maxLevel);
    for (let s = Math.max(32 - this.ids.pad, this.targetPrefix(peer, diffTop, t, to)); s <= lastPos; s++) {
      if (this.targetDiffers(peer, diffTop, t, to, s) && this.groupHasOther(peer, s, exclude)) return true;
    }
    return false;
  }

  /**
   * The groups in the top word (positions s < 32 − pad) where `peer` has a
   * contact other than `exclude`, as a mask laid over the top word of an id:
   * group s is the bit that holds position s.
   */
  occupiedGroups(peer: PeerId, exclude: PeerId): number {
    const maxLevel = this.maxLevel[peer]!;
    if (maxLevel < 0) return 0;
    const topBits = 32 - this.ids.pad;
    const end = Math.min(this.lastGroup(maxLevel), topBits - 1);
    let mask = 0;
    for (let s = 0; s <= end; s++) if (this.groupHasOther(peer, s, exclude)) mask |= 1 << (topBits - 1 - s);
    return mask;
  }

  /**
   * How many contacts of `peer` other than `contact` are no farther from the
   * id at t[to..] than `contact` is, counted up to `limit` (a larger count
   * is returned as `limit`). "Fewer than k" is what `closest(…, k, contact,
   * …)` and a comparison with the farthest of them would tell, without
   * ordering anyone. Let sc be the position where `contact` first differs
   * from the peer. A group s before sc is closer than `contact` exactly when
   * the target differs from the peer at s (see `hasCloserThanSelf`); a group
   * after sc agrees with the peer at sc where `contact` does not, so all of
   * it is closer exactly when the target agrees with the peer at sc. Only
   * group sc itself needs exact comparisons.
   */
  countNoFarther(peer: PeerId, t: Uint32Array, to: number, contact: PeerId, limit: number): number {
    const maxLevel = this.maxLevel[peer]!;
    if (maxLevel < 0 || limit <= 0) return 0;
    const ids = this.ids;
    const lastPos = this.lastGroup(maxLevel);
    const diffTop = (ids.top[peer]! ^ t[to]!) >>> 0;
    const sc = ids.commonPrefixOfPeers(peer, contact);
    const laterCloser = sc < ids.bits && !this.targetDiffers(peer, diffTop, t, to, sc);
    const end = laterCloser ? lastPos : Math.min(sc, lastPos);
    let n = 0;
    // Above both common prefixes neither the target nor `contact` differs from the peer: nothing closer there.
    for (let s = Math.min(sc, this.targetPrefix(peer, diffTop, t, to)); s <= end && n < limit; s++) {
      if (s < sc) {
        if (this.targetDiffers(peer, diffTop, t, to, s)) n += this.groupSize(peer, s);
      } else if (s > sc) n += this.groupSize(peer, s);
      else n += this.groupNoFarther(peer, s, t, to, contact);
    }
    return Math.min(n, limit);
  }

  /** The last position that can have a group: the end of the peer's deepest level. */
  private lastGroup(maxLevel: number): number {
    return Math.min(this.ids.bits, (maxLevel + 1) * this.b) - 1;
  }

  /**
   * Where the peer and the target first differ, given `diffTop`, the XOR of
   * their top words (nearly always decisive), from the full ids otherwise.
   */
  private targetPrefix(peer: PeerId, diffTop: number, t: Uint32Array, to: number): number {
    const ids = this.ids;
    return diffTop !== 0 ? Math.clz32(diffTop) - ids.pad : ids.commonPrefix(ids.ids, peer * ids.W, t, to);
  }

  /** 1 if the target differs from the peer at position s, else 0: from `diffTop` for the first 32 bits (nearly every group a peer has), from the full ids below that. */
  private targetDiffers(peer: PeerId, diffTop: number, t: Uint32Array, to: number, s: number): number {
    const ids = this.ids;
    const topBits = 32 - ids.pad;
    return s < topBits ? (diffTop >>> (topBits - 1 - s)) & 1 : ids.bit(ids.ids, peer * ids.W, s) ^ ids.bit(t, to, s);
  }

  /** The first bucket of group s: its buckets are [first, first + 2^pos), pos being the place of bit s in its digit (`groupPlace`). */
  private groupFirst(s: number, pos: number): number {
    return Math.floor(s / this.b) * this.perLevel + (1 << pos) - 1;
  }

  /** The place of bit s in its digit, from the digit's least significant end. */
  private groupPlace(s: number): number {
    const b = this.b;
    const L = Math.floor(s / b);
    const width = Math.min(b, this.ids.bits - L * b);
    return L * b + width - 1 - s;
  }

  /** Contacts of `peer` in group s. */
  private groupSize(peer: PeerId, s: number): number {
    const pos = this.groupPlace(s);
    const first = this.groupFirst(s, pos);
    const last = first + (1 << pos);
    let size = 0;
    for (let bucket = first; bucket < last; bucket++) {
      const slab = this.slabOf(peer, bucket, false);
      if (slab >= 0) size += this.sizeOf(slab);
    }
    return size;
  }

  /** True if group s of `peer` has a contact other than `exclude`. */
  private groupHasOther(peer: PeerId, s: number, exclude: PeerId): boolean {
    const pos = this.groupPlace(s);
    const first = this.groupFirst(s, pos);
    const last = first + (1 << pos);
    for (let bucket = first; bucket < last; bucket++) {
      const slab = this.slabOf(peer, bucket, false);
      if (slab < 0) continue;
      const m = this.sizeOf(slab);
      if (m > 1 || (m === 1 && this.pool[this.base(slab)] !== exclude)) return true;
    }
    return false;
  }

  /** Contacts of `peer` in group s, other than `contact`, no farther from the target than `contact`. */
  private groupNoFarther(peer: PeerId, s: number, t: Uint32Array, to: number, contact: PeerId): number {
    const pos = this.groupPlace(s);
    const first = this.groupFirst(s, pos);
    const last = first + (1 << pos);
    const pool = this.pool;
    const ids = this.ids;
    let n = 0;
    for (let bucket = first; bucket < last; bucket++) {
      const slab = this.slabOf(peer, bucket, false);
      if (slab < 0) continue;
      const base = this.base(slab);
      const m = this.sizeOf(slab);
      for (let i = 0; i < m; i++) {
        const c = pool[base + i]!;
        if (c !== contact && ids.cmpPeerDistance(t, to, c, contact) <= 0) n++;
      }
    }
    return n;
  }

  /** Appends the contacts of group s to out[n..], the closest ones only if they do not all fit. */
  private takeGroup(peer: PeerId, s: number, t: Uint32Array, to: number, want: number, exclude: PeerId, out: Int32Array, n: number): number {
    const pos = this.groupPlace(s);
    const first = this.groupFirst(s, pos);
    const last = first + (1 << pos);
    const pool = this.pool;
    let size = 0;
    let single = -1;
    for (let bucket = first; bucket < last; bucket++) {
      const slab = this.slabOf(peer, bucket, false);
      if (slab < 0) continue;
      size += this.sizeOf(slab);
      single = slab;
    }
    if (size === 0) return n;
    if (n + size <= want && last - first === 1) {
      // The common case: the whole bucket fits.
      const base = this.base(single);
      const m = this.sizeOf(single);
      for (let i = 0; i < m; i++) {
        const c = pool[base + i]!;
        if (c !== exclude) out[n++] = c;
      }
      return n;
    }
    // Gather the group, then keep the closest (insertion sort: groups hold at most S·2^(b−1) contacts).
    const g = this.scratch;
    let gn = 0;
    for (let bucket = first; bucket < last; bucket++) {
      const slab = this.slabOf(peer, bucket, false);
      if (slab < 0) continue;
      const base = this.base(slab);
      const m = this.sizeOf(slab);
      for (let i = 0; i < m; i++) {
        const c = pool[base + i]!;
        if (c !== exclude) g[gn++] = c;
      }
    }
    if (n + gn <= want) {
      for (let i = 0; i < gn; i++) out[n++] = g[i]!;
      return n;
    }
    return this.takeClosest(gn, t, to, want, out, n);
  }

  /**
   * Appends to out[n..want) the closest of the gathered contacts scratch[0..gn)
   * (more than fit), nearest first. Apart from takeGroup, and with no
   * closure: a closure here made V8 allocate its context on every call of
   * takeGroup, the common whole-bucket case included.
   */
  private takeClosest(gn: number, t: Uint32Array, to: number, want: number, out: Int32Array, n: number): number {
    const g = this.scratch;
    // Each contact's top distance word is computed once (key), so comparisons
    // are integer ones; equal keys go to the full ids.
    const ids = this.ids;
    const top = ids.top;
    const t0 = t[to]!;
    const key = this.scratchKeys;
    for (let i = 0; i < gn; i++) key[i] = (top[g[i]!]! ^ t0) >>> 0;
    if (want - n <= 2) {
      // Room for one or two: pick the nearest by a scan (per slot), no sort.
      for (let r = 0; n < want; r++) {
        let best = r;
        for (let i = r + 1; i < gn; i++) {
          if (key[i]! < key[best]! || (key[i] === key[best] && ids.cmpPeerDistance(t, to, g[i]!, g[best]!) < 0)) best = i;
        }
        const c = g[best]!;
        g[best] = g[r]!;
        key[best] = key[r]!;
        out[n++] = c;
      }
      return n;
    }
    // The m that fit, by a bounded insertion sort: g[0..kept) stays sorted (stably, as a full sort
    // would be), and once m are kept a contact gets in only if it is closer than the farthest of them.
    const m = want - n;
    let kept = 1;
    for (let i = 1; i < gn; i++) {
      const c = g[i]!;
      const kc = key[i]!;
      let j = kept - 1;
      if (kept === m) {
        if (!(kc < key[j]! || (kc === key[j] && ids.cmpPeerDistance(t, to, c, g[j]!) < 0))) continue;
        j--; // the farthest kept makes room
      } else kept++;
      while (j >= 0 && (kc < key[j]! || (kc === key[j] && ids.cmpPeerDistance(t, to, c, g[j]!) < 0))) {
        g[j + 1] = g[j]!;
        key[j + 1] = key[j]!;
        j--;
      }
      g[j + 1] = c;
      key[j + 1] = kc;
    }
    for (let i = 0; i < m; i++) out[n++] = g[i]!;
    return n;
  }
}
