import type { PeerId } from "../../peers/population.js";
import { PairIndex } from "../../collections/pair-index.js";
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
 * of its connections in the order they opened (a closed one leaves a hole,
 * filled when the list is compacted). One index entry per connection, from
 * (lower, higher) peer to the record, makes has and open O(1), and closing
 * needs no lookup at all (the record says where both ends keep it); nothing
 * is allocated per connection.
 */
export class Connections {
  /** Each peer's connection records, oldest first, CLOSED for holes; `end` entries in use. */
  private lists: Int32Array<ArrayBuffer>[] = [];
  private end = new Int32Array(16);
  /** Open connections of each peer. */
  private open = new Int32Array(16);
  /** Where each peer's first entry that may be open is (trimming closes the oldest, so holes gather at the front). */
  private start = new Int32Array(16);
  /** Water marks of each peer, read from `marks` once (-1: not yet). */
  private low = new Int32Array(16).fill(-1);
  private high = new Int32Array(16);
  /** (lower, higher) end → connection record. */
  private readonly at = new PairIndex(1 << 16);
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
    const list = this.lists[peer]!;
    for (let i = this.start[peer]!; i < this.end[peer]!; i++) if (list[i] !== CLOSED) out.push(this.otherEnd(list[i]!, peer));
    return out;
  }

  /** Writes the open connections of `peer`, oldest first, into `out` (grown if needed, and returned); their number is `count(peer)`. */
  copyTo(peer: PeerId, out: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
    const n = this.count(peer);
    if (n === 0) return out;
    if (out.length < n) out = new Int32Array(Math.max(n, out.length * 2));
    const list = this.lists[peer]!;
    let k = 0;
    for (let i = this.start[peer]!; k < n; i++) {
      const c = list[i]!;
      if (c !== CLOSED) out[k++] = this.otherEnd(c, peer);
    }
    return out;
  }

  count(peer: PeerId): number {
    return peer < this.open.length ? this.open[peer]! : 0;
  }

  has(a: PeerId, b: PeerId): boolean {
    return a < b ? this.at.get(a, b) >= 0 : this.at.get(b, a) >= 0;
  }

  /** True if `peer` is below its low water mark. */
  wantsMore(peer: PeerId): boolean {
    this.ensure(peer);
    return this.open[peer]! < this.low[peer]!;
  }

  /** Opens a connection between `a` and `b` (both online). */
  connect(a: PeerId, b: PeerId): void {
    if (a === b) return;
    const lower = a < b ? a : b;
    const higher = a < b ? b : a;
    if (this.at.get(lower, higher) >= 0) return;
    this.ensure(a);
    this.ensure(b);
    const c = this.newRecord(lower, higher);
    this.at.set(lower, higher, c);
    this.append(a, c);
    this.append(b, c);
    this.trim(a, b);
    this.trim(b, a);
  }

  /** The end of connection `c` that is not `peer`. */
  private otherEnd(c: number, peer: PeerId): PeerId {
    const lower = this.records[c * 4]!;
    return lower === peer ? this.records[c * 4 + 1]! : lower;
  }

  /** Records that connection `c` sits at position `i` of `peer`'s list. */
  private place(c: number, peer: PeerId, i: number): void {
    this.records[c * 4 + (this.records[c * 4] === peer ? 2 : 3)] = i;
  }

  private append(peer: PeerId, c: number): void {
    let list = this.lists[peer]!;
    let end = this.end[peer]!;
    if (end === list.length) {
      list = this.makeRoom(peer);
      end = this.end[peer]!;
    }
    list[end] = c;
    this.place(c, peer, end);
    this.end[peer] = end + 1;
    this.open[peer]!++;
  }

  /** A full list: compacted in place when at least half of it is holes, else moved to one twice as long. */
  private makeRoom(peer: PeerId): Int32Array<ArrayBuffer> {
    const old = this.lists[peer]!;
    const list = this.open[peer]! * 2 <= old.length ? old : new Int32Array(old.length * 2);
    let n = 0;
    for (let i = this.start[peer]!; i < this.end[peer]!; i++) {
      const c = old[i]!;
      if (c === CLOSED) continue;
      list[n] = c;
      this.place(c, peer, n);
      n++;
    }
    if (list === old) list.fill(CLOSED, n);
    this.lists[peer] = list;
    this.start[peer] = 0;
    this.end[peer] = n;
    return list;
  }

  /** Closes connection `c` at both ends and forgets it. */
  private close(c: number): void {
    const records = this.records;
    const lower = records[c * 4]!;
    const higher = records[c * 4 + 1]!;
    this.leave(lower, records[c * 4 + 2]!);
    this.leave(higher, records[c * 4 + 3]!);
    this.at.delete(lower, higher);
    records[c * 4] = this.recordFree;
    this.recordFree = c;
  }

  /** Empties position `i` of `peer`'s list (an open connection). */
  private leave(peer: PeerId, i: number): void {
    this.lists[peer]![i] = CLOSED;
    this.open[peer]!--;
    if (i === this.start[peer]) this.skipHoles(peer);
  }

  private skipHoles(peer: PeerId): void {
    const list = this.lists[peer]!;
    const end = this.end[peer]!;
    let i = this.start[peer]!;
    while (i < end && list[i] === CLOSED) i++;
    if (i === end) this.start[peer] = this.end[peer] = 0;
    else this.start[peer] = i;
  }

  /** Above high water: close the oldest connections (never the one to `keep`, just opened) down to low water. */
  private trim(peer: PeerId, keep: PeerId): void {
    if (this.open[peer]! <= this.high[peer]!) return;
    const low = this.low[peer]!;
    const list = this.lists[peer]!;
    for (let i = this.start[peer]!; i < this.end[peer]! && this.open[peer]! > low; i++) {
      const c = list[i]!;
      if (c === CLOSED || this.otherEnd(c, peer) === keep) continue;
      this.close(c);
      this.closed++;
    }
  }

  /** `peer` went offline: every connection it had closes. */
  gone(peer: PeerId): void {
    if (peer >= this.end.length || this.open[peer] === 0) return;
    const list = this.lists[peer]!;
    for (let i = this.start[peer]!; i < this.end[peer]!; i++) {
      const c = list[i]!;
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
    }
    if (this.low[peer] === -1) {
      const { low, high } = this.marks(peer);
      this.low[peer] = low;
      this.high[peer] = high;
      this.lists[peer] = new Int32Array(Math.max(8, high + 2)).fill(CLOSED);
    }
  }
}
