import type { PeerId } from "../../peers/population.js";
import { approxOf, type ChordTables } from "./tables.js";
import { sortById } from "../shared/sort-by-id.js";

/**
 * The true ring: every online node sorted by id. Only the oracle bootstrap
 * and the observers (wrong-owner check, ring health) read it; the protocol
 * never does. It follows the nodes' joins, leaves and crashes, which the
 * simulation reports to the overlay as they happen (the same set
 * ctx.livePeers() returns).
 *
 * A node's id never changes, so the ring is kept as the whole pool (every
 * node the tables have room for) sorted once by (id, node number), with one
 * bit per pool position saying who is online. A join or a departure flips a
 * bit, O(1), where a sorted list of the online nodes cost a shift of the
 * whole list (O(N): at a million peers under churn, most of the run). The
 * owner of an id is one search in the sorted approximations, which are
 * uniform, so the search starts where the id should be, then the first
 * online bit from there. `peers`, the online nodes in ring order as an
 * array, is made again on demand after a change (the observers read it
 * once per sample).
 */
export class TrueRing {
  /** Pool positions to nodes, in (id, node number) order. */
  private order = new Int32Array(0);
  /** The approximation of each position's id (ChordTables.approx), for the search. */
  private keys = new Float64Array(0);
  /** Node to pool position. */
  private posOf = new Int32Array(0);
  /** One bit per pool position: online. */
  private online = new Uint32Array(0);
  private count = 0;
  /** The online nodes in ring order, while no node joined or left since it was made. */
  private listed: PeerId[] | null = [];
  /** For each 32-position word, the online positions before it (made when a rank is first needed after a change). */
  private before: Int32Array | null = null;

  constructor(private readonly t: ChordTables) {}

  /** Online nodes in id order. */
  get peers(): PeerId[] {
    if (this.listed === null) this.list();
    return this.listed!;
  }

  /**
   * The approximations of the online nodes' ids (ChordTables.approx) in ring
   * order, beside `peers`: gathered along the pool, which is in that order,
   * rather than node by node from the tables (a cache miss each).
   */
  onlineKeys(): Float64Array {
    return this.gatherOnline(this.keys, new Float64Array(this.count));
  }

  /** `peers` as a typed array (half the memory of the array at 8 bytes an entry, and no garbage to trace): for the oracle build. */
  onlineNodes(): Int32Array {
    return this.gatherOnline(this.order, new Int32Array(this.count));
  }

  /** Writes what `byPosition` holds at each online pool position to `out`, in ring order. */
  private gatherOnline<T extends Float64Array | Int32Array>(byPosition: T, out: T): T {
    const online = this.online;
    let k = 0;
    for (let w = 0; w < online.length; w++) {
      let bits = online[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        out[k++] = byPosition[(w << 5) + 31 - Math.clz32(low)]!;
        bits ^= low;
      }
    }
    return out;
  }

  /** The number of online nodes. */
  get size(): number {
    return this.count;
  }

  /** Makes exactly `peers` the online nodes. */
  build(peers: readonly PeerId[]): void {
    for (const p of peers) this.ensurePool(p);
    this.online.fill(0);
    this.count = 0;
    for (const p of peers) this.setOnline(p);
    this.changed();
  }

  insert(peer: PeerId): void {
    this.ensurePool(peer);
    this.setOnline(peer);
    this.changed();
  }

  remove(peer: PeerId): void {
    if (peer >= this.posOf.length) return;
    const pos = this.posOf[peer]!;
    const bit = 1 << (pos & 31);
    if ((this.online[pos >>> 5]! & bit) === 0) return;
    this.online[pos >>> 5]! &= ~bit;
    this.count--;
    this.changed();
  }

  /** Position of `peer` in `peers`, or -1. */
  indexOf(peer: PeerId): number {
    if (peer >= this.posOf.length) return -1;
    const pos = this.posOf[peer]!;
    return this.isOnlineAt(pos) ? this.rank(pos) : -1;
  }

  /** The online node that owns `target`: the first whose id is ≥ it, wrapping round; -1 if nobody is online. */
  owner(target: Uint32Array, to: number): PeerId {
    if (this.count === 0) return -1;
    let pos = this.nextOnline(this.poolLowerBound(target, to, approxOf(target, to, this.t.W)));
    if (pos < 0) pos = this.nextOnline(0);
    return this.order[pos]!;
  }

  /**
   * Whether `node` is the online node that owns `target` (owner(target) ===
   * node), from the node's place in the pool rather than a search: it owns
   * the target when its id is ≥ the target and the online node before it has
   * a lower id (or there is none), or when it is the first online node and
   * every online id is below the target (the owner wraps round). A lookup's
   * answer is checked with this, so the check costs a read of the node's
   * position and of its neighbour's approximation, beside each other.
   */
  isOwner(node: PeerId, target: Uint32Array, to: number): boolean {
    if (node < 0 || node >= this.posOf.length) return false;
    const pos = this.posOf[node]!;
    if (!this.isOnlineAt(pos)) return false;
    const tA = approxOf(target, to, this.t.W);
    const before = this.previousOnline(pos - 1);
    if (!this.isBelow(pos, target, to, tA)) return before < 0 || this.isBelow(before, target, to, tA);
    return before < 0 && this.isBelow(this.previousOnline(this.keys.length - 1), target, to, tA);
  }

  /** First position in `peers` whose node's id is ≥ the given id (peers.length if none). */
  lowerBound(id: Uint32Array, io: number, approx: number): number {
    const pos = this.nextOnline(this.poolLowerBound(id, io, approx));
    return pos < 0 ? this.count : this.rank(pos);
  }

  /**
   * The correct finger table of the node at ring position `at`, written to
   * out[o..o+m): finger i is the owner of id + 2^i. Distinct fingers are found
   * by one search each and the levels between them filled in, so this costs
   * about log2 N searches rather than m.
   */
  fingersOf(at: number, out: Int32Array, scratch: Uint32Array, o = 0): void {
    const { ids, W, m, space } = this.t;
    const peer = this.peers[at]!;
    const pw = peer * W;
    let i = 0;
    while (i < m) {
      space.addPow2(ids, pw, i, scratch, 0);
      const owner = this.owner(scratch, 0);
      if (owner === peer) {
        out.fill(peer, o + i, o + m);
        return;
      }
      const top = Math.max(i, Math.min(space.distanceLog2(ids, pw, ids, owner * W), m - 1));
      out.fill(owner, o + i, o + top + 1);
      i = top + 1;
    }
  }

  // ── The pool ──────────────────────────────────────────────────────

  private setOnline(peer: PeerId): void {
    const pos = this.posOf[peer]!;
    const bit = 1 << (pos & 31);
    if ((this.online[pos >>> 5]! & bit) !== 0) return;
    this.online[pos >>> 5]! |= bit;
    this.count++;
  }

  private changed(): void {
    this.listed = null;
    this.before = null;
  }

  /** Sorts every node the tables have room for into the pool (again, if they grew), keeping who is online. */
  private ensurePool(peer: PeerId): void {
    if (peer < this.posOf.length) return;
    this.t.ensure(peer);
    const wasOnline = this.peers;
    const n = this.t.capacity;
    const { approx, ids, W, space } = this.t;
    const order = new Int32Array(n);
    for (let p = 0; p < n; p++) order[p] = p;
    sortById(order, ids, W, space.bits - 32 * (W - 1));
    this.order = order;
    const keys = new Float64Array(n);
    const posOf = new Int32Array(n);
    for (let pos = 0; pos < n; pos++) {
      const p = order[pos]!;
      keys[pos] = approx[p]!;
      posOf[p] = pos;
    }
    this.keys = keys;
    this.posOf = posOf;
    this.online = new Uint32Array((n + 31) >>> 5);
    this.count = 0;
    for (const p of wasOnline) this.setOnline(p);
    this.changed();
  }

  /** First pool position whose id is ≥ the given id (the pool's size if none). */
  private poolLowerBound(id: Uint32Array, io: number, approx: number): number {
    const { ids, W, space } = this.t;
    const keys = this.keys;
    const order = this.order;
    let lo = 0;
    let hi = keys.length;
    if (hi > 64) {
      // Guess the position from the id (ids are uniform), then widen a bracket around the guess until it holds the answer.
      const first = keys[0]!;
      const span = keys[hi - 1]! - first;
      let guess = span > 0 ? Math.floor(((approx - first) / span) * hi) : 0;
      guess = guess < 0 ? 0 : guess >= hi ? hi - 1 : guess;
      let step = 16;
      let a = guess;
      while (a > 0 && keys[a]! >= approx) {
        a = Math.max(0, a - step);
        step *= 2;
      }
      step = 16;
      let b = guess;
      while (b < hi && keys[b]! <= approx) {
        b = Math.min(hi, b + step);
        step *= 2;
      }
      // Now keys[a] < approx (or a = 0) and keys[b] > approx (or b = hi): the answer lies in [a, b].
      lo = a;
      hi = b;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const a = keys[mid]!;
      if (a < approx || (a === approx && space.cmp(ids, order[mid]! * W, id, io) < 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private isOnlineAt(pos: number): boolean {
    return (this.online[pos >>> 5]! & (1 << (pos & 31))) !== 0;
  }

  /** The first online position at or after `pos`, or -1. */
  private nextOnline(pos: number): number {
    const online = this.online;
    let w = pos >>> 5;
    if (w >= online.length) return -1;
    let bits = online[w]! & (-1 << (pos & 31));
    while (bits === 0) {
      if (++w >= online.length) return -1;
      bits = online[w]!;
    }
    return (w << 5) + (31 - Math.clz32(bits & -bits));
  }

  /** The last online position at or before `pos`, or -1. */
  private previousOnline(pos: number): number {
    if (pos < 0) return -1;
    const online = this.online;
    let w = pos >>> 5;
    // The bits at and below pos's.
    let bits = online[w]! & ((0xffffffff >>> (31 - (pos & 31))) | 0);
    while (bits === 0) {
      if (--w < 0) return -1;
      bits = online[w]!;
    }
    return (w << 5) + 31 - Math.clz32(bits);
  }

  /** Whether the id at pool position `pos` is below the given id (approximations first, the words on a tie). */
  private isBelow(pos: number, id: Uint32Array, io: number, approx: number): boolean {
    const a = this.keys[pos]!;
    if (a !== approx) return a < approx;
    const { ids, W, space } = this.t;
    return space.cmp(ids, this.order[pos]! * W, id, io) < 0;
  }

  /** Online positions before `pos`. */
  private rank(pos: number): number {
    if (this.before === null) this.countBefore();
    const w = pos >>> 5;
    const below = this.online[w]! & ((1 << (pos & 31)) - 1);
    return this.before![w]! + popcount(below);
  }

  private list(): void {
    const online = this.online;
    const out: PeerId[] = new Array<PeerId>(this.count);
    let k = 0;
    for (let w = 0; w < online.length; w++) {
      let bits = online[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        out[k++] = this.order[(w << 5) + 31 - Math.clz32(low)]!;
        bits ^= low;
      }
    }
    this.listed = out;
  }

  private countBefore(): void {
    const online = this.online;
    const before = new Int32Array(online.length + 1);
    let k = 0;
    for (let w = 0; w < online.length; w++) {
      before[w] = k;
      k += popcount(online[w]!);
    }
    before[online.length] = k;
    this.before = before;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
