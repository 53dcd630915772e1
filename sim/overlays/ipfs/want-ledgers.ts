import type { PeerId } from "../../peers/population.js";
import { PairIndex } from "../../collections/pair-index.js";

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
 * yet, cancelled a second later), so everything lives in typed arrays: an
 * index from (peer, CID) to a record, records chained per
 * peer (so a peer's whole ledger can be dropped), and wants chained per
 * record, with free lists. A want costs no allocation.
 */
export class WantLedgers {
  /** (peer, CID) → its record. */
  private readonly records = new PairIndex();

  // Records: one per (peer, CID) with wants.
  private recPeer = new Int32Array(256);
  private recCid = new Int32Array(256);
  private recFirst = new Int32Array(256);
  private recLast = new Int32Array(256);
  /** The peer's other records (doubly linked, for dropping a peer's ledger). */
  private recPrev = new Int32Array(256);
  private recNext = new Int32Array(256);
  private recCount = 0;
  private recFree = NONE;

  // Wants: the wanter, its retrieval (-1: none), the next want of the same record.
  private wantPeer = new Int32Array(1024);
  private wantLookup = new Float64Array(1024);
  private wantNext = new Int32Array(1024);
  private wantCount = 0;
  private wantFree = NONE;

  /** Each peer's first record, or NONE. */
  private peerFirst = new Int32Array(1024).fill(NONE);

  /** `wanter` wants block `cid` of `peer` for retrieval `lookup`; a wanter already waiting keeps its place and takes the new retrieval. */
  want(peer: PeerId, cid: number, wanter: PeerId, lookup: number): void {
    let rec = this.recordOf(peer, cid);
    if (rec === NONE) rec = this.addRecord(peer, cid);
    else {
      for (let w = this.recFirst[rec]!; w !== NONE; w = this.wantNext[w]!) {
        if (this.wantPeer[w] === wanter) {
          this.wantLookup[w] = lookup;
          return;
        }
      }
    }
    const w = this.newWant();
    this.wantPeer[w] = wanter;
    this.wantLookup[w] = lookup;
    this.wantNext[w] = NONE;
    const last = this.recLast[rec]!;
    if (last === NONE) this.recFirst[rec] = w;
    else this.wantNext[last] = w;
    this.recLast[rec] = w;
  }

  /** `wanter` withdraws its want of block `cid` of `peer` (CANCEL). */
  cancel(peer: PeerId, cid: number, wanter: PeerId): void {
    const rec = this.recordOf(peer, cid);
    if (rec === NONE) return;
    let prev = NONE;
    for (let w = this.recFirst[rec]!; w !== NONE; prev = w, w = this.wantNext[w]!) {
      if (this.wantPeer[w] !== wanter) continue;
      const next = this.wantNext[w]!;
      if (prev === NONE) this.recFirst[rec] = next;
      else this.wantNext[prev] = next;
      if (this.recLast[rec] === w) this.recLast[rec] = prev;
      this.freeWant(w);
      break;
    }
    if (this.recFirst[rec] === NONE) this.removeRecord(rec);
  }

  /**
   * Removes the wants of block `cid` at `peer` (it has the block now) and
   * returns how many there were; the wanters and their retrievals, in the
   * order they came, are in `taken` and `takenLookups` until the next call.
   */
  take(peer: PeerId, cid: number): number {
    const rec = this.recordOf(peer, cid);
    if (rec === NONE) return 0;
    let n = 0;
    for (let w = this.recFirst[rec]!; w !== NONE; w = this.wantNext[w]!) {
      if (n === this.taken.length) {
        this.taken = grown(this.taken, n * 2, 0);
        const lookups = new Float64Array(n * 2);
        lookups.set(this.takenLookups);
        this.takenLookups = lookups;
      }
      this.taken[n] = this.wantPeer[w]!;
      this.takenLookups[n] = this.wantLookup[w]!;
      n++;
    }
    this.removeRecord(rec);
    return n;
  }

  /** Wanters removed by the last `take`. */
  taken = new Int32Array(64);
  /** Their retrievals (-1: none). */
  takenLookups = new Float64Array(64);

  /** `peer` went offline: its whole ledger is gone. */
  drop(peer: PeerId): void {
    if (peer >= this.peerFirst.length) return;
    for (let rec = this.peerFirst[peer]!; rec !== NONE; ) {
      const next = this.recNext[rec]!;
      this.removeRecord(rec);
      rec = next;
    }
  }

  /** (peer, CID) pairs with wants now, over every peer (for tests). */
  get size(): number {
    return this.records.size;
  }

  // ── Records ───────────────────────────────────────────────────────

  private recordOf(peer: PeerId, cid: number): number {
    return this.records.get(peer, cid);
  }

  private addRecord(peer: PeerId, cid: number): number {
    let rec = this.recFree;
    if (rec !== NONE) this.recFree = this.recNext[rec]!;
    else {
      if (this.recCount === this.recPeer.length) this.growRecords();
      rec = this.recCount++;
    }
    this.recPeer[rec] = peer;
    this.recCid[rec] = cid;
    this.recFirst[rec] = NONE;
    this.recLast[rec] = NONE;
    if (peer >= this.peerFirst.length) this.peerFirst = grown(this.peerFirst, Math.max(peer + 1, this.peerFirst.length * 2), NONE);
    const head = this.peerFirst[peer]!;
    this.recPrev[rec] = NONE;
    this.recNext[rec] = head;
    if (head !== NONE) this.recPrev[head] = rec;
    this.peerFirst[peer] = rec;
    this.records.set(peer, cid, rec);
    return rec;
  }

  /** Frees `rec`, its wants, and its slot. */
  private removeRecord(rec: number): void {
    for (let w = this.recFirst[rec]!; w !== NONE; ) {
      const next = this.wantNext[w]!;
      this.freeWant(w);
      w = next;
    }
    const peer = this.recPeer[rec]!;
    const prev = this.recPrev[rec]!;
    const next = this.recNext[rec]!;
    if (prev === NONE) this.peerFirst[peer] = next;
    else this.recNext[prev] = next;
    if (next !== NONE) this.recPrev[next] = prev;
    this.records.delete(peer, this.recCid[rec]!);
    this.recNext[rec] = this.recFree;
    this.recFree = rec;
  }

  private growRecords(): void {
    const n = this.recPeer.length * 2;
    this.recPeer = grown(this.recPeer, n, 0);
    this.recCid = grown(this.recCid, n, 0);
    this.recFirst = grown(this.recFirst, n, 0);
    this.recLast = grown(this.recLast, n, 0);
    this.recPrev = grown(this.recPrev, n, 0);
    this.recNext = grown(this.recNext, n, 0);
  }

  // ── Wants ─────────────────────────────────────────────────────────

  private newWant(): number {
    const w = this.wantFree;
    if (w !== NONE) {
      this.wantFree = this.wantNext[w]!;
      return w;
    }
    if (this.wantCount === this.wantPeer.length) {
      const n = this.wantPeer.length * 2;
      this.wantPeer = grown(this.wantPeer, n, 0);
      this.wantNext = grown(this.wantNext, n, 0);
      const lookups = new Float64Array(n);
      lookups.set(this.wantLookup);
      this.wantLookup = lookups;
    }
    return this.wantCount++;
  }

  private freeWant(w: number): void {
    this.wantNext[w] = this.wantFree;
    this.wantFree = w;
  }
}

function grown(a: Int32Array, size: number, fill: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(size);
  out.set(a);
  if (fill !== 0) out.fill(fill, a.length);
  return out;
}
