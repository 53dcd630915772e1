import type { PeerId } from "../../peers/population.js";
import { grownInt32 } from "../../collections/grow.js";

const CLOSED = -1;

/**
 * The connection manager: every peer's open libp2p connections, the peers
 * its Bitswap broadcasts reach. Connections are two-sided; they open when
 * two peers talk (a DHT request answered, a dial to a provider, a bootstrap
 * contact). When one takes a peer above its `high` water mark, the peer
 * closes its oldest connections down to `low` (libp2p's BasicConnMgr, minus
 * its grace period and tags).
 *
 * A connection to a peer that goes offline closes at both ends at once
 * (the other end sees the stream reset; a crashed peer's connections are
 * closed by keep-alive timeouts in reality, a simplification).
 *
 * Every DHT answer asks for a connection, and most open a new one (a peer
 * above high water then closes dozens at once), so this is on the hot path:
 * a connection is a record naming its two ends (the lower peer id first)
 * and its position in each end's list; each peer's list holds the records
 * of its connections in the order they opened, and beside each the peer at
 * its other end (a closed one leaves a hole, filled when the list is
 * compacted). Whether two peers are connected is a scan of the shorter of
 * their lists: at most a hundred or so numbers side by side, of a peer that
 * is talking now, cheaper than a probe of an index over every connection
 * (a cache miss on each open, and another on each close). Closing needs no
 * search at all (the record says where both ends keep it); nothing is
 * allocated per connection.
 */
export class Connections {
  /**
   * Every peer's list of connection records, oldest first, CLOSED for holes:
   * peer p's is slab[base[p]..base[p]+room[p]), `end` entries in use. One
   * array for all (not one each) saves two dependent memory reads per
   * touch: closing a connection touches a list nothing else has read lately.
   */
  private slab = new Int32Array(1024).fill(CLOSED);
  /** The peer at the other end of each entry of `slab` (meaningless where the entry is CLOSED). */
  private ends = new Int32Array(1024);
  private slabUsed = 0;
  private base = new Int32Array(16);
  private room = new Int32Array(16);
  private end = new Int32Array(16);
  /** Open connections of each peer. */
  private open = new Int32Array(16);
  /** Where each peer's first entry that may be open is (trimming closes the oldest, so holes gather at the front). */
  private start = new Int32Array(16);
  /** Water marks of each peer, read from `marks` once (-1: not yet). */
  private low = new Int32Array(16).fill(-1);
  private high = new Int32Array(16);
  /** Record c is records[4c..4c+3]: its lower end, its higher end, its position in the lower's list and in the higher's; a free record's first field links the next free one. */
  private records = new Int32Array(1024 * 4);
  private recordCount = 0;
  private recordFree = CLOSED;
  private closed = 0;

  constructor(
    /** Low and high water marks of `peer`. */
    private readonly marks: (peer: PeerId) => { low: number; high: number },
  ) {}

  /** Open connections of `peer`, oldest first (a fresh array). */
  of(peer: PeerId): PeerId[] {
    const out: PeerId[] = [];
    if (this.count(peer) === 0) return out;
    const slab = this.slab;
    const b = this.base[peer]!;
    for (let i = this.start[peer]!; i < this.end[peer]!; i++) if (slab[b + i] !== CLOSED) out.push(this.ends[b + i]!);
    return out;
  }

  /** Writes the open connections of `peer`, oldest first, into `out` (grown if needed, and returned); their number is `count(peer)`. */
  copyTo(peer: PeerId, out: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
    const n = this.count(peer);
    if (n === 0) return out;
    if (out.length < n) out = new Int32Array(Math.max(n, out.length * 2));
    const slab = this.slab;
    const b = this.base[peer]!;
    let k = 0;
    const ends = this.ends;
    for (let i = this.start[peer]!; k < n; i++) if (slab[b + i] !== CLOSED) out[k++] = ends[b + i]!;
    return out;
  }

  count(peer: PeerId): number {
    return peer < this.open.length ? this.open[peer]! : 0;
  }

  has(a: PeerId, b: PeerId): boolean {
    if (a >= this.end.length || b >= this.end.length) return false;
    return this.end[a]! - this.start[a]! <= this.end[b]! - this.start[b]! ? this.listHas(a, b) : this.listHas(b, a);
  }

  /** True if `other` is at the other end of an open entry of `peer`'s list. */
  private listHas(peer: PeerId, other: PeerId): boolean {
    const slab = this.slab;
    const ends = this.ends;
    const b = this.base[peer]!;
    const end = b + this.end[peer]!;
    for (let i = b + this.start[peer]!; i < end; i++) if (ends[i] === other && slab[i] !== CLOSED) return true;
    return false;
  }

  /** True if `peer` is below its low water mark. */
  wantsMore(peer: PeerId): boolean {
    this.ensure(peer);
    return this.open[peer]! < this.low[peer]!;
  }

  /** Opens a connection between `a` and `b` (both online). */
  connect(a: PeerId, b: PeerId): void {
    if (a === b) return;
    if (this.has(a, b)) return;
    this.ensure(a);
    this.ensure(b);
    const c = this.newRecord(a < b ? a : b, a < b ? b : a);
    this.append(a, c, b);
    this.append(b, c, a);
    this.trim(a, c);
    this.trim(b, c);
  }

  /** Records that connection `c` sits at position `i` of `peer`'s list. */
  private place(c: number, peer: PeerId, i: number): void {
    this.records[c * 4 + (this.records[c * 4] === peer ? 2 : 3)] = i;
  }

  /** Puts connection `c`, to `other`, at the end of `peer`'s list. */
  private append(peer: PeerId, c: number, other: PeerId): void {
    let end = this.end[peer]!;
    if (end === this.room[peer]) {
      this.makeRoom(peer);
      end = this.end[peer]!;
    }
    this.slab[this.base[peer]! + end] = c;
    this.ends[this.base[peer]! + end] = other;
    this.place(c, peer, end);
    this.end[peer] = end + 1;
    this.open[peer]!++;
  }

  /** A full list: compacted in place when at least half of it is holes, else moved to one twice as long (at the slab's end). */
  private makeRoom(peer: PeerId): void {
    const from = this.base[peer]!;
    const room = this.room[peer]!;
    const to = this.open[peer]! * 2 <= room ? from : this.allot(room * 2);
    const slab = this.slab;
    const ends = this.ends;
    let n = 0;
    for (let i = this.start[peer]!; i < this.end[peer]!; i++) {
      const c = slab[from + i]!;
      if (c === CLOSED) continue;
      slab[to + n] = c;
      ends[to + n] = ends[from + i]!;
      this.place(c, peer, n);
      n++;
    }
    if (to === from) slab.fill(CLOSED, from + n, from + room);
    else {
      slab.fill(CLOSED, from, from + room);
      this.base[peer] = to;
      this.room[peer] = room * 2;
    }
    this.start[peer] = 0;
    this.end[peer] = n;
  }

  /** `size` unused entries at the end of the slab (grown if needed); returns where they start. */
  private allot(size: number): number {
    if (this.slabUsed + size > this.slab.length) {
      const length = Math.max(this.slabUsed + size, this.slab.length * 2);
      const grown = new Int32Array(length).fill(CLOSED);
      grown.set(this.slab.subarray(0, this.slabUsed));
      this.slab = grown;
      this.ends = grownInt32(this.ends, length);
    }
    const at = this.slabUsed;
    this.slabUsed += size;
    return at;
  }

  /** Closes connection `c` at both ends and forgets it. */
  private close(c: number): void {
    const records = this.records;
    const lower = records[c * 4]!;
    const higher = records[c * 4 + 1]!;
    this.leave(lower, records[c * 4 + 2]!);
    this.leave(higher, records[c * 4 + 3]!);
    records[c * 4] = this.recordFree;
    this.recordFree = c;
  }

  /** Empties position `i` of `peer`'s list (an open connection). */
  private leave(peer: PeerId, i: number): void {
    this.slab[this.base[peer]! + i] = CLOSED;
    this.open[peer]!--;
    if (i === this.start[peer]) this.skipHoles(peer);
  }

  private skipHoles(peer: PeerId): void {
    const slab = this.slab;
    const b = this.base[peer]!;
    const end = this.end[peer]!;
    let i = this.start[peer]!;
    while (i < end && slab[b + i] === CLOSED) i++;
    if (i === end) this.start[peer] = this.end[peer] = 0;
    else this.start[peer] = i;
  }

  /** Above high water: close the oldest connections (never `keep`, the one just opened) down to low water. */
  private trim(peer: PeerId, keep: number): void {
    if (this.open[peer]! <= this.high[peer]!) return;
    const low = this.low[peer]!;
    const slab = this.slab;
    const b = this.base[peer]!;
    for (let i = this.start[peer]!; i < this.end[peer]! && this.open[peer]! > low; i++) {
      const c = slab[b + i]!;
      if (c === CLOSED || c === keep) continue;
      this.close(c);
      this.closed++;
    }
  }

  /** `peer` went offline: every connection it had closes. */
  gone(peer: PeerId): void {
    if (peer >= this.end.length || this.open[peer] === 0) return;
    const slab = this.slab;
    const b = this.base[peer]!;
    for (let i = this.start[peer]!; i < this.end[peer]!; i++) {
      const c = slab[b + i]!;
      if (c === CLOSED) continue;
      this.close(c);
    }
    this.open[peer] = this.start[peer] = this.end[peer] = 0;
  }

  /** Connections closed by trimming so far. */
  get trimmed(): number {
    return this.closed;
  }

  private newRecord(lower: PeerId, higher: PeerId): number {
    let c = this.recordFree;
    if (c !== CLOSED) this.recordFree = this.records[c * 4]!;
    else {
      if ((this.recordCount + 1) * 4 > this.records.length) this.records = grownInt32(this.records, this.records.length * 2);
      c = this.recordCount++;
    }
    this.records[c * 4] = lower;
    this.records[c * 4 + 1] = higher;
    return c;
  }

  private ensure(peer: PeerId): void {
    if (peer >= this.end.length) {
      const size = Math.max(peer + 1, this.end.length * 2);
      this.end = grownInt32(this.end, size, 0);
      this.open = grownInt32(this.open, size, 0);
      this.start = grownInt32(this.start, size, 0);
      this.low = grownInt32(this.low, size, -1);
      this.high = grownInt32(this.high, size, 0);
      this.base = grownInt32(this.base, size, 0);
      this.room = grownInt32(this.room, size, 0);
    }
    if (this.low[peer] === -1) {
      const { low, high } = this.marks(peer);
      this.low[peer] = low;
      this.high[peer] = high;
      // Twice the most a peer holds at once (high water, plus the one that takes it above): compacting then always frees half.
      const room = Math.max(8, 2 * (high + 2));
      this.base[peer] = this.allot(room);
      this.room[peer] = room;
    }
  }
}
