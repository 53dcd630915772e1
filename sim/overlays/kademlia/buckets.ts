import type { PeerId } from "../../peers/population.js";
import type { KadIds } from "./ids.js";

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
 * **Storage.** A non-empty bucket is a *slab* of `S` slots in one pool,
 * least recently seen first. Peers look slabs up in a directory of their
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

  /** The pool: slab s holds slots [s·S, s·S + S). */
  private pool = new Int32Array(0);
  /** Failed RPCs in a row of each slot's contact. */
  private fails = new Uint8Array(0);
  /** Entries used in each slab. */
  private count = new Uint8Array(0);
  /** Each bucket slab's replacement-cache slab (-1: none yet). */
  private repl = new Int32Array(0);
  /** 1 while the bucket's least recently seen contact is being pinged. */
  private pinging = new Uint8Array(0);
  /** When the owner last looked up an id in this bucket's range (ms). */
  private lastLookup = new Float64Array(0);
  private slabs = 0;
  private slabsUsed = 0;
  private freeSlabs: number[] = [];
  /** Set by `seen`: true if the contact it was given is new to the peer's buckets (not seen again, not a replacement). */
  added = false;
  /** Scratch for the closest-contacts selection. */
  private scratch: Int32Array;

  constructor(
    private readonly ids: KadIds,
    options: { k: number; b: number; replacements: number; staleAfter: number },
    capacity: number,
  ) {
    this.k = options.k;
    this.b = options.b;
    this.replacements = options.replacements;
    this.staleAfter = options.staleAfter;
    this.S = Math.max(this.k, this.replacements, 1);
    this.perLevel = (1 << this.b) - 1;
    this.levels = Math.ceil(ids.bits / this.b);
    this.totalBuckets = this.levels * this.perLevel;
    this.DB = Math.min(this.levels, Math.ceil(32 / this.b)) * this.perLevel;
    this.scratch = new Int32Array(this.S * (1 << (this.b - 1)) + 1);
    this.ensure(Math.max(16, capacity) - 1);
    this.growPool(1024);
  }

  private readonly staleAfter: number;

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
    const S = this.S;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, per: number): T => {
      const bigger = new (a.constructor as new (n: number) => T)(slabs * per);
      bigger.set(a);
      return bigger;
    };
    this.pool = grow(this.pool, S);
    this.fails = grow(this.fails, S);
    this.count = grow(this.count, 1);
    this.repl = grow(this.repl, 1);
    this.pinging = grow(this.pinging, 1);
    this.lastLookup = grow(this.lastLookup, 1);
    this.slabs = slabs;
  }

  private allocSlab(): number {
    const s = this.freeSlabs.length > 0 ? this.freeSlabs.pop()! : this.slabsUsed++;
    if (s >= this.slabs) this.growPool(this.slabs * 2);
    this.count[s] = 0;
    this.repl[s] = -1;
    this.pinging[s] = 0;
    this.lastLookup[s] = 0;
    return s;
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
    return Array.from(this.pool.subarray(s * this.S, s * this.S + this.count[s]!));
  }

  /** The replacement cache of one bucket, least recently seen first. */
  replacementsOf(peer: PeerId, bucket: number): PeerId[] {
    const s = this.slabOf(peer, bucket, false);
    const r = s < 0 ? -1 : this.repl[s]!;
    if (r < 0) return [];
    return Array.from(this.pool.subarray(r * this.S, r * this.S + this.count[r]!));
  }

  /** Calls `fn` for every contact of `peer`, bucket by bucket (nearest level last). */
  forEachContact(peer: PeerId, fn: (contact: PeerId, bucket: number) => void): void {
    const top = (this.maxLevel[peer]! + 1) * this.perLevel;
    for (let bucket = 0; bucket < top; bucket++) {
      const s = this.slabOf(peer, bucket, false);
      if (s < 0) continue;
      const base = s * this.S;
      for (let i = 0; i < this.count[s]!; i++) fn(this.pool[base + i]!, bucket);
    }
  }

  /** True if `contact` is in one of `peer`'s buckets. */
  has(peer: PeerId, contact: PeerId): boolean {
    const bucket = this.bucketOf(peer, contact);
    const s = bucket < 0 ? -1 : this.slabOf(peer, bucket, false);
    return s >= 0 && this.indexIn(s, contact) >= 0;
  }

  private indexIn(s: number, contact: PeerId): number {
    const base = s * this.S;
    const n = this.count[s]!;
    const pool = this.pool;
    for (let i = 0; i < n; i++) if (pool[base + i] === contact) return i;
    return -1;
  }

  // ── Learning and forgetting ───────────────────────────────────────

  /**
   * `peer` heard from `contact` (any message, request or reply). Returns the
   * contact `peer` should ping before it may evict it (the least recently
   * seen of a full bucket whose replacement cache just got `contact`), or -1.
   */
  seen(peer: PeerId, contact: PeerId): PeerId {
    this.added = false;
    const bucket = this.bucketOf(peer, contact);
    if (bucket < 0) return -1;
    const s = this.slabOf(peer, bucket, true);
    const S = this.S;
    const base = s * S;
    const pool = this.pool;
    const n = this.count[s]!;
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
      this.count[s] = n + 1;
      this.contactCount[peer]!++;
      this.added = true;
      return -1;
    }
    if (this.replacements === 0) return -1;
    let r = this.repl[s]!;
    if (r < 0) {
      r = this.allocSlab();
      this.repl[s] = r;
    }
    this.pushReplacement(r, contact);
    if (this.pinging[s]) return -1;
    this.pinging[s] = 1;
    return pool[base]!;
  }

  /** Puts `contact` at the tail of replacement cache `r`, dropping its oldest entry when full. */
  private pushReplacement(r: number, contact: PeerId): void {
    const base = r * this.S;
    const pool = this.pool;
    let n = this.count[r]!;
    const i = this.indexIn(r, contact);
    const from = i >= 0 ? i : n === this.replacements ? 0 : -1;
    if (from >= 0) {
      for (let j = base + from + 1; j < base + n; j++) pool[j - 1] = pool[j]!;
      n--;
    }
    pool[base + n] = contact;
    this.count[r] = n + 1;
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
      const r = this.repl[s]!;
      const j = r < 0 ? -1 : this.indexIn(r, contact);
      if (j >= 0) {
        this.pool.copyWithin(r * this.S + j, r * this.S + j + 1, r * this.S + this.count[r]!);
        this.count[r]!--;
      }
      return false;
    }
    const base = s * this.S;
    const fails = ++this.fails[base + i]!;
    const r = this.repl[s]!;
    const hasReplacement = r >= 0 && this.count[r]! > 0;
    if (!hasReplacement && fails < this.staleAfter) return false;
    const n = this.count[s]!;
    this.pool.copyWithin(base + i, base + i + 1, base + n);
    this.fails.copyWithin(base + i, base + i + 1, base + n);
    if (hasReplacement) {
      // The most recently seen replacement takes the free slot, at the tail (it is the newest contact).
      const rn = this.count[r]! - 1;
      this.pool[base + n - 1] = this.pool[r * this.S + rn]!;
      this.fails[base + n - 1] = 0;
      this.count[r] = rn;
    } else {
      this.count[s] = n - 1;
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

  /** Oracle bootstrap: appends `contact` to a bucket that has room, with no ping or replacement logic. */
  add(peer: PeerId, bucket: number, contact: PeerId): void {
    const s = this.slabOf(peer, bucket, true);
    const n = this.count[s]!;
    if (n >= this.k) throw new Error(`kademlia: bucket ${bucket} of peer ${peer} is full`);
    this.pool[s * this.S + n] = contact;
    this.fails[s * this.S + n] = 0;
    this.count[s] = n + 1;
    this.contactCount[peer]!++;
  }

  /** Forgets every bucket of `peer` (a new session starts with an empty table). */
  reset(peer: PeerId): void {
    const top = (this.maxLevel[peer]! + 1) * this.perLevel;
    for (let bucket = 0; bucket < top; bucket++) {
      const s = this.slabOf(peer, bucket, false);
      if (s < 0) continue;
      if (this.repl[s]! >= 0) this.freeSlabs.push(this.repl[s]!);
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
        if (s >= 0 && this.count[s]! > 0) return level;
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
    const ids = this.ids;
    const pw = peer * ids.W;
    const lastPos = Math.min(ids.bits, (maxLevel + 1) * this.b) - 1;
    const cpl = ids.commonPrefix(ids.ids, pw, t, to);
    let n = 0;
    // Groups where the target differs from the peer: nearest first. Above the common prefix they agree.
    for (let s = cpl; s <= lastPos && n < want; s++) {
      if (ids.bit(ids.ids, pw, s) !== ids.bit(t, to, s)) n = this.takeGroup(peer, s, t, to, want, exclude, out, n);
    }
    // Then groups where it agrees, from the deepest up (above the common prefix all agree).
    for (let s = lastPos; s >= 0 && n < want; s--) {
      if (s < cpl || ids.bit(ids.ids, pw, s) === ids.bit(t, to, s)) n = this.takeGroup(peer, s, t, to, want, exclude, out, n);
    }
    return n;
  }

  /** Appends the contacts of group s to out[n..], the closest ones only if they do not all fit. */
  private takeGroup(peer: PeerId, s: number, t: Uint32Array, to: number, want: number, exclude: PeerId, out: Int32Array, n: number): number {
    const b = this.b;
    const L = Math.floor(s / b);
    const width = Math.min(b, this.ids.bits - L * b);
    const pos = L * b + width - 1 - s; // the bit's place in the digit, from its least significant end
    const first = L * this.perLevel + (1 << pos) - 1;
    const last = first + (1 << pos);
    const pool = this.pool;
    const S = this.S;
    let size = 0;
    let single = -1;
    for (let bucket = first; bucket < last; bucket++) {
      const slab = this.slabOf(peer, bucket, false);
      if (slab < 0) continue;
      size += this.count[slab]!;
      single = slab;
    }
    if (size === 0) return n;
    if (n + size <= want && last - first === 1) {
      // The common case: the whole bucket fits.
      const base = single * S;
      const m = this.count[single]!;
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
      const base = slab * S;
      const m = this.count[slab]!;
      for (let i = 0; i < m; i++) {
        const c = pool[base + i]!;
        if (c !== exclude) g[gn++] = c;
      }
    }
    if (n + gn > want && want - n <= 2) {
      // Room for one or two: pick the nearest by a scan (per slot), no sort.
      const ids = this.ids;
      const W = ids.W;
      const all = ids.ids;
      for (let r = 0; n < want; r++) {
        let best = r;
        for (let i = r + 1; i < gn; i++) if (ids.cmpDistance(t, to, all, g[i]! * W, all, g[best]! * W) < 0) best = i;
        const c = g[best]!;
        g[best] = g[r]!;
        out[n++] = c;
      }
      return n;
    }
    if (n + gn > want) {
      const ids = this.ids;
      const W = ids.W;
      const all = ids.ids;
      for (let i = 1; i < gn; i++) {
        const c = g[i]!;
        let j = i - 1;
        while (j >= 0 && ids.cmpDistance(t, to, all, c * W, all, g[j]! * W) < 0) {
          g[j + 1] = g[j]!;
          j--;
        }
        g[j + 1] = c;
      }
      gn = want - n;
    }
    for (let i = 0; i < gn; i++) out[n++] = g[i]!;
    return n;
  }
}
