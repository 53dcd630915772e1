import type { PeerId } from "../../peers/population.js";
import { PairIndex } from "../../collections/pair-index.js";
import { grownInt32 } from "../../collections/grow.js";

const NONE = -1;

/**
 * Every peer's Bitswap ledger, the responder's side of want lists: for each
 * (peer, block CID) the peers that want the block from it and have not
 * cancelled, in the order they first asked, each with the retrieval it
 * asked for. A want is remembered when the peer lacks the block and
 * forgotten on CANCEL, when the block arrives (HAVE goes out to each
 * wanter) or when the peer goes offline.
 *
 * Wants come and go by the million (every WANT_HAVE a peer cannot answer
 * yet, cancelled a second later), so everything lives in typed arrays:
 * records chained per peer (so a peer's whole ledger can be dropped), and
 * wants chained per record, with free lists. A record's fields sit side by
 * side, as do a want's, so touching one costs one cache miss, not one per
 * field. A want costs no allocation.
 *
 * A peer's record for a CID is found by walking the peer's chain: a ledger
 * holds a want or two at a time (a broadcast reaches dozens of peers, and
 * its CANCEL follows a second later), and records are reused as they are
 * freed, so the walk reads memory still in cache, where an index over every
 * ledger costs a cache miss on each want and on each cancel. A ledger that
 * grows past `scanLimit` records (a peer many ask of at once, or wants left
 * behind by peers that went away) is indexed by (peer, CID) as well until
 * it empties, so no walk is long.
 */
export class WantLedgers {
  /** (peer, CID) → its record, for the ledgers that are indexed. */
  private readonly records = new PairIndex();
  /** Records in each peer's ledger. */
  private recordsOf = new Int32Array(1024);
  /** 1 while a peer's ledger is indexed. */
  private indexed = new Uint8Array(1024);
  private recordTotal = 0;

  constructor(
    /** Records a ledger holds before it is indexed too. */
    private readonly scanLimit = 16,
  ) {}

  /** Record r is rec[8r..8r+7]: REC_* fields. */
  private rec = new Int32Array(256 * 8);
  private recCount = 0;
  private recFree = NONE;

  /** Want w is wants[4w..4w+3]: WANT_* fields. */
  private wants = new Int32Array(1024 * 4);
  private wantCount = 0;
  private wantFree = NONE;

  /** Each peer's first record, or NONE. */
  private peerFirst = new Int32Array(1024).fill(NONE);

  /** `wanter` wants block `cid` of `peer` for retrieval `lookup` (-1: none); a wanter already waiting keeps its place and takes the new retrieval. */
  want(peer: PeerId, cid: number, wanter: PeerId, lookup: number): void {
    const r = this.find(peer, cid);
    const wants = this.wants;
    if (r !== NONE) {
      for (let w = this.rec[r * 8 + REC_FIRST]!; w !== NONE; w = wants[w * 4 + WANT_NEXT]!) {
        if (wants[w * 4 + WANT_PEER] === wanter) {
          wants[w * 4 + WANT_LOOKUP] = lookup;
          return;
        }
      }
    }
    const rec8 = (r !== NONE ? r : this.addRecord(peer, cid)) * 8;
    const w = this.newWant();
    const at = w * 4;
    this.wants[at + WANT_PEER] = wanter;
    this.wants[at + WANT_LOOKUP] = lookup;
    this.wants[at + WANT_NEXT] = NONE;
    const rec = this.rec;
    const last = rec[rec8 + REC_LAST]!;
    if (last === NONE) rec[rec8 + REC_FIRST] = w;
    else this.wants[last * 4 + WANT_NEXT] = w;
    rec[rec8 + REC_LAST] = w;
  }

  /** `wanter` withdraws its want of block `cid` of `peer` (CANCEL). */
  cancel(peer: PeerId, cid: number, wanter: PeerId): void {
    const r = this.find(peer, cid);
    if (r === NONE) return;
    const rec = this.rec;
    const wants = this.wants;
    let prev = NONE;
    for (let w = rec[r * 8 + REC_FIRST]!; w !== NONE; prev = w, w = wants[w * 4 + WANT_NEXT]!) {
      if (wants[w * 4 + WANT_PEER] !== wanter) continue;
      const next = wants[w * 4 + WANT_NEXT]!;
      if (prev === NONE) rec[r * 8 + REC_FIRST] = next;
      else wants[prev * 4 + WANT_NEXT] = next;
      if (rec[r * 8 + REC_LAST] === w) rec[r * 8 + REC_LAST] = prev;
      this.freeWant(w);
      break;
    }
    if (rec[r * 8 + REC_FIRST] === NONE) this.removeRecord(r);
  }

  /**
   * Removes the wants of block `cid` at `peer` (it has the block now) and
   * returns how many there were; the wanters and their retrievals, in the
   * order they came, are in `taken` and `takenLookups` until the next call.
   */
  take(peer: PeerId, cid: number): number {
    const r = this.find(peer, cid);
    if (r === NONE) return 0;
    const wants = this.wants;
    let n = 0;
    for (let w = this.rec[r * 8 + REC_FIRST]!; w !== NONE; w = wants[w * 4 + WANT_NEXT]!) {
      if (n === this.taken.length) {
        this.taken = grownInt32(this.taken, n * 2);
        this.takenLookups = grownInt32(this.takenLookups, n * 2);
      }
      this.taken[n] = wants[w * 4 + WANT_PEER]!;
      this.takenLookups[n] = wants[w * 4 + WANT_LOOKUP]!;
      n++;
    }
    this.removeRecord(r);
    return n;
  }

  /** Wanters removed by the last `take`. */
  taken = new Int32Array(64);
  /** Their retrievals (-1: none). */
  takenLookups = new Int32Array(64);

  /** `peer` went offline: its whole ledger is gone. */
  drop(peer: PeerId): void {
    if (peer >= this.peerFirst.length) return;
    for (let r = this.peerFirst[peer]!; r !== NONE; ) {
      const next = this.rec[r * 8 + REC_NEXT]!;
      this.removeRecord(r);
      r = next;
    }
  }

  /** (peer, CID) pairs with wants now, over every peer (for tests). */
  get size(): number {
    return this.recordTotal;
  }

  // ── Records ───────────────────────────────────────────────────────

  /** The record of (peer, CID), or NONE: from the index if the peer's ledger is indexed, else by walking its chain. */
  private find(peer: PeerId, cid: number): number {
    if (peer >= this.peerFirst.length) return NONE;
    if (this.indexed[peer] === 1) return this.records.get(peer, cid);
    const rec = this.rec;
    for (let r = this.peerFirst[peer]!; r !== NONE; r = rec[r * 8 + REC_NEXT]!) if (rec[r * 8 + REC_CID] === cid) return r;
    return NONE;
  }

  /** Indexes every record of `peer`'s ledger (it has grown past scanLimit). */
  private index(peer: PeerId): void {
    const rec = this.rec;
    for (let r = this.peerFirst[peer]!; r !== NONE; r = rec[r * 8 + REC_NEXT]!) this.records.set(peer, rec[r * 8 + REC_CID]!, r);
    this.indexed[peer] = 1;
  }

  private addRecord(peer: PeerId, cid: number): number {
    let r = this.recFree;
    if (r !== NONE) this.recFree = this.rec[r * 8 + REC_NEXT]!;
    else {
      if ((this.recCount + 1) * 8 > this.rec.length) this.rec = grownInt32(this.rec, this.rec.length * 2);
      r = this.recCount++;
    }
    if (peer >= this.peerFirst.length) {
      const size = Math.max(peer + 1, this.peerFirst.length * 2);
      this.peerFirst = grownInt32(this.peerFirst, size, NONE);
      this.recordsOf = grownInt32(this.recordsOf, size);
      const indexed = new Uint8Array(size);
      indexed.set(this.indexed);
      this.indexed = indexed;
    }
    const rec = this.rec;
    const at = r * 8;
    const head = this.peerFirst[peer]!;
    rec[at + REC_PEER] = peer;
    rec[at + REC_CID] = cid;
    rec[at + REC_FIRST] = NONE;
    rec[at + REC_LAST] = NONE;
    rec[at + REC_PREV] = NONE;
    rec[at + REC_NEXT] = head;
    if (head !== NONE) rec[head * 8 + REC_PREV] = r;
    this.peerFirst[peer] = r;
    this.recordTotal++;
    const records = ++this.recordsOf[peer]!;
    if (this.indexed[peer] === 1) this.records.set(peer, cid, r);
    else if (records > this.scanLimit) this.index(peer);
    return r;
  }

  /** Frees record `r`, its wants, and its index entry. */
  private removeRecord(r: number): void {
    const rec = this.rec;
    const at = r * 8;
    for (let w = rec[at + REC_FIRST]!; w !== NONE; ) {
      const next = this.wants[w * 4 + WANT_NEXT]!;
      this.freeWant(w);
      w = next;
    }
    const peer = rec[at + REC_PEER]!;
    const prev = rec[at + REC_PREV]!;
    const next = rec[at + REC_NEXT]!;
    if (prev === NONE) this.peerFirst[peer] = next;
    else rec[prev * 8 + REC_NEXT] = next;
    if (next !== NONE) rec[next * 8 + REC_PREV] = prev;
    this.recordTotal--;
    if (this.indexed[peer] === 1) this.records.delete(peer, rec[at + REC_CID]!);
    // An emptied ledger has no entry left in the index: it is walked again from its next record on.
    if (--this.recordsOf[peer] === 0) this.indexed[peer] = 0;
    rec[at + REC_NEXT] = this.recFree;
    this.recFree = r;
  }

  // ── Wants ─────────────────────────────────────────────────────────

  private newWant(): number {
    const w = this.wantFree;
    if (w !== NONE) {
      this.wantFree = this.wants[w * 4 + WANT_NEXT]!;
      return w;
    }
    if ((this.wantCount + 1) * 4 > this.wants.length) this.wants = grownInt32(this.wants, this.wants.length * 2);
    return this.wantCount++;
  }

  private freeWant(w: number): void {
    this.wants[w * 4 + WANT_NEXT] = this.wantFree;
    this.wantFree = w;
  }
}

// A record: the peer and CID, its first and last want, the peer's previous and next record.
const REC_PEER = 0;
const REC_CID = 1;
const REC_FIRST = 2;
const REC_LAST = 3;
const REC_PREV = 4;
const REC_NEXT = 5;
// A want: the wanter, its retrieval, the record's next want.
const WANT_PEER = 0;
const WANT_LOOKUP = 1;
const WANT_NEXT = 2;
