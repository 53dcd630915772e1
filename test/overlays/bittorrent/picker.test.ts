import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/engine/rng.js";
import { PiecePicker } from "../../../sim/overlays/bittorrent/picker.js";
import { Connection, PartialPiece, PeerState } from "../../../sim/overlays/bittorrent/state.js";
import { Torrent } from "../../../sim/overlays/bittorrent/torrent.js";
import { ReferencePicker } from "./picker-reference.js";

/**
 * The picker's word-by-word scans against the piece-by-piece picker they
 * replaced: on random states (up to 70 connections, so the slot rows widen;
 * piece counts not a multiple of 32; pieces we have, pieces started), every
 * pick and every random draw must be the same, over a run of requests that
 * change the state as they go.
 */
interface Setup {
  pieces: number;
  blocks: number;
  conns: number;
  mode: "rarest-first" | "random";
  randomFirst: number;
  seed: number;
  holds: number[];
  ours: number[];
  started: number[];
  asks: number[];
}

function build(s: Setup) {
  const torrent = new Torrent(s.pieces * s.blocks * 100, s.blocks * 100, 100);
  const state = new PeerState(0, s.pieces, "leecher");
  for (const p of s.ours) if (state.have[p % s.pieces] === 0) state.gotPiece(p % s.pieces);
  const conns: Connection[] = [];
  for (let i = 0; i < s.conns; i++) {
    const c = new Connection(i + 1, 0, state.nextSeq++, 0);
    state.attach(c);
    conns.push(c);
  }
  // Closing and reopening a connection reuses its slot, which must start empty.
  if (s.conns > 3) {
    state.setHas(conns[2]!, 0);
    state.availability[0]!++;
    state.detach(conns[2]!);
    conns[2] = new Connection(99, 0, state.nextSeq++, 0);
    state.attach(conns[2]!);
  }
  s.holds.forEach((h, i) => {
    const c = conns[i % s.conns]!;
    const p = h % s.pieces;
    if (state.has(c, p)) return;
    state.setHas(c, p);
    state.availability[p]!++;
    if (state.have[p] === 0) c.wanted++;
  });
  for (const p of s.started) {
    const piece = p % s.pieces;
    if (state.have[piece] === 0 && !state.partial.has(piece)) state.partial.set(piece, new PartialPiece(piece, torrent.blocksIn(piece)));
  }
  return { torrent, state, conns };
}

const setup = fc.record({
  pieces: fc.integer({ min: 1, max: 140 }),
  blocks: fc.integer({ min: 1, max: 3 }),
  conns: fc.integer({ min: 1, max: 70 }),
  mode: fc.constantFrom("rarest-first" as const, "random" as const),
  randomFirst: fc.constantFrom(0, 4),
  seed: fc.nat(),
  holds: fc.array(fc.nat(), { maxLength: 600, size: "max" }),
  ours: fc.array(fc.nat(), { maxLength: 60 }),
  started: fc.array(fc.nat(), { maxLength: 10 }),
  asks: fc.array(fc.nat(), { minLength: 1, maxLength: 200, size: "max" }),
});

describe("bittorrent: piece picker", () => {
  it("picks exactly what the piece-by-piece scan picks, with the same random draws", () => {
    fc.assert(
      fc.property(setup, (s) => {
        const a = build(s);
        const b = build(s);
        const fast = new PiecePicker(a.torrent, s.mode, s.randomFirst, true, new Rng(s.seed));
        const plain = new ReferencePicker(b.torrent, s.mode, s.randomFirst, true, new Rng(s.seed));
        for (const ask of s.asks) {
          const i = ask % s.conns;
          const key = fast.next(a.state, a.conns[i]!);
          const pick = plain.next(b.state, b.conns[i]!);
          expect(key).toBe(pick ? pick.key : -1);
          expect(fast.endGamePick).toBe(pick?.endGame ?? false);
          // Now and then a piece completes: it leaves the started set and joins ours.
          if (key >= 0 && ask % 5 === 0) {
            const piece = a.torrent.pieceOf(key);
            for (const { state, conns } of [a, b]) {
              state.partial.delete(piece);
              state.gotPiece(piece);
              for (const c of conns) if (state.has(c, piece)) c.wanted--;
            }
          }
        }
      }),
      { numRuns: 400, seed: 19 },
    );
  });
});
