import { describe, expect, it } from "vitest";
import { distributionBounds } from "../../../sim/overlays/bittorrent/bounds.js";
import { Torrent } from "../../../sim/overlays/bittorrent/torrent.js";

describe("bittorrent: torrent geometry", () => {
  it("cuts a file into pieces and blocks, the last ones shorter", () => {
    const t = new Torrent(1_000_000, 262_144, 16_384);
    expect(t.pieces).toBe(4);
    expect(t.blocksPerPiece).toBe(16);
    expect(t.pieceLength(0)).toBe(262_144);
    expect(t.pieceLength(3)).toBe(1_000_000 - 3 * 262_144);
    expect(t.blocksIn(3)).toBe(Math.ceil((1_000_000 - 3 * 262_144) / 16_384));
    let total = 0;
    for (let p = 0; p < t.pieces; p++) for (let b = 0; b < t.blocksIn(p); b++) total += t.blockLength(p, b);
    expect(total).toBe(1_000_000);
    const key = t.key(2, 7);
    expect([t.pieceOf(key), t.blockOf(key)]).toEqual([2, 7]);
  });
});

describe("bittorrent: Kumar–Ross minimum distribution time", () => {
  it("reproduces the Kurose–Ross figure: N/10 hours client-server, N/(10+N) hours peer to peer", () => {
    // F/u = 1 h with u = 10 bytes/ms: F = 36,000,000 bytes; u_s = 10u; d_min = u_s.
    const hour = 3_600_000;
    for (const n of [1, 10, 30, 100]) {
      const b = distributionBounds(36_000_000, 100, Array(n).fill(10), Array(n).fill(100));
      expect(b.clientServerMs / hour).toBeCloseTo(Math.max(n / 10, 0.1), 12);
      expect(b.peerToPeerMs / hour).toBeCloseTo(Math.max(n / (10 + n), 0.1), 12);
    }
  });

  it("is limited by the slowest downlink when downloads are slow", () => {
    const b = distributionBounds(1000, 1000, [1000, 1000], [1, 10]);
    expect(b.clientServerMs).toBe(1000);
    expect(b.peerToPeerMs).toBe(1000);
  });
});
