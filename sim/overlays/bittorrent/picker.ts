import type { Rng } from "../../engine/rng.js";
import { PartialPiece, popCount, type Connection, type PeerState } from "./state.js";
import type { Torrent } from "./torrent.js";

/**
 * Which block to ask a peer for next (Cohen 2003, §2.3; Legout, Urvoy-Keller
 * & Michiardi 2006 for how mainline clients behave):
 * 1. strict priority: blocks of pieces already started come first, so pieces
 *    complete (and can be shared) as soon as possible;
 * 2. then a new piece: at random for the first `randomFirst` pieces (a new
 *    peer needs something to trade quickly, and rare pieces come slowly),
 *    then the locally rarest among the pieces the peer has (ties broken by
 *    scanning from a random piece), or at random with the `random` picker;
 * 3. end game: once every missing block has been requested, a block already
 *    requested elsewhere, so the last pieces do not wait on one slow peer.
 */
export class PiecePicker {
  constructor(
    private readonly torrent: Torrent,
    private readonly mode: "rarest-first" | "random",
    private readonly randomFirst: number,
    private readonly endGame: boolean,
    private readonly rng: Rng,
    /** Where a newly started piece's record comes from: execution rounds recycles them (round-flows.ts). */
    private readonly newPartial: (piece: number, blocks: number) => PartialPiece = (piece, blocks) => new PartialPiece(piece, blocks),
  ) {}

  /** Whether the last block `next` returned is an end-game duplicate. */
  endGamePick = false;

  /**
   * The key of the next block to request from `conn`, with its request recorded; -1 when
   * there is none. A number and a flag (`endGamePick`) rather than an object: this runs for
   * every request.
   */
  next(state: PeerState, conn: Connection): number {
    this.endGamePick = false;
    // Pieces started that the peer has: `conn.wanted` less these is how many new pieces it can give.
    let started = 0;
    for (const partial of state.partial.values()) {
      if (!state.has(conn, partial.piece)) continue;
      started++;
      if (partial.unrequested === 0) continue;
      for (let b = 0; b < partial.blocks; b++) {
        if (partial.got[b] === 0 && partial.requested[b] === 0) return this.mark(partial, b);
      }
    }
    const piece = this.newPiece(state, conn, conn.wanted - started);
    if (piece >= 0) {
      const partial = this.newPartial(piece, this.torrent.blocksIn(piece));
      state.partial.set(piece, partial);
      return this.mark(partial, 0);
    }
    // End game, on an idle connection only and with at most one copy of each request: a block already on the wire cannot be called back.
    if (!this.endGame || conn.outstanding.length > 0 || state.haveCount + state.partial.size < state.pieces) return -1;
    for (const partial of state.partial.values()) {
      if (partial.unrequested > 0 || !state.has(conn, partial.piece)) continue;
      for (let b = 0; b < partial.blocks; b++) {
        if (partial.got[b] !== 0 || partial.requested[b]! > 1) continue;
        const key = this.torrent.key(partial.piece, b);
        partial.requested[b]!++;
        this.endGamePick = true;
        return key;
      }
    }
    return -1;
  }

  private mark(partial: PartialPiece, block: number): number {
    partial.requested[block] = 1;
    partial.unrequested--;
    return this.torrent.key(partial.piece, block);
  }

  /**
   * A piece `conn`'s peer has, we lack and have not started; -1 if none. `eligible` is how
   * many such pieces there are: the scans stop once they have seen them all. The scans
   * walk the words of (its pieces AND NOT ours AND NOT started), so only those pieces are
   * visited, in the same order as a piece-by-piece scan would meet them.
   */
  private newPiece(state: PeerState, conn: Connection, eligibleCount: number): number {
    const n = state.pieces;
    const words = state.pieceWords;
    const row = state.slotPieces;
    const rowStart = conn.slot * words;
    const haveBits = state.haveBits;
    const startedBits = state.partial.startedBits;
    if (this.mode === "random" || state.haveCount < this.randomFirst) {
      if (eligibleCount === 0) return -1;
      // The k-th eligible piece in piece order.
      let k = this.rng.int(eligibleCount);
      for (let w = 0; w < words; w++) {
        let bits = row[rowStart + w]! & ~haveBits[w]! & ~startedBits[w]!;
        const count = popCount(bits);
        if (k >= count) {
          k -= count;
          continue;
        }
        for (; k > 0; k--) bits &= bits - 1;
        return 32 * w + 31 - Math.clz32(bits & -bits);
      }
      return -1;
    }
    // Local rarest first: the eligible piece of least availability, the first one met scanning
    // from a random piece (pieces start .. n−1, then 0 .. start−1); availability 1 cannot be
    // beaten (the peer itself has it).
    const availability = state.availability;
    const start = this.rng.int(n);
    let best = -1;
    let bestCount = Infinity;
    let seen = 0;
    for (let pass = 0; pass < 2; pass++) {
      const lo = pass === 0 ? start : 0;
      const hi = pass === 0 ? n : start;
      if (lo >= hi) continue;
      const lastWord = (hi - 1) >> 5;
      for (let w = lo >> 5; w <= lastWord; w++) {
        let bits = row[rowStart + w]! & ~haveBits[w]! & ~startedBits[w]!;
        if (w === lo >> 5) bits &= -1 << (lo & 31);
        if (w === lastWord && (hi & 31) !== 0) bits &= (1 << (hi & 31)) - 1;
        while (bits !== 0) {
          if (seen >= eligibleCount) return best;
          const low = bits & -bits;
          bits ^= low;
          const p = 32 * w + 31 - Math.clz32(low);
          seen++;
          if (availability[p]! < bestCount) {
            best = p;
            bestCount = availability[p]!;
            if (bestCount <= 1) return best;
          }
        }
      }
    }
    return best;
  }
}
