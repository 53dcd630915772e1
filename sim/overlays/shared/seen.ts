import { IntMap } from "../../collections/int-map.js";
import type { PeerId } from "../../peers/population.js";

/** Marks a query the peer started itself. */
export const ORIGIN = -1;
/** What `upstream` returns for a peer that has not seen (or has forgotten) a query. */
export const UNSEEN = -2;

/**
 * What every peer remembers of the queries it has seen: for each query id,
 * the neighbour it first came from (the way back for hits). Each peer keeps
 * this for `memoryMs`, for duplicate suppression and reverse-path routing.
 *
 * The memories are stored by query rather than by peer: one small table per
 * query, mapping peer → upstream. The information is the same as a table per
 * peer, but a flood's messages are handled close together in time, so its
 * table stays in the CPU cache; a table per peer is scattered over memory
 * and made flooding several times slower. Tables are dropped in two
 * generations: a query is forgotten between `memoryMs` and 2·`memoryMs`
 * after it was first seen.
 *
 * One simplification: a peer that crashes and comes back within that window
 * still "remembers" queries from its previous session.
 */
export class SeenQueries {
  private current = new Map<number, IntMap>();
  private previous = new Map<number, IntMap>();
  private since = 0;
  // Messages of one query arrive in bursts: remember the last table used.
  private lastQid = -1;
  private lastTable: IntMap | undefined;
  /**
   * Room a new table starts with: the size the last table left behind had
   * reached. A flood on 10,000 peers would otherwise double its table ten
   * times; sizing from the previous query makes that once or not at all.
   * It changes only memory and speed, never what is remembered.
   */
  private sizeHint = 32;

  constructor(private readonly memoryMs: number) {}

  /** Where `peer` first got query `qid` from, ORIGIN if it started it, or UNSEEN. */
  upstream(qid: number, peer: PeerId, nowMs: number): number {
    const table = this.table(qid, nowMs, false);
    return table ? table.get(peer, UNSEEN) : UNSEEN;
  }

  /** Records that `peer` first got query `qid` from `from` (or ORIGIN). */
  remember(qid: number, peer: PeerId, from: number, nowMs: number): void {
    this.table(qid, nowMs, true)!.set(peer, from);
  }

  private table(qid: number, nowMs: number, create: boolean): IntMap | undefined {
    if (nowMs - this.since >= this.memoryMs) this.rotate(nowMs);
    if (qid === this.lastQid && this.lastTable) return this.lastTable;
    let table = this.current.get(qid) ?? this.previous.get(qid);
    if (!table && create) this.current.set(qid, (table = new IntMap(this.sizeHint)));
    if (table) {
      if (this.lastTable !== undefined && this.lastTable !== table) this.sizeHint = Math.max(32, this.lastTable.size);
      this.lastQid = qid;
      this.lastTable = table;
    }
    return table;
  }

  private rotate(nowMs: number): void {
    this.previous = nowMs - this.since < 2 * this.memoryMs ? this.current : new Map();
    this.current = new Map();
    this.since = nowMs;
    this.lastQid = -1;
    this.lastTable = undefined;
  }
}
