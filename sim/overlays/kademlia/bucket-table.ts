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
 * needs one: the bucket moves to a fresh pair of adjacent slabs, the cache
 * taking the second, because nearly every newcomer to a full bucket goes
 * to its cache, and a cache read right after its bucket comes from memory
 * already on its way, where a slab elsewhere costs one more cache miss per
 * message. Slabs of a peer that goes offline are recycled.
 *
 * **Policy** (§2.2 and §4.1 of the paper): a contact seen again moves to
 * the tail; a new one is appended if the bucket has room; otherwise it goes
 * to the replacement cache (most recently seen at its tail) and the bucket's
 * least recently seen contact is pinged (at most one ping per bucket at a
 * time). A contact that fails an RPC is replaced by the newest replacement,
 * or, with no replacement waiting, dropped after `staleAfter` failures in a
 * row.
 *
 * What routing asks of the table, the contacts closest to an id, is
 * buckets.ts (`Buckets`, which the overlays use).
 */
export class BucketTable {
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
  protected pool = new Int32Array(0);
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

  constructor(
    protected readonly ids: KadIds,
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

  /**
   * A new empty slab; its fail counts, ping flag and last lookup are 0. Fresh
   * memory is zeroed already, so only a recycled slab is cleared: writing
   * zeros would make the oracle build touch every page of those arrays.
   */
  private allocSlab(): number {
    const recycled = this.freeSlabs.length > 0;
    const s = recycled ? this.freeSlabs.pop()! : this.slabsUsed++;
    if (s >= this.slabs) this.growPool(this.slabs * 2);
    if (recycled) {
      this.fails.fill(0, s * this.T, s * this.T + this.T);
      this.pinging[s] = 0;
      this.lastLookup[s] = 0;
      this.pool[s * this.T] = 0;
    }
    this.pool[s * this.T + 1] = -1;
    return s;
  }

  /** Two new empty slabs side by side (fresh from the end of the pool, so zeroed already); returns the first. */
  private allocSlabPair(): number {
    const s = this.slabsUsed;
    this.slabsUsed += 2;
    if (s + 1 >= this.slabs) this.growPool(Math.max(this.slabs * 2, s + 2));
    this.pool[s * this.T + 1] = -1;
    this.pool[(s + 1) * this.T + 1] = -1;
    return s;
  }

  /**
   * Gives the full bucket in slab s of `peer` a replacement cache: the
   * bucket moves, with its fail counts, ping flag and last lookup, to the
   * first of two adjacent new slabs, the cache gets the second, and slab s
   * is recycled. Returns the bucket's new slab.
   */
  private addReplacementCache(peer: PeerId, bucket: number, s: number): number {
    const moved = this.allocSlabPair();
    const T = this.T;
    this.pool.copyWithin(moved * T, s * T, s * T + T);
    this.fails.copyWithin(moved * T, s * T, s * T + T);
    this.pinging[moved] = this.pinging[s]!;
    this.lastLookup[moved] = this.lastLookup[s]!;
    this.pool[moved * T + 1] = moved + 1;
    if (bucket < this.DB) this.dir[peer * this.DB + bucket] = moved;
    else this.deep.set(peer * this.totalBuckets + bucket, moved);
    this.freeSlabs.push(s);
    return moved;
  }

  /** The first slot of slab s. */
  protected base(s: number): number {
    return s * this.T + HEADER;
  }

  /** Contacts in slab s. */
  protected sizeOf(s: number): number {
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
  protected slabOf(peer: PeerId, bucket: number, create: boolean): number {
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
    let full = s;
    let r = this.replOf(s);
    if (r < 0) {
      full = this.addReplacementCache(peer, bucket, s);
      r = full + 1;
    }
    this.pushReplacement(r, contact);
    if (!this.pings || this.pinging[full]) return -1;
    this.pinging[full] = 1;
    return this.pool[this.base(full)]!; // the pool may have grown: not the `pool` read above
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
    const base = this.newBucket(peer, bucket, n);
    for (let i = 0; i < n; i++) this.pool[base + i] = contacts[i]!;
  }

  /**
   * Oracle bootstrap, the bulk form of `fill`: a bucket the peer does not
   * have yet gets the peers run[from .. from + size) if they fit, else k of
   * them evenly spaced along the run from offset u ∈ [0, 1): the j-th at
   * from + ⌊(j + u)·size / k⌋. Written straight into the pool, with no copy.
   */
  fillFromRun(peer: PeerId, bucket: number, run: Int32Array, from: number, size: number, u: number): void {
    const k = this.k;
    if (size <= k) {
      const base = this.newBucket(peer, bucket, size);
      const pool = this.pool;
      for (let j = 0; j < size; j++) pool[base + j] = run[from + j]!;
    } else {
      const base = this.newBucket(peer, bucket, k);
      const pool = this.pool;
      // `| 0` is Math.floor here (the quotient is non-negative and below 2^31), and much cheaper.
      for (let j = 0; j < k; j++) pool[base + j] = run[from + ((((j + u) * size) / k) | 0)]!;
    }
  }

  /** A new bucket of `peer` holding n contacts (the caller writes them at the offset returned). */
  private newBucket(peer: PeerId, bucket: number, n: number): number {
    if (this.slabOf(peer, bucket, false) >= 0 || n > this.k) throw new Error(`kademlia: bucket ${bucket} of peer ${peer} cannot take ${n} contacts`);
    const s = this.slabOf(peer, bucket, true);
    this.setSize(s, n);
    this.contactCount[peer]! += n;
    return this.base(s);
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
}
