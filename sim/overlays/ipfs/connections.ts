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
 * compacted). Whether two peers are connected is a scan of one of their
 * lists: at most a hundred or so numbers side by side, of a peer that is
 * talking now, cheaper than a probe of an index over every connection (a
 * cache miss on each open, and another on each close). Closing needs no
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
  /**
   * Each peer's fields, side by side (FIELDS words from peer·FIELDS, one
   * cache line: opening or closing a connection at a peer nothing else has
   * touched lately then costs one miss for them, not one per field): where
   * its list starts in the slab (BASE), its room (ROOM) and entries in use
   * (END), its open connections (OPEN), where its first entry that may be
   * open is (START: trimming closes the oldest, so holes gather at the
   * front), and its water marks (LOW, HIGH), read from `marks` once (LOW -1:
   * not yet).
   */
  private fields = newFields(16);
  /** Peers `fields` has room for. */
  private peers = 16;
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
    const fields = this.fields;
    const f = peer * FIELDS;
    const out: PeerId[] = [];
    if (this.count(peer) === 0) return out;
    const slab = this.slab;
    const b = fields[f + BASE]!;
    for (let i = fields[f + START]!; i < fields[f + END]!; i++) if (slab[b + i] !== CLOSED) out.push(this.ends[b + i]!);
    return out;
  }

  /** Writes the open connections of `peer`, oldest first, into `out` (grown if needed, and returned); their number is `count(peer)`. */
  copyTo(peer: PeerId, out: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
    const fields = this.fields;
    const f = peer * FIELDS;
    const n = this.count(peer);
    if (n === 0) return out;
    if (out.length < n) out = new Int32Array(Math.max(n, out.length * 2));
    const slab = this.slab;
    const b = fields[f + BASE]!;
    let k = 0;
    const ends = this.ends;
    for (let i = fields[f + START]!; k < n; i++) if (slab[b + i] !== CLOSED) out[k++] = ends[b + i]!;
    return out;
  }

  count(peer: PeerId): number {
    return peer < this.peers ? this.fields[peer * FIELDS + OPEN]! : 0;
  }

  /** True if `a` and `b` are connected: a scan of `a`'s list (callers pass first the peer that is talking now, whose list is in cache). */
  has(a: PeerId, b: PeerId): boolean {
    if (a >= this.peers) return false;
    const f = a * FIELDS;
    const slab = this.slab;
    const ends = this.ends;
    const base = this.fields[f + BASE]!;
    const end = base + this.fields[f + END]!;
    for (let i = base + this.fields[f + START]!; i < end; i++) if (ends[i] === b && slab[i] !== CLOSED) return true;
    return false;
  }

  /** True if `peer` is below its low water mark. */
  wantsMore(peer: PeerId): boolean {
    this.ensure(peer);
    const f = peer * FIELDS;
    return this.fields[f + OPEN]! < this.fields[f + LOW]!;
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
    const fields = this.fields;
    const f = peer * FIELDS;
    let end = fields[f + END]!;
    if (end === fields[f + ROOM]) {
      this.makeRoom(peer);
      end = fields[f + END]!;
    }
    this.slab[fields[f + BASE]! + end] = c;
    this.ends[fields[f + BASE]! + end] = other;
    this.place(c, peer, end);
    fields[f + END] = end + 1;
    fields[f + OPEN]!++;
  }

  /** A full list: compacted in place when at least half of it is holes, else moved to one twice as long (at the slab's end). */
  private makeRoom(peer: PeerId): void {
    const fields = this.fields;
    const f = peer * FIELDS;
    const from = fields[f + BASE]!;
    const room = fields[f + ROOM]!;
    const to = fields[f + OPEN]! * 2 <= room ? from : this.allot(room * 2);
    const slab = this.slab;
    const ends = this.ends;
    let n = 0;
    for (let i = fields[f + START]!; i < fields[f + END]!; i++) {
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
      fields[f + BASE] = to;
      fields[f + ROOM] = room * 2;
    }
    fields[f + START] = 0;
    fields[f + END] = n;
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
    const fields = this.fields;
    const f = peer * FIELDS;
    this.slab[fields[f + BASE]! + i] = CLOSED;
    fields[f + OPEN]!--;
    if (i === fields[f + START]) this.skipHoles(peer);
  }

  private skipHoles(peer: PeerId): void {
    const fields = this.fields;
    const f = peer * FIELDS;
    const slab = this.slab;
    const b = fields[f + BASE]!;
    const end = fields[f + END]!;
    let i = fields[f + START]!;
    while (i < end && slab[b + i] === CLOSED) i++;
    if (i === end) fields[f + START] = fields[f + END] = 0;
    else fields[f + START] = i;
  }

  /** Above high water: close the oldest connections (never `keep`, the one just opened) down to low water. */
  private trim(peer: PeerId, keep: number): void {
    const fields = this.fields;
    const f = peer * FIELDS;
    if (fields[f + OPEN]! <= fields[f + HIGH]!) return;
    const low = fields[f + LOW]!;
    const slab = this.slab;
    const b = fields[f + BASE]!;
    for (let i = fields[f + START]!; i < fields[f + END]! && fields[f + OPEN]! > low; i++) {
      const c = slab[b + i]!;
      if (c === CLOSED || c === keep) continue;
      this.close(c);
      this.closed++;
    }
  }

  /** `peer` went offline: every connection it had closes. */
  gone(peer: PeerId): void {
    if (peer >= this.peers) return;
    const fields = this.fields;
    const f = peer * FIELDS;
    if (fields[f + OPEN] === 0) return;
    const slab = this.slab;
    const b = fields[f + BASE]!;
    for (let i = fields[f + START]!; i < fields[f + END]!; i++) {
      const c = slab[b + i]!;
      if (c === CLOSED) continue;
      this.close(c);
    }
    fields[f + OPEN] = fields[f + START] = fields[f + END] = 0;
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
    if (peer >= this.peers) {
      const peers = Math.max(peer + 1, this.peers * 2);
      const fields = newFields(peers);
      fields.set(this.fields);
      this.fields = fields;
      this.peers = peers;
    }
    if (this.fields[peer * FIELDS + LOW] === -1) {
      const { low, high } = this.marks(peer);
      this.fields[peer * FIELDS + LOW] = low;
      this.fields[peer * FIELDS + HIGH] = high;
      // Twice the most a peer holds at once (high water, plus the one that takes it above): compacting then always frees half.
      const room = Math.max(8, 2 * (high + 2));
      this.fields[peer * FIELDS + BASE] = this.allot(room);
      this.fields[peer * FIELDS + ROOM] = room;
    }
  }
}

// A peer's fields (see Connections.fields).
const FIELDS = 8;
const BASE = 0;
const ROOM = 1;
const END = 2;
const OPEN = 3;
const START = 4;
const LOW = 5;
const HIGH = 6;

/** Fields for `peers` peers, each with no list and no water marks read yet. */
function newFields(peers: number): Int32Array {
  const fields = new Int32Array(peers * FIELDS);
  for (let p = 0; p < peers; p++) fields[p * FIELDS + LOW] = -1;
  return fields;
}
