import type { Rng } from "../../../sim/engine/rng.js";
import { PartialPiece, type Connection, type PeerState } from "../../../sim/overlays/bittorrent/state.js";
import type { Torrent } from "../../../sim/overlays/bittorrent/torrent.js";

/**
 * The piece picker as it was before its scans went word by word over bitsets:
 * a piece-by-piece scan, kept as the plain reference the picker must agree
 * with, pick for pick and random draw for random draw (picker.test.ts). Not
 * used by the simulator.
 *
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
export class ReferencePicker {
  constructor(
    private readonly torrent: Torrent,
    private readonly mode: "rarest-first" | "random",
    private readonly randomFirst: number,
    private readonly endGame: boolean,
    private readonly rng: Rng,
  ) {}

  /** The next block to request from `conn`, with its request recorded; undefined when there is none. `endGame` says whether it is an end-game duplicate. */
  next(state: PeerState, conn: Connection): { key: number; endGame: boolean } | undefined {
    // Pieces started that the peer has: `conn.wanted` less these is how many new pieces it can give.
    let started = 0;
    for (const partial of state.partial.values()) {
      if (!state.has(conn, partial.piece)) continue;
      started++;
      if (partial.unrequested === 0) continue;
      for (let b = 0; b < partial.blocks; b++) {
        if (partial.got[b] === 0 && partial.requested[b] === 0) return { key: this.mark(partial, b), endGame: false };
      }
    }
    const piece = this.newPiece(state, conn, conn.wanted - started);
    if (piece >= 0) {
      const partial = new PartialPiece(piece, this.torrent.blocksIn(piece));
      state.partial.set(piece, partial);
      return { key: this.mark(partial, 0), endGame: false };
    }
    // End game, on an idle connection only and with at most one copy of each request: a block already on the wire cannot be called back.
    if (!this.endGame || conn.outstanding.length > 0 || state.haveCount + state.partial.size < state.pieces) return undefined;
    for (const partial of state.partial.values()) {
      if (partial.unrequested > 0 || !state.has(conn, partial.piece)) continue;
      for (let b = 0; b < partial.blocks; b++) {
        if (partial.got[b] !== 0 || partial.requested[b]! > 1) continue;
        const key = this.torrent.key(partial.piece, b);
        partial.requested[b]!++;
        return { key, endGame: true };
      }
    }
    return undefined;
  }

  private mark(partial: PartialPiece, block: number): number {
    partial.requested[block] = 1;
    partial.unrequested--;
    return this.torrent.key(partial.piece, block);
  }

  /**
   * A piece `conn`'s peer has, we lack and have not started; -1 if none. `eligible` is how
   * many such pieces there are: the scans stop once they have seen them all.
   */
  private newPiece(state: PeerState, conn: Connection, eligibleCount: number): number {
    const n = state.pieces;
    const have = state.have;
    const holders = state.holders;
    const stride = state.slotWords;
    const word = conn.slot >> 5;
    const bit = 1 << (conn.slot & 31);
    const started = state.partial.started;
    const eligible = (p: number) => have[p] === 0 && started[p] === 0 && (holders[p * stride + word]! & bit) !== 0;
    if (this.mode === "random" || state.haveCount < this.randomFirst) {
      if (eligibleCount === 0) return -1;
      let k = this.rng.int(eligibleCount);
      for (let p = 0; p < n; p++) if (eligible(p) && k-- === 0) return p;
      return -1;
    }
    // Local rarest first: the eligible piece of least availability, the first one met scanning
    // from a random piece; availability 1 cannot be beaten (the peer itself has it).
    const availability = state.availability;
    const start = this.rng.int(n);
    let best = -1;
    let bestCount = Infinity;
    let seen = 0;
    for (let i = 0; i < n && seen < eligibleCount; i++) {
      const p = start + i < n ? start + i : start + i - n;
      if (!eligible(p)) continue;
      seen++;
      if (availability[p]! < bestCount) {
        best = p;
        bestCount = availability[p]!;
        if (bestCount <= 1) break;
      }
    }
    return best;
  }
}
