import { describe, expect, it } from "vitest";
import { loadExperiment } from "../../../sim/run/experiment.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { carrierHarness } from "./harness.js";

/**
 * The distribution-time bound of Kurose & Ross (Computer Networking, §2.5,
 * after Kumar & Ross, "Peer-to-peer file sharing: the fluid model", 2006):
 * one server with upload u_s and N peers with uploads u_i and downloads
 * d_i distribute a file of F bytes in at least
 *   client-server: max(N·F/u_s, F/d_min)
 *   peer-to-peer:  max(F/u_s, F/d_min, N·F/(u_s + Σu_i)).
 */
export function clientServerTime(n: number, fileBytes: number, us: number, d: number) {
  const h = carrierHarness("maxmin", [us, ...Array(n).fill(1)], [Infinity, ...Array(n).fill(d)], 0);
  for (let i = 1; i <= n; i++) h.send(0, i, fileBytes);
  h.sim.run();
  return Math.max(...h.arrivals.map((a) => a.at));
}

/**
 * The ideal relay schedule of the fluid model when u_s ≤ (u_s + Σu_i)/N, for N
 * equal peers: the server sends the file in `chunks` pieces, one at a time at
 * its full rate, piece k to peer k mod N, and each peer relays every piece it
 * gets to the N−1 others at once. On the maxmin carrier the pieces pipeline,
 * and the last peer has the file at F/u_s plus one piece's relay.
 */
export function relayTime(n: number, fileBytes: number, us: number, u: number, d: number, chunks: number) {
  const h = carrierHarness("maxmin", [us, ...Array(n).fill(u)], [Infinity, ...Array(n).fill(d)], 0);
  const piece = fileBytes / chunks;
  const have = new Float64Array(n + 1);
  let finished = 0;
  const got = (peer: number) => {
    have[peer]! += piece;
    if (have[peer]! >= fileBytes * (1 - 1e-12)) finished = Math.max(finished, h.sim.now);
  };
  const sendPiece = (k: number) => {
    if (k >= chunks) return;
    const relay = 1 + (k % n);
    h.carrier.send(0, relay, piece, {
      arrived: () => {
        got(relay);
        for (let p = 1; p <= n; p++) if (p !== relay) h.carrier.send(relay, p, piece, { arrived: () => got(p), lost: () => {} });
      },
      lost: () => {},
    });
    // The server's next piece starts when this one has left its uplink: with zero latency, on arrival.
    h.sim.schedule(piece / us, sendPiece, k + 1);
  };
  sendPiece(0);
  h.sim.run();
  return finished;
}

describe("distribution time (Kumar & Ross)", () => {
  const F = 1_000_000;
  it("client-server takes max(N·F/u_s, F/d_min) exactly", () => {
    expect(clientServerTime(10, F, 1000, 1e9)).toBe((10 * F) / 1000);
    expect(clientServerTime(10, F, 1000, 50)).toBe(F / 50);
  });

  it("an ideal relay schedule on maxmin reaches the peer-to-peer bound within 1 %", () => {
    const n = 10, us = 1000, u = 1000, d = 1e9;
    const bound = Math.max(F / us, F / d, (n * F) / (us + n * u));
    const t = relayTime(n, F, us, u, d, 2000);
    expect(t).toBeGreaterThanOrEqual(bound * (1 - 1e-9));
    expect(t / bound - 1).toBeLessThan(0.01);
  });
});

describe("distribution time through a whole run (scenarios/validation/bandwidth-distribution.yaml)", () => {
  it("gives the bound exactly client-server, and one piece's relay above it peer-to-peer", () => {
    const experiment = loadExperiment("scenarios/validation/bandwidth-distribution.yaml");
    if (experiment.kind !== "variants") throw new Error("expected variants");
    const times: Record<string, number> = {};
    for (const run of experiment.runs) {
      const simulation = new Simulation(run.scenario);
      simulation.runToEnd();
      const b = simulation.finish().summary.broadcasts!;
      expect(b.coverage.mean).toBe(1);
      // Every copy arrives at once client-server; the relay's peers all finish with the last piece.
      expect(b.timeToMs.p50.mean).toBe(b.timeToMs.p100.mean);
      times[run.variant] = b.timeToMs.p100.mean;
    }
    // F = 1,000,000 bytes, u = 1,000 bytes/ms, slow downloads 50 bytes/ms; relay: F/u_s + F/pieces · (N − 1)/u.
    expect(times).toEqual({ "client-server-10": 10_000, "client-server-10-slow": 20_000, "client-server-30": 30_000, "relay-10": 1004.5, "relay-30": 1007.25 });
  });
});
