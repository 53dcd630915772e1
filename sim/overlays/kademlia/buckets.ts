import type { PeerId } from "../../peers/population.js";
import type { KadIds } from "./ids.js";

/** Header words before a slab's slots: its size, and its replacement-cache slab. */
const HEADER = 2;

/**
 * Every peer's k-buckets, in flat typed arrays (no object per peer, bucket
 * or contact), so 100,000 peers with ~260 contacts each cost a few arrays.
 *
 * **Which bucket.** A contact's bucket in a peer's table is fixed by the
 * prefix they share: with `b` bits per digit, level L = ⌊shared prefix / b⌋,
 * and within the level the digit the contact has there, XOR the peer's own
 * (1 .. 2^b − 1): bucket number L·(2^b − 1) + digit xor − 1. With b = 1 the
 * bucket number is just the shared-prefix length (bucket 0 holds the far
 * half of the id space).
 *
 * **Storage.** A non-empty bucket is a *slab* in one pool: a two-word
 * header (its size, and its replacement-cache slab or -1) and `S` slots,
 * least recently seen first. The header sits next to the contacts so that
 * touching a bucket, which happens on every message, reads one stretch of
 * memory rather than several arrays. Peers look slabs up in a directory of their
 * first levels (about 32 bits of prefix, where almost all contacts are:
 * level L holds N/2^(L+1) peers); the rare deeper buckets go to a Map.
 * A full bucket gets a second slab, its replacement cache, when it first
 * needs one. Slabs of a peer that goes offline are recycled.
 *
 * **Policy** (§2.2 and §4.1 of the paper): a contact seen again moves to
 * the tail; a new one is appended if the bucket has room; otherwise it goes
 * to the replacement cache (most recently seen at its tail) and the bucket's
 * least recently seen contact is pinged (at most one ping per bucket at a
 * time). A contact that fails an RPC is replaced by the newest replacement,
 * or, with no replacement waiting, dropped after `staleAfter` failures in a
 * row.
 */
export class Buckets {
  readonly k: number;
  /** Slots per slab: room for k contacts or the replacement cache. */
  readonly S: number;
  readonly replacements: number;
  readonly b: number;
  /** Buckets per level: 2^b − 1. */
  readonly perLevel: number;
  readonly levels: number;
  /** Buckets a peer can have. */
  readonly totalBuckets: number;
  /** Buckets in the directory (the first levels). */
  private readonly DB: number;

  /** Slab of (peer, bucket) for buckets < DB: dir[peer·DB + bucket], -1 = empty. */
  private dir = new Int32Array(0);
  /** Slabs of deeper buckets, by peer·totalBuckets + bucket. */
  private readonly deep = new Map<number, number>();
  /** Deepest level with a slab, per peer (-1: none). */
  maxLevel = new Int16Array(0);
  /** Contacts in all buckets, per peer. */
  contactCount = new Int32Array(0);
  private capacity = 0;

  /** Words per slab: the header and S slots. */
  private readonly T: number;
  /** The pool: slab s is words [s·T, s·T + T): its size, its replacement slab, then its slots (see `base`). */
  private pool = new Int32Array(0);
  /** Failed RPCs in a row of each slot's contact, indexed like the pool. */
  private fails = new Uint8Array(0);
  /** 1 while the bucket's least recently seen contact is being pinged. */
  private pinging = new Uint8Array(0);
  /** When the owner last looked up an id in this bucket's range (ms). */
  private lastLookup = new Float64Array(0);
  private slabs = 0;
  private slabsUsed = 0;
  private freeSlabs: number[] = [];
  /** Set by `seen`: true if the contact it was given is new to the peer's buckets (not seen again, not a replacement). */
  added = false;
  /** Scratch for the closest-contacts selection: contacts, and the top words of their distances. */
  private scratch: Int32Array;
  private scratchKeys: Uint32Array;

  constructor(
    private readonly ids: KadIds,
    /** `probe: "delayed"` (§4.1): `seen` never asks for a ping (the default, "immediate", does). */
    options: { k: number; b: number; replacements: number; staleAfter: number; probe?: "immediate" | "delayed" },
    capacity: number,
  ) {
    this.k = options.k;
    this.b = options.b;
    this.replacements = options.replacements;
    this.staleAfter = options.staleAfter;
    this.pings = options.probe !== "delayed";
    this.S = Math.max(this.k, this.replacements, 1);
    this.T = this.S + HEADER;
    this.perLevel = (1 << this.b) - 1;
    this.levels = Math.ceil(ids.bits / this.b);
    this.totalBuckets = this.levels * this.perLevel;
    this.DB = Math.min(this.levels, Math.ceil(32 / this.b)) * this.perLevel;
    this.scratch = new Int32Array(this.S * (1 << (this.b - 1)) + 1);
    this.scratchKeys = new Uint32Array(this.scratch.length);
    this.ensure(Math.max(16, capacity) - 1);
    this.growPool(1024);
  }

  private readonly staleAfter: number;
  /** False with delayed probing: a full bucket's newcomer just waits in the replacement cache. */
  private readonly pings: boolean;

  /** Makes room for peer numbers up to `peer`. */
  ensure(peer: PeerId): void {
    if (peer < this.capacity) return;
    const capacity = Math.max(peer + 1, this.capacity * 2);
    const dir = new Int32Array(capacity * this.DB).fill(-1);
    dir.set(this.dir);
    this.dir = dir;
    const maxLevel = new Int16Array(capacity).fill(-1);
    maxLevel.set(this.maxLevel);
    this.maxLevel = maxLevel;
    const contactCount = new Int32Array(capacity);
    contactCount.set(this.contactCount);
    this.contactCount = contactCount;
    this.capacity = capacity;
  }

  private growPool(slabs: number): void {
    const words = this.T;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, per: number): T => {
      const bigger = new (a.constructor as new (n: number) => T)(slabs * per);
      bigger.set(a);
      return bigger;
    };
    this.pool = grow(this.pool, words);
    this.fails = grow(this.fails, words);
    this.pinging = grow(this.pinging, 1);
    this.lastLookup = grow(this.lastLookup, 1);
    this.slabs = slabs;
  }

  /** Makes room for `slabs` slabs in all (the oracle build knows roughly how many it needs). */
  reserveSlabs(slabs: number): void {
    if (slabs > this.slabs) this.growPool(slabs);
  }

  /** A new empty slab; its fail counts are all 0 (fresh memory is zeroed, a recycled slab is cleared). */
  private allocSlab(): number {
    const recycled = this.freeSlabs.length > 0;
    const s = recycled ? this.freeSlabs.pop()! : this.slabsUsed++;
    if (s >= this.slabs) this.growPool(this.slabs * 2);
    if (recycled) this.fails.fill(0, s * this.T, s * this.T + this.T);
    this.pool[s * this.T] = 0;
    this.pool[s * this.T + 1] = -1;
    this.pinging[s] = 0;
    this.lastLookup[s] = 0;
    return s;
  }

  /** The first slot of slab s. */
  private base(s: number): number {
    return s * this.T + HEADER;
  }

  /** Contacts in slab s. */
  private sizeOf(s: number): number {
    return this.pool[s * this.T]!;
  }

  private setSize(s: number, n: number): void {
    this.pool[s * this.T] = n;
  }

  /** The replacement-cache slab of bucket slab s, or -1. */
  private replOf(s: number): number {
    return this.pool[s * this.T + 1]!;
  }

  // ── Which bucket ──────────────────────────────────────────────────

  /** The bucket of the id at t[to..] in `peer`'s table, or -1 if it is the peer's own id. */
  bucketOfId(peer: PeerId, t: Uint32Array, to: number): number {
    const ids = this.ids;
    const cpl = ids.commonPrefix(ids.ids, peer * ids.W, t, to);
    if (cpl === ids.bits) return -1;
    if (this.b === 1) return cpl;
    const L = Math.floor(cpl / this.b);
    const start = L * this.b;
    const width = Math.min(this.b, ids.bits - start);
    const x = ids.bitsAt(ids.ids, peer * ids.W, start, width) ^ ids.bitsAt(t, to, start, width);
    return L * this.perLevel + x - 1;
  }

  bucketOf(peer: PeerId, contact: PeerId): number {
    if (this.b === 1) {
      // The common case, on every message: the shared prefix straight from the compact top words.
      const cpl = this.ids.commonPrefixOfPeers(peer, contact);
      return cpl === this.ids.bits ? -1 : cpl;
    }
    return this.bucketOfId(peer, this.ids.ids, contact * this.ids.W);
  }

  /** The slab of `peer`'s bucket, or -1; with `create`, makes an empty one. */
  private slabOf(peer: PeerId, bucket: number, create: boolean): number {
    let s: number;
    if (bucket < this.DB) s = this.dir[peer * this.DB + bucket]!;
    else s = this.deep.get(peer * this.totalBuckets + bucket) ?? -1;
    if (s >= 0 || !create) return s;
    s = this.allocSlab();
    if (bucket < this.DB) this.dir[peer * this.DB + bucket] = s;
    else this.deep.set(peer * this.totalBuckets + bucket, s);
    const level = Math.floor(bucket / this.perLevel);
    if (level > this.maxLevel[peer]!) this.maxLevel[peer] = level;
    return s;
  }

  // ── Reading ───────────────────────────────────────────────────────

  /** The contacts of one bucket, least recently seen first. */
  bucket(peer: PeerId, bucket: number): PeerId[] {
    const s = this.slabOf(peer, bucket, false);
    if (s < 0) return [];
    return Array.from(this.pool.subarray(this.base(s), this.base(s) + this.sizeOf(s)));
  }

  /** The replacement cache of one bucket, least recently seen first. */
  replacementsOf(peer: PeerId, bucket: number): PeerId[] {
    const s = this.slabOf(peer, bucket, false);
    const r = s < 0 ? -1 : this.replOf(s);
    if (r < 0) return [];
    return Array.from(this.pool.subarray(this.base(r), this.base(r) + this.sizeOf(r)));
  }

  /** Calls `fn` for every contact of `peer`, bucket by bucket (nearest level last). */
  forEachContact(peer: PeerId, fn: (contact: PeerId, bucket: number) => void): void {
    const top = (this.maxLevel[peer]! + 1) * this.perLevel;
    for (let bucket = 0; bucket < top; bucket++) {
      const s = this.slabOf(peer, bucket, false);
      if (s < 0) continue;
      const base = this.base(s);
      const n = this.sizeOf(s);
      for (let i = 0; i < n; i++) fn(this.pool[base + i]!, bucket);
    }
  }

  /** True if `contact` is in one of `peer`'s buckets. */
  has(peer: PeerId, contact: PeerId): boolean {
    const bucket = this.bucketOf(peer, contact);
    const s = bucket < 0 ? -1 : this.slabOf(peer, bucket, false);
    return s >= 0 && this.indexIn(s, contact) >= 0;
  }

  private indexIn(s: number, contact: PeerId): number {
    const base = this.base(s);
    const n = this.sizeOf(s);
    const pool = this.pool;
    for (let i = 0; i < n; i++) if (pool[base + i] === contact) return i;
    return -1;
  }

  // ── Learning and forgetting ───────────────────────────────────────

  /**
   * `peer` heard from `contact` (any message, request or reply). Returns the
   * contact `peer` should ping before it may evict it (the least recently
   * seen of a full bucket whose replacement cache just got `contact`, with
   * immediate probing and no ping of that bucket under way), or -1.
   */
  seen(peer: PeerId, contact: PeerId): PeerId {
    this.added = false;
    const bucket = this.bucketOf(peer, contact);
    if (bucket < 0) return -1;
    const s = this.slabOf(peer, bucket, true);
    const base = this.base(s);
    const pool = this.pool;
    const n = this.sizeOf(s);
    const i = this.indexIn(s, contact);
    if (i >= 0) {
      // Seen again: to the tail, with a clean record (shifted by hand: buckets are short).
      const fails = this.fails;
      for (let j = base + i + 1; j < base + n; j++) {
        pool[j - 1] = pool[j]!;
        fails[j - 1] = fails[j]!;
      }
      pool[base + n - 1] = contact;
      fails[base + n - 1] = 0;
      return -1;
    }
    if (n < this.k) {
      pool[base + n] = contact;
      this.fails[base + n] = 0;
      this.setSize(s, n + 1);
      this.contactCount[peer]!++;
      this.added = true;
      return -1;
    }
    if (this.replacements === 0) return -1;
    let r = this.replOf(s);
    if (r < 0) {
      r = this.allocSlab();
      this.pool[s * this.T + 1] = r;
    }
    this.pushReplacement(r, contact);
    if (!this.pings || this.pinging[s]) return -1;
    this.pinging[s] = 1;
    return pool[base]!;
  }

  /** Puts `contact` at the tail of replacement cache `r`, dropping its oldest entry when full. */
  private pushReplacement(r: number, contact: PeerId): void {
    const base = this.base(r);
    const pool = this.pool;
    let n = this.sizeOf(r);
    const i = this.indexIn(r, contact);
    const from = i >= 0 ? i : n === this.replacements ? 0 : -1;
    if (from >= 0) {
      for (let j = base + from + 1; j < base + n; j++) pool[j - 1] = pool[j]!;
      n--;
    }
    pool[base + n] = contact;
    this.setSize(r, n + 1);
  }

  /**
   * An RPC from `peer` to `contact` failed (timed out). The contact is
   * replaced by the newest replacement if there is one, else dropped once
   * it has failed `staleAfter` times in a row. Returns true if it was dropped.
   */
  failed(peer: PeerId, contact: PeerId): boolean {
    const bucket = this.bucketOf(peer, contact);
    const s = bucket < 0 ? -1 : this.slabOf(peer, bucket, false);
    if (s < 0) return false;
    const i = this.indexIn(s, contact);
    if (i < 0) {
      // Not in the bucket: forget it in the replacement cache too.
      const r = this.replOf(s);
      const j = r < 0 ? -1 : this.indexIn(r, contact);
      if (j >= 0) {
        const rb = this.base(r);
        this.pool.copyWithin(rb + j, rb + j + 1, rb + this.sizeOf(r));
        this.setSize(r, this.sizeOf(r) - 1);
      }
      return false;
    }
    const base = this.base(s);
    const fails = ++this.fails[base + i]!;
    const r = this.replOf(s);
    const hasReplacement = r >= 0 && this.sizeOf(r) > 0;
    if (!hasReplacement && fails < this.staleAfter) return false;
    const n = this.sizeOf(s);
    this.pool.copyWithin(base + i, base + i + 1, base + n);
    this.fails.copyWithin(base + i, base + i + 1, base + n);
    if (hasReplacement) {
      // The most recently seen replacement takes the free slot, at the tail (it is the newest contact).
      const rn = this.sizeOf(r) - 1;
      this.pool[base + n - 1] = this.pool[this.base(r) + rn]!;
      this.fails[base + n - 1] = 0;
      this.setSize(r, rn);
    } else {
      this.setSize(s, n - 1);
      this.contactCount[peer]!--;
    }
    return true;
  }

  /** The ping `seen` asked for has ended; the bucket may be pinged again. */
  pingDone(peer: PeerId, contact: PeerId): void {
    const bucket = this.bucketOf(peer, contact);
    const s = bucket < 0 ? -1 : this.slabOf(peer, bucket, false);
    if (s >= 0) this.pinging[s] = 0;
  }

  /**
   * Oracle bootstrap: fills a bucket the peer does not have yet with
   * contacts[0..n) (n ≤ k) in one go. The new slab's fail counts are already
   * 0, so they are left alone: most are never touched in a run, and not
   * writing them spares the build touching that memory at all.
   */
  fill(peer: PeerId, bucket: number, contacts: Int32Array, n: number): void {
    if (this.slabOf(peer, bucket, false) >= 0 || n > this.k) throw new Error(`kademlia: bucket ${bucket} of peer ${peer} cannot take ${n} contacts`);
    const s = this.slabOf(peer, bucket, true);
    const base = this.base(s);
    for (let i = 0; i < n; i++) this.pool[base + i] = contacts[i]!;
    this.setSize(s, n);
    this.contactCount[peer]! += n;
  }

  /** Forgets every bucket of `peer` (a new session starts with an empty table). */
  reset(peer: PeerId): void {
    const top = (this.maxLevel[peer]! + 1) * this.perLevel;
    for (let bucket = 0; bucket < top; bucket++) {
      const s = this.slabOf(peer, bucket, false);
      if (s < 0) continue;
      if (this.replOf(s) >= 0) this.freeSlabs.push(this.replOf(s));
      this.freeSlabs.push(s);
      if (bucket < this.DB) this.dir[peer * this.DB + bucket] = -1;
      else this.deep.delete(peer * this.totalBuckets + bucket);
    }
    this.maxLevel[peer] = -1;
    this.contactCount[peer] = 0;
  }

  // ── Refresh bookkeeping ───────────────────────────────────────────

  /** `peer` starts a lookup for the id at t[to..]: the bucket covering it counts as refreshed. */
  markLookup(peer: PeerId, t: Uint32Array, to: number, nowMs: number): void {
    const bucket = this.bucketOfId(peer, t, to);
    const s = bucket < 0 ? -1 : this.slabOf(peer, bucket, false);
    if (s >= 0) this.lastLookup[s] = nowMs;
  }

  /** When `peer` last looked up an id in `bucket` (-Infinity: never, or the bucket is empty). */
  lastLookupIn(peer: PeerId, bucket: number): number {
    const s = this.slabOf(peer, bucket, false);
    return s < 0 ? -Infinity : this.lastLookup[s]!;
  }

  /** The shortest shared-prefix level of `peer`'s contacts that is deepest: the level of its closest contact, or -1. */
  closestLevel(peer: PeerId): number {
    for (let level = this.maxLevel[peer]!; level >= 0; level--) {
      for (let d = 0; d < this.perLevel; d++) {
        const s = this.slabOf(peer, level * this.perLevel + d, false);
        if (s >= 0 && this.sizeOf(s) > 0) return level;
      }
    }
    return -1;
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
