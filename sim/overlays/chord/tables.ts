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
  /**
   * The approximation (`approx`) of each successor-list entry, beside the
   * list: a routing step weighs every successor against the target, and
   * reading their approximations here is one or two cache lines of the
   * asked peer's instead of a random read per successor (each one a cache
   * and TLB miss at 10^6 peers). Kept by syncHot and the oracle build, from
   * the first candidate search on (`keepsSuccessorApprox`): a ring that only
   * routes recursively never weighs successors, and at 10^7 peers the list
   * is a gigabyte.
   */
  successorApprox = new Float64Array(0);
  /** Whether `successorApprox` is kept: false until the first candidate search asks for it. */
  keepsSuccessorApprox = false;
  successorCount = new Uint8Array(0);
  predecessor = new Int32Array(0);
  /**
   * The fingers, read with `finger` and written with `setFingers`. Of the m
   * fingers only the top ones are stored per peer: below m − 41 a finger
   * starts closer than the successor, so it is the successor (or unknown),
   * except where a peer has a node within 2^(m−41) of it, about N · 2^-41
   * of the time. So each peer keeps its highest `F` fingers in its row (see
   * `rowDoubles`), and one number for all the lower ones (`lowSlot`) while
   * they are one value; a peer whose lower fingers differ gets a row of them
   * in `spill` until they are one value again. At m = 128 a peer's row is
   * 192 bytes, its hot record included (m fingers in a plain array and the
   * record: 536). This array holds the spilled rows, `lowTop` fingers each.
   */
  private spill = new Int32Array(0);
  private spillRows = 0;
  private readonly freeSpill: number[] = [];
  /** Fingers stored per peer in its row: the highest F. */
  readonly F: number;
  /** Fingers below this one are kept as one number in the row (`lowSlot`) or in `spill`: m − F. */
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
   * What a routing step reads of a peer, in one row of `rowStride` doubles
   * per peer (192 bytes at m = 128: three cache lines), seen as doubles and
   * as 32-bit words, so that a hop, which lands on a random peer, touches one
   * or two cache lines instead of a line in each of several arrays. The row
   * starts with the hot record (`hotOf`): the approximations of the peer's
   * own id, of its successor's and of its last successor's (NaN without
   * successors), which a routing step compares with the target's (equal
   * approximations, where the top 53 bits tie, fall back to the exact
   * words). Then come `low` and the fingers from the highest down (finger i
   * at `fingerSlot(peer) − i` in `rowInts`): a far target needs one of the
   * highest, in the hot record's line, and a closer one the next line.
   * Every method that changes a successor list keeps the hot record in step
   * (syncHot).
   */
  private rowDoubles = new Float64Array(0);
  private rowInts = new Int32Array(0);
  /** Size of a row, in doubles (the hot record takes the first HOT). */
  private readonly rowStride: number;
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
    // The hot record, `low` and the fingers, in whole doubles.
    this.rowStride = HOT + Math.ceil((1 + this.F) / 2);
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
    this.successors = bigger(this.successors, r, -1);
    if (this.keepsSuccessorApprox) this.successorApprox = bigger(this.successorApprox, r);
    this.successorCount = bigger(this.successorCount, 1);
    this.predecessor = bigger(this.predecessor, 1, -1);
    const rows = new Float64Array(capacity * this.rowStride);
    rows.set(this.rowDoubles);
    this.rowDoubles = rows;
    this.rowInts = new Int32Array(rows.buffer);
    // Unknown fingers in the new rows (their hot records are written below).
    this.rowInts.fill(-1, 2 * old * this.rowStride);
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

  /** Refreshes `peer`'s hot record and successor approximations after its successor list changed. */
  syncHot(peer: PeerId): void {
    const count = this.successorCount[peer]!;
    const base = peer * this.r;
    if (this.keepsSuccessorApprox) for (let j = 0; j < count; j++) this.successorApprox[base + j] = this.approx[this.successors[base + j]!]!;
    this.setHot(
      peer,
      this.approx[peer]!,
      count > 0 ? this.approx[this.successors[peer * this.r]!]! : NaN,
      count > 0 ? this.approx[this.successors[peer * this.r + count - 1]!]! : NaN,
    );
  }
  /** Starts keeping `successorApprox`: made for every peer's list as it stands, then kept by syncHot. */
  keepSuccessorApprox(): void {
    const { r, capacity, successors, successorCount, approx } = this;
    const lists = new Float64Array(capacity * r);
    for (let p = 0; p < capacity; p++) {
      const base = p * r;
      for (let j = 0; j < successorCount[p]!; j++) lists[base + j] = approx[successors[base + j]!]!;
    }
    this.successorApprox = lists;
    this.keepsSuccessorApprox = true;
  }


  /**
   * Sets `peer`'s hot record to what syncHot would find, from the
   * approximations of the peer, its successor and its last successor given
   * (the oracle build has them in ring order, side by side).
   */
  setHot(peer: PeerId, own: number, successor: number, lastSuccessor: number): void {
    const h = this.rowStride * peer;
    const rows = this.rowDoubles;
    rows[h] = own;
    rows[h + SUCCESSOR_APPROX] = successor;
    rows[h + LAST_SUCCESSOR_APPROX] = lastSuccessor;
  }

  /** `peer`'s hot record: the approximations of its id, its successor's and its last successor's (NaN without successors). */
  hotOf(peer: PeerId): [own: number, successor: number, lastSuccessor: number] {
    const h = this.rowStride * peer;
    const rows = this.rowDoubles;
    return [rows[h]!, rows[h + SUCCESSOR_APPROX]!, rows[h + LAST_SUCCESSOR_APPROX]!];
  }

  /**
   * Where `peer`'s `low` is in `rowInts`: the value of all its fingers below
   * `lowTop` (≥ -1), or -2 − r when they differ and are in row r of `spill`.
   */
  private lowSlot(peer: PeerId): number {
    return 2 * this.rowStride * peer + 2 * HOT;
  }

  /** Where finger i (≥ lowTop) of `peer` is in `rowInts`: this less i (the highest finger comes right after `low`). */
  private fingerSlot(peer: PeerId): number {
    return 2 * this.rowStride * peer + 2 * HOT + this.m;
  }

  /** Forgets all routing state of `peer` (a new session starts with nothing). */
  reset(peer: PeerId): void {
    this.successorCount[peer] = 0;
    this.predecessor[peer] = -1;
    const fs = this.fingerSlot(peer);
    this.rowInts.fill(-1, fs - this.m + 1, fs - this.lowTop + 1);
    this.freeSpillRow(peer);
    this.rowInts[this.lowSlot(peer)] = -1;
    this.bottomRun[peer] = -1;
    this.nextFinger[peer] = 0;
    this.inRing[peer] = 0;
    this.syncHot(peer);
  }

  successor(peer: PeerId): PeerId {
    return this.successorCount[peer]! > 0 ? this.successors[peer * this.r]! : -1;
  }

  successorList(peer: PeerId): PeerId[] {
    const count = this.successorCount[peer]!;
    // Made at its size: a stabilize reply carries it for a round trip, and an array grown by pushes has room for 17.
    const out: PeerId[] = new Array(count);
    const base = peer * this.r;
    for (let j = 0; j < count; j++) out[j] = this.successors[base + j]!;
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
    const { rowInts, lowTop } = this;
    const fs = this.fingerSlot(peer);
    for (let i = lowTop; i < this.m; i++) if (rowInts[fs - i] === gone) rowInts[fs - i] = -1;
    const v = rowInts[this.lowSlot(peer)]!;
    if (v === gone) rowInts[this.lowSlot(peer)] = -1;
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
    if (i >= lowTop) return this.rowInts[this.fingerSlot(peer) - i]!;
    const v = this.rowInts[this.lowSlot(peer)]!;
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
   * Writes `owner` to fingers from..to of `peer`, in the row and below it,
   * without keeping the bottom run: for bulk writes (the oracle build), which
   * end with `fingersChanged`.
   */
  writeFingers(peer: PeerId, from: number, to: number, owner: PeerId): void {
    const lowTop = this.lowTop;
    if (to >= lowTop) {
      const fs = this.fingerSlot(peer);
      const rowInts = this.rowInts;
      for (let i = Math.max(from, lowTop); i <= to; i++) rowInts[fs - i] = owner;
    }
    if (from >= lowTop) return;
    const end = Math.min(to, lowTop - 1);
    const v = this.rowInts[this.lowSlot(peer)]!;
    if (from === 0 && end === lowTop - 1) {
      // All the lower fingers: one value again.
      this.freeSpillRow(peer);
      this.rowInts[this.lowSlot(peer)] = owner;
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
    this.rowInts[this.lowSlot(peer)] = -2 - row;
    return row;
  }

  /** Returns `peer`'s spill row, if it has one, for reuse. */
  private freeSpillRow(peer: PeerId): void {
    const v = this.rowInts[this.lowSlot(peer)]!;
    if (v < -1) this.freeSpill.push(-2 - v);
  }

  /** The last index of the run of `peer`'s fingers equal to finger 0 that is known to reach index `end`. */
  private runFrom(peer: PeerId, end: number): number {
    const { m, lowTop } = this;
    const first = this.finger(peer, 0);
    if (end + 1 < lowTop) {
      const v = this.rowInts[this.lowSlot(peer)]!;
      if (v >= -1) end = lowTop - 1;
      else {
        // Lower fingers that differ: along the spill row.
        const rb = (-2 - v) * lowTop;
        while (end + 1 < lowTop && this.spill[rb + end + 1] === first) end++;
        if (end + 1 < lowTop) return end;
      }
    }
    const fs = this.fingerSlot(peer);
    while (end + 1 < m && this.rowInts[fs - end - 1] === first) end++;
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
    const h = this.rowStride * peer;
    const rows = this.rowDoubles;
    const sA = rows[h + SUCCESSOR_APPROX]!;
    // No successor (NaN): the hot record says so without a read of successorCount.
    if (sA !== sA) return false;
    const pA = rows[h]!;
    const tA = approxOf(target, to, this.W);
    // Distinct approximations order exactly like the ids they approximate.
    if (pA !== sA && pA !== tA && sA !== tA) return pA < sA ? pA < tA && tA < sA : tA > pA || tA < sA;
    const { ids, W } = this;
    return this.space.inOpenClosed(target, to, ids, peer * W, ids, this.successors[peer * this.r]! * W);
  }

  /**
   * True if `target` ∈ (from, node]: `node` owns it if `from` is its
   * predecessor. Decided on the approximations when they differ (8 bytes a
   * peer, where the ids take 16 at m = 128), on the ids otherwise.
   */
  inRangeOf(node: PeerId, from: PeerId, target: Uint32Array, to: number): boolean {
    const fA = this.approx[from]!;
    const nA = this.approx[node]!;
    const tA = approxOf(target, to, this.W);
    if (fA !== nA && fA !== tA && nA !== tA) return fA < nA ? fA < tA && tA < nA : tA > fA || tA < nA;
    const { ids, W } = this;
    return this.space.inOpenClosed(target, to, ids, from * W, ids, node * W);
  }

  /**
   * The known peer in (peer, target) closest to `target`: the highest finger
   * that does not pass the target (found from the distance's top bit, so
   * usually the first finger looked at), or a farther successor-list entry.
   * -1 if `peer` knows nobody between itself and the target.
   */
  closestPreceding(peer: PeerId, target: Uint32Array, to: number): PeerId {
    const { ids, W, m, space, rowDoubles, rowInts, rowStride, lowTop } = this;
    const pw = peer * W;
    const h = rowStride * peer;
    const pA = rowDoubles[h]!;
    const tA = approxOf(target, to, W);
    let best = -1;
    let bestA = NaN;
    const fs = this.fingerSlot(peer);
    let top = W > 1 ? this.approxDistanceLog2(pA, tA) : -2;
    if (top === -2) top = space.distanceLog2(ids, pw, target, to);
    for (let i = Math.min(top, m - 1); i >= 0; i--) {
      const f = i >= lowTop ? rowInts[fs - i]! : this.finger(peer, i);
      if (f < 0 || f === peer) continue;
      // The finger's own hot record: the line the next hop, if it is this finger, reads first.
      const fA = rowDoubles[rowStride * f]!;
      const between = pA !== fA && pA !== tA && fA !== tA ? (pA < tA ? pA < fA && fA < tA : fA > pA || fA < tA) : space.inOpen(ids, f * W, ids, pw, target, to);
      if (between) {
        best = f;
        bestA = fA;
        break;
      }
    }
    // NaN without successors: then the finger found is the answer.
    const lA = rowDoubles[h + LAST_SUCCESSOR_APPROX]!;
    if (lA !== lA) return best;
    const base = peer * this.r;
    const count = this.successorCount[peer]!;
    // A finger beyond the last successor is better than any successor: skip the list (the usual case, far targets).
    if (best >= 0) {
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
    // A power of two: the distance may lie just below it, one bit shorter.
    if (d === POW2[bits - 1]) return -2;
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
    // The peer's own approximation from its hot record, the row this search reads next anyway.
    const peerA = this.rowDoubles[this.rowStride * peer]!;
    // What every `consider` compares with, handed over in a typed array: a double passed as an argument is
    // boxed in a fresh heap number at each call the compiler did not inline.
    this.searchApprox[TARGET_APPROX] = tA;
    this.searchApprox[PEER_APPROX] = peerA;
    let top = W > 1 ? this.approxDistanceLog2(peerA, tA) : -2;
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
        const grown = this.consider(n, peer, f, this.approx, f, target, to);
        if (grown > n) distinct++;
        n = grown;
      }
      above = f;
    }
    const base = peer * this.r;
    if (!this.keepsSuccessorApprox) this.keepSuccessorApprox();
    for (let j = 0; j < this.successorCount[peer]!; j++) n = this.consider(n, peer, this.successors[base + j]!, this.successorApprox, base + j, target, to);
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
  /** The approximation of each peer in `found`, beside it (read again at every insertion). */
  private foundApprox = new Float64Array(0);
  /** The target's and the searching peer's approximations during `candidates` (TARGET_APPROX, PEER_APPROX). */
  private readonly searchApprox = new Float64Array(2);

  /**
   * Adds `p` (whose approximation is `approx[at]`) to found[0..n) if it lies
   * in (peer, target) and is not there yet; returns the new count. The
   * target's approximation is in `searchApprox`: every
   * test here is decided on the approximations when they differ (see `rowDoubles`),
   * and on the ids otherwise.
   */
  private consider(n: number, peer: PeerId, p: PeerId, approx: Float64Array, at: number, target: Uint32Array, to: number): number {
    if (p < 0 || p === peer) return n;
    let found = this.found;
    for (let i = 0; i < n; i++) if (found[i] === p) return n;
    const { ids, W, space } = this;
    const pw = peer * W;
    const pA = approx[at]!;
    const tA = this.searchApprox[TARGET_APPROX]!;
    const peerA = this.searchApprox[PEER_APPROX]!;
    const inRange = peerA !== pA && peerA !== tA && pA !== tA ? (peerA < tA ? peerA < pA && pA < tA : pA > peerA || pA < tA) : space.inOpen(ids, p * W, ids, pw, target, to);
    if (!inRange) return n;
    let foundApprox = this.foundApprox;
    if (n === found.length) {
      const bigger = new Int32Array(Math.max(32, 2 * n));
      bigger.set(found);
      this.found = found = bigger;
      const biggerApprox = new Float64Array(bigger.length);
      biggerApprox.set(foundApprox);
      this.foundApprox = foundApprox = biggerApprox;
    }
    // Shift up the entries p lies between the peer and (or ties with): all but those in (peer, p).
    let k = n;
    while (k > 0) {
      const q = found[k - 1]!;
      const qA = foundApprox[k - 1]!;
      const before = peerA !== qA && peerA !== pA && qA !== pA ? (peerA < pA ? peerA < qA && qA < pA : qA > peerA || qA < pA) : space.inOpen(ids, q * W, ids, pw, ids, p * W);
      if (before) break;
      found[k] = q;
      foundApprox[k] = qA;
      k--;
    }
    found[k] = p;
    foundApprox[k] = pA;
    return n + 1;
  }
}

/** Fingers stored per peer in its row (ChordTables.rowInts): the highest 41, so that a row at m = 128 is 192 bytes. */
const FINGER_WINDOW = 41;

/** Doubles at the start of each row: the hot record. */
const HOT = 3;
/** Where the hot record keeps the successor's approximation and the last successor's (the peer's own comes first). */
const SUCCESSOR_APPROX = 1;
/** Where `candidates` leaves the target's and the peer's approximations for `consider`. */
const TARGET_APPROX = 0;
const PEER_APPROX = 1;
const LAST_SUCCESSOR_APPROX = 2;

/** 2^k for k < 54, looked up rather than computed. */
const POW2 = Float64Array.from({ length: 54 }, (_, k) => 2 ** k);

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
