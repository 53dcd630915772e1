import type { PeerId } from "../../peers/population.js";
import { IdSpace, PEER_SALT } from "../shared/id-space.js";

/**
 * Every peer's Chord state, in typed arrays indexed by peer number rather
 * than an object per peer or per finger, so a million peers cost a few
 * flat arrays: ids (`words` 32-bit words each), the successor list (r
 * entries), the predecessor and the finger table (m entries; -1 = unknown).
 * A peer's id is a keyed hash of its peer number, so it keeps its id across
 * sessions; the key (`peerSalt`) comes from the run's seed unless the
 * scenario asks for fixed ids, so each seed samples another ring.
 */
export class ChordTables {
  readonly space: IdSpace;
  readonly W: number;
  readonly m: number;
  readonly r: number;
  /** 2^(bits of an approximation): approximations of ids wrap round the ring at this value. */
  private readonly approxModulus: number;
  capacity = 0;
  ids = new Uint32Array(0);
  /** A double that orders like the id (its top bits, so ties need the exact words): for sorting and searching the oracle ring. */
  approx = new Float64Array(0);
  successors = new Int32Array(0);
  successorCount = new Uint8Array(0);
  predecessor = new Int32Array(0);
  /**
   * The fingers, read with `finger` and written with `setFingers`. Of the m
   * fingers only the top ones are stored per peer: below m − 48 a finger
   * starts closer than the successor, so it is the successor (or unknown),
   * except where a peer has a node within 2^(m−48) of it, about N · 2^-48
   * of the time. So each peer has a row of its highest `F` fingers
   * (`window`), and one number for all the lower ones (`low`) while they are
   * one value; a peer whose lower fingers differ gets a row of them in
   * `spill` until they are one value again. At m = 128 that is 196 bytes a
   * peer instead of 512.
   */
  private window = new Int32Array(0);
  /** Per peer: the value of all its fingers below `lowTop` (≥ -1), or -2 − r when they differ and are in row r of `spill`. */
  private low = new Int32Array(0);
  /** Rows of `lowTop` fingers, for peers whose lower fingers differ. */
  private spill = new Int32Array(0);
  private spillRows = 0;
  private readonly freeSpill: number[] = [];
  /** Fingers stored per peer in `window`: the highest F. */
  readonly F: number;
  /** Fingers below this one are kept in `low` (or `spill`): m − F. */
  readonly lowTop: number;
  /**
   * Per peer, the last index of the run of equal fingers that starts at
   * finger 0 (usually the successor, repeated for every finger closer than
   * it), or -1 when unknown (after a reset or a bulk write): `candidates`
   * stops there, as every finger below is the same peer again. setFingers
   * and forget keep it up to date; an unknown one is found when needed.
   */
  private bottomRun = new Int16Array(0);
  /**
   * Per peer, in one 32-byte record: the approximations of its own id, of its
   * successor's and of its last successor's (NaN without successors). A
   * routing step compares exactly these with the target's, so it reads one
   * cache line instead of the id words of three peers; equal approximations
   * (the top 53 bits tie) fall back to the exact words. Kept in step with
   * the successor list by every method that changes it (syncHot).
   */
  hot = new Float64Array(0);
  /** The finger fix_fingers refreshes next. */
  nextFinger = new Uint16Array(0);
  /** 1 once the peer has a successor (joined the ring). */
  inRing = new Uint8Array(0);
  /** Bumped on every join, so messages for a past session can be told apart. */
  session = new Uint32Array(0);

  constructor(
    space: IdSpace,
    successors: number,
    capacity: number,
    private readonly peerSalt = PEER_SALT,
  ) {
    this.space = space;
    this.W = space.words;
    this.m = space.bits;
    this.r = successors;
    this.F = Math.min(this.m, FINGER_WINDOW);
    this.lowTop = this.m - this.F;
    this.approxModulus = 2 ** (space.bits - 32 * (space.words - 1) + 21);
    this.grow(Math.max(16, capacity));
  }

  /** Makes room for peer numbers below `n`. */
  ensure(peer: PeerId): void {
    if (peer >= this.capacity) this.grow(Math.max(peer + 1, this.capacity * 2));
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const { W, r } = this;
    const bigger = <T extends Uint32Array | Int32Array | Int16Array | Uint8Array | Uint16Array | Float64Array>(a: T, per: number, fill?: number): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity * per);
      b.set(a);
      if (fill !== undefined) b.fill(fill, old * per);
      return b;
    };
    this.ids = bigger(this.ids, W);
    this.approx = bigger(this.approx, 1);
    this.hot = bigger(this.hot, HOT);
    this.successors = bigger(this.successors, r, -1);
    this.successorCount = bigger(this.successorCount, 1);
    this.predecessor = bigger(this.predecessor, 1, -1);
    this.window = bigger(this.window, this.F, -1);
    this.low = bigger(this.low, 1, -1);
    this.bottomRun = bigger(this.bottomRun, 1, -1);
    this.nextFinger = bigger(this.nextFinger, 1);
    this.inRing = bigger(this.inRing, 1);
    this.session = bigger(this.session, 1);
    this.capacity = capacity;
    for (let p = old; p < capacity; p++) {
      this.space.hash(p, this.peerSalt, this.ids, p * W);
      this.approx[p] = approxOf(this.ids, p * W, W);
      this.syncHot(p);
    }
  }

  /** Refreshes `peer`'s record in `hot` after its successor list changed. */
  syncHot(peer: PeerId): void {
    const h = HOT * peer;
    const count = this.successorCount[peer]!;
    this.hot[h] = this.approx[peer]!;
    this.hot[h + 1] = count > 0 ? this.approx[this.successors[peer * this.r]!]! : NaN;
    this.hot[h + 2] = count > 0 ? this.approx[this.successors[peer * this.r + count - 1]!]! : NaN;
  }

  /**
   * Sets `peer`'s record in `hot` to what syncHot would find, from the
   * approximations of the peer, its successor and its last successor given
   * (the oracle build has them in ring order, side by side).
   */
  setHot(peer: PeerId, own: number, successor: number, lastSuccessor: number): void {
    const h = HOT * peer;
    this.hot[h] = own;
    this.hot[h + 1] = successor;
    this.hot[h + 2] = lastSuccessor;
  }

  /** Forgets all routing state of `peer` (a new session starts with nothing). */
  reset(peer: PeerId): void {
    this.successorCount[peer] = 0;
    this.predecessor[peer] = -1;
    this.window.fill(-1, peer * this.F, (peer + 1) * this.F);
    this.freeSpillRow(peer);
    this.low[peer] = -1;
    this.bottomRun[peer] = -1;
    this.nextFinger[peer] = 0;
    this.inRing[peer] = 0;
    this.syncHot(peer);
  }

  successor(peer: PeerId): PeerId {
    return this.successorCount[peer]! > 0 ? this.successors[peer * this.r]! : -1;
  }

  successorList(peer: PeerId): PeerId[] {
    const out: PeerId[] = [];
    const base = peer * this.r;
    for (let j = 0; j < this.successorCount[peer]!; j++) out.push(this.successors[base + j]!);
    return out;
  }

  /** Sets the successor list of `peer` from `list`: without `peer` itself and duplicates, at most r long; [peer] if nothing is left. */
  setSuccessors(peer: PeerId, list: readonly PeerId[]): void {
    const base = peer * this.r;
    let n = 0;
    for (const s of list) {
      if (n >= this.r) break;
      if (s < 0 || s === peer) continue;
      let dup = false;
      for (let j = 0; j < n; j++) if (this.successors[base + j] === s) dup = true;
      if (!dup) this.successors[base + n++] = s;
    }
    if (n === 0) this.successors[base + n++] = peer;
    this.successorCount[peer] = n;
    this.syncHot(peer);
  }

  /** `peer` found `gone` unresponsive or gone: drops it from its successor list, fingers and predecessor. */
  forget(peer: PeerId, gone: PeerId): void {
    const base = peer * this.r;
    let n = 0;
    const count = this.successorCount[peer]!;
    for (let j = 0; j < count; j++) {
      const s = this.successors[base + j]!;
      if (s !== gone) this.successors[base + n++] = s;
    }
    this.successorCount[peer] = n;
    this.syncHot(peer);
    const { window, F, lowTop } = this;
    const wb = peer * F;
    for (let j = 0; j < F; j++) if (window[wb + j] === gone) window[wb + j] = -1;
    const v = this.low[peer]!;
    if (v === gone) this.low[peer] = -1;
    else if (v < -1) {
      const rb = (-2 - v) * lowTop;
      for (let i = 0; i < lowTop; i++) if (this.spill[rb + i] === gone) this.spill[rb + i] = -1;
    }
    // The bottom run stays one value (the same, or all -1 now), so it can only have grown.
    const end = this.bottomRun[peer]!;
    if (end >= 0) this.bottomRun[peer] = this.runFrom(peer, end);
    if (this.predecessor[peer] === gone) this.predecessor[peer] = -1;
  }

  /** Finger i of `peer` (-1: unknown). */
  finger(peer: PeerId, i: number): PeerId {
    const lowTop = this.lowTop;
    if (i >= lowTop) return this.window[peer * this.F + i - lowTop]!;
    const v = this.low[peer]!;
    return v >= -1 ? v : this.spill[(-2 - v) * lowTop + i]!;
  }

  /** Fingers from..to (inclusive) of `peer` become `owner`. */
  setFingers(peer: PeerId, from: number, to: number, owner: PeerId): void {
    if (to < from) return;
    this.writeFingers(peer, from, to, owner);
    // Keep the bottom run up to date (fix_fingers writes every few seconds; finding it again costs a walk).
    const end = this.bottomRun[peer]!;
    // Unknown stays unknown; writes starting past the finger after the run leave it alone.
    if (end < 0 || from > end + 1) return;
    const first = this.finger(peer, 0);
    if (from > 0 && owner !== first) {
      // The run now ends before the write (or, for a write starting just after it, where it ended).
      if (from <= end) this.bottomRun[peer] = from - 1;
      return;
    }
    // The run now covers the write (and, from finger 1 on, what it covered before): it may go on past that.
    this.bottomRun[peer] = this.runFrom(peer, from === 0 ? to : Math.max(end, to));
  }

  /**
   * Writes `owner` to fingers from..to of `peer`, in the window and below it,
   * without keeping the bottom run: for bulk writes (the oracle build), which
   * end with `fingersChanged`.
   */
  writeFingers(peer: PeerId, from: number, to: number, owner: PeerId): void {
    const { F, lowTop } = this;
    if (to >= lowTop) {
      const wb = peer * F - lowTop;
      const window = this.window;
      for (let i = Math.max(from, lowTop); i <= to; i++) window[wb + i] = owner;
    }
    if (from >= lowTop) return;
    const end = Math.min(to, lowTop - 1);
    const v = this.low[peer]!;
    if (from === 0 && end === lowTop - 1) {
      // All the lower fingers: one value again.
      this.freeSpillRow(peer);
      this.low[peer] = owner;
      return;
    }
    if (v === owner) return;
    const row = v >= -1 ? this.newSpillRow(peer, v) : -2 - v;
    this.spill.fill(owner, row * lowTop + from, row * lowTop + end + 1);
  }

  /** Gives `peer` a spill row holding `value` in every lower finger; returns it. */
  private newSpillRow(peer: PeerId, value: PeerId): number {
    const lowTop = this.lowTop;
    let row = this.freeSpill.pop();
    if (row === undefined) {
      row = this.spillRows++;
      if (row * lowTop >= this.spill.length) {
        const bigger = new Int32Array(Math.max(16, 2 * this.spillRows) * lowTop);
        bigger.set(this.spill);
        this.spill = bigger;
      }
    }
    this.spill.fill(value, row * lowTop, row * lowTop + lowTop);
    this.low[peer] = -2 - row;
    return row;
  }

  /** Returns `peer`'s spill row, if it has one, for reuse. */
  private freeSpillRow(peer: PeerId): void {
    const v = this.low[peer]!;
    if (v < -1) this.freeSpill.push(-2 - v);
  }

  /** The last index of the run of `peer`'s fingers equal to finger 0 that is known to reach index `end`. */
  private runFrom(peer: PeerId, end: number): number {
    const { m, lowTop } = this;
    const first = this.finger(peer, 0);
    if (end + 1 < lowTop) {
      const v = this.low[peer]!;
      if (v >= -1) end = lowTop - 1;
      else {
        // Lower fingers that differ: along the spill row.
        const rb = (-2 - v) * lowTop;
        while (end + 1 < lowTop && this.spill[rb + end + 1] === first) end++;
        if (end + 1 < lowTop) return end;
      }
    }
    const wb = peer * this.F - lowTop;
    while (end + 1 < m && this.window[wb + end + 1] === first) end++;
    return end;
  }

  /** `peer`'s fingers were written directly (a bulk fill): forgets what was known of them. */
  fingersChanged(peer: PeerId): void {
    this.bottomRun[peer] = -1;
  }

  /** The last index of `peer`'s run of equal fingers from finger 0 (see `bottomRun`). */
  private bottomRunOf(peer: PeerId): number {
    let end = this.bottomRun[peer]!;
    if (end < 0) this.bottomRun[peer] = end = this.runFrom(peer, 0);
    return end;
  }

  /** True if `target` ∈ (peer, successor(peer)]: the successor owns it. */
  successorOwns(peer: PeerId, target: Uint32Array, to: number): boolean {
    if (this.successorCount[peer] === 0) return false;
    const h = HOT * peer;
    const pA = this.hot[h]!;
    const sA = this.hot[h + 1]!;
    const tA = approxOf(target, to, this.W);
    // Distinct approximations order exactly like the ids they approximate.
    if (pA !== sA && pA !== tA && sA !== tA) return pA < sA ? pA < tA && tA < sA : tA > pA || tA < sA;
    const { ids, W } = this;
    return this.space.inOpenClosed(target, to, ids, peer * W, ids, this.successors[peer * this.r]! * W);
  }

  /**
   * The known peer in (peer, target) closest to `target`: the highest finger
   * that does not pass the target (found from the distance's top bit, so
   * usually the first finger looked at), or a farther successor-list entry.
   * -1 if `peer` knows nobody between itself and the target.
   */
  closestPreceding(peer: PeerId, target: Uint32Array, to: number): PeerId {
    const { ids, W, m, space, window, lowTop, hot } = this;
    const pw = peer * W;
    const pA = hot[HOT * peer]!;
    const tA = approxOf(target, to, W);
    let best = -1;
    let bestA = NaN;
    const wb = peer * this.F - lowTop;
    let top = W > 1 ? this.approxDistanceLog2(pA, tA) : -2;
    if (top === -2) top = space.distanceLog2(ids, pw, target, to);
    for (let i = Math.min(top, m - 1); i >= 0; i--) {
      const f = i >= lowTop ? window[wb + i]! : this.finger(peer, i);
      if (f < 0 || f === peer) continue;
      const fA = hot[HOT * f]!;
      const between = pA !== fA && pA !== tA && fA !== tA ? (pA < tA ? pA < fA && fA < tA : fA > pA || fA < tA) : space.inOpen(ids, f * W, ids, pw, target, to);
      if (between) {
        best = f;
        bestA = fA;
        break;
      }
    }
    const base = peer * this.r;
    const count = this.successorCount[peer]!;
    // A finger beyond the last successor is better than any successor: skip the list (the usual case, far targets).
    if (best >= 0 && count > 0) {
      const lA = hot[HOT * peer + 2]!;
      const beyond = pA !== lA && pA !== bestA && lA !== bestA ? (pA < bestA ? pA < lA && lA < bestA : lA > pA || lA < bestA) : space.inOpen(ids, this.successors[base + count - 1]! * W, ids, pw, ids, best * W);
      if (beyond) return best;
    }
    for (let j = count - 1; j >= 0; j--) {
      const s = this.successors[base + j]!;
      if (s !== peer && space.inOpen(ids, s * W, ids, pw, target, to)) {
        if (best < 0 || space.inOpen(ids, best * W, ids, pw, ids, s * W)) best = s;
        break;
      }
    }
    return best;
  }

  /**
   * distanceLog2(peer, target) from the two approximations (top 21 + topBits
   * bits), or -2 when they cannot settle it: their difference d is the
   * distance's top bits or one more, so the answer is certain unless d < 2
   * or d is a power of two.
   */
  approxDistanceLog2(pA: number, tA: number): number {
    let d = tA - pA;
    if (d < 0) d += this.approxModulus;
    if (d < 2) return -2;
    const bits = bitLength(d);
    if (bitLength(d - 1) !== bits) return -2;
    return bits - 1 + 32 * (this.W - 1) - 21;
  }

  /**
   * Up to `max` distinct known peers in (peer, target), closest to the
   * target first: the next hop and its fallbacks. The fingers from the one
   * below the target down, until `max` distinct ones are in range, then
   * every successor; ties (equal ids) in the order they were met.
   */
  candidates(peer: PeerId, target: Uint32Array, to: number, max: number): PeerId[] {
    const { ids, W, m, space } = this;
    const pw = peer * W;
    const tA = approxOf(target, to, W);
    let top = W > 1 ? this.approxDistanceLog2(this.approx[peer]!, tA) : -2;
    if (top === -2) top = space.distanceLog2(ids, pw, target, to);
    // Below the bottom run's last index every finger equals the one above it: nothing more to find there.
    const bottom = this.bottomRunOf(peer);
    let n = 0;
    let distinct = 0;
    const first = Math.min(top, m - 1);
    // The finger above the one looked at (a finger equal to it was considered already).
    let above = first >= 0 && first < m - 1 ? this.finger(peer, first + 1) : -1;
    for (let i = first; i >= bottom && distinct < max; i--) {
      const f = this.finger(peer, i);
      if (f >= 0 && (i === m - 1 || f !== above)) {
        const grown = this.consider(n, peer, f, target, to, tA);
        if (grown > n) distinct++;
        n = grown;
      }
      above = f;
    }
    const base = peer * this.r;
    for (let j = 0; j < this.successorCount[peer]!; j++) n = this.consider(n, peer, this.successors[base + j]!, target, to, tA);
    const found = this.found;
    const out: PeerId[] = new Array(Math.min(n, max));
    for (let i = 0; i < out.length; i++) out[i] = found[n - 1 - i]!;
    return out;
  }

  /**
   * Scratch of `candidates`: the peers found so far, nearest to the peer
   * first, so the successors (met nearest first) mostly go on the end. Ties
   * go before the peers they tie with, so that read backwards they are in
   * the order they were met.
   */
  private found = new Int32Array(0);

  /**
   * Adds `p` to found[0..n) if it lies in (peer, target) and is not there
   * yet; returns the new count. `tA` is the target's approximation: every
   * test here is decided on the approximations when they differ (see `hot`),
   * and on the ids otherwise.
   */
  private consider(n: number, peer: PeerId, p: PeerId, target: Uint32Array, to: number, tA: number): number {
    if (p < 0 || p === peer) return n;
    let found = this.found;
    for (let i = 0; i < n; i++) if (found[i] === p) return n;
    const { ids, W, space, approx } = this;
    const pw = peer * W;
    const peerA = approx[peer]!;
    const pA = approx[p]!;
    const inRange = peerA !== pA && peerA !== tA && pA !== tA ? (peerA < tA ? peerA < pA && pA < tA : pA > peerA || pA < tA) : space.inOpen(ids, p * W, ids, pw, target, to);
    if (!inRange) return n;
    if (n === found.length) {
      const bigger = new Int32Array(Math.max(32, 2 * n));
      bigger.set(found);
      this.found = found = bigger;
    }
    // Shift up the entries p lies between the peer and (or ties with): all but those in (peer, p).
    let k = n;
    while (k > 0) {
      const q = found[k - 1]!;
      const qA = approx[q]!;
      const before = peerA !== qA && peerA !== pA && qA !== pA ? (peerA < pA ? peerA < qA && qA < pA : qA > peerA || qA < pA) : space.inOpen(ids, q * W, ids, pw, ids, p * W);
      if (before) break;
      found[k] = q;
      k--;
    }
    found[k] = p;
    return n + 1;
  }
}

/** Fingers stored per peer in a row of their own (ChordTables.window): the highest 48. */
const FINGER_WINDOW = 48;

/** Doubles per peer in ChordTables.hot (3 used; 4 keeps a record inside one cache line). */
const HOT = 4;

/** Bits needed to write x, an integer in [1, 2^53). */
function bitLength(x: number): number {
  const hi = Math.floor(x / 0x100000000);
  return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(x >>> 0);
}

/**
 * floor(id / 2^(bits of the words after the top one, less 21)): the top word and the
 * next 21 bits, exact in a double, so a < b implies approx(a) ≤ approx(b); equal
 * approximations need the exact words to break the tie.
 */
export function approxOf(words: Uint32Array, off: number, W: number): number {
  return words[off]! * 2097152 + (W > 1 ? words[off + 1]! >>> 11 : 0);
}
