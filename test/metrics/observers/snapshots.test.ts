import { describe, expect, it } from "vitest";
import type { PeerSnapshot } from "../../../sim/core/protocol.js";
import { nearestIndex, sample, type SnapshotRecord } from "../../../sim/metrics/observers/snapshots.js";
import type { TracedLookup } from "../../../sim/metrics/traces.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** A ring of n peers in id order (peer p at position p/n, numbered backwards so peer order and id order differ), each linked to its successor. */
function ring(n: number): PeerSnapshot[] {
  return Array.from({ length: n }, (_, i) => ({
    peer: n - 1 - i,
    position: i / n,
    links: [n - 1 - ((i + 1) % n)],
    linkKinds: ["successor"],
    keys: [],
  }));
}

describe("sample", () => {
  it("keeps whole id ranges of a DHT, grown from the peers it must keep, with their ring neighbours", () => {
    const all = ring(100);
    const kept = sample(all, 10, new Set([50]));
    expect(kept).toHaveLength(10);
    // Peer 50 sits at index 49 of the ring: its neighbours and a contiguous arc after them.
    const indexes = kept.map((p) => Math.round(p.position! * 100)).sort((a, b) => a - b);
    expect(indexes).toEqual([48, 49, 50, 51, 52, 53, 54, 55, 56, 57]);
    // Successor links inside the arc survive: 9 of the 10 (the last one's successor is outside).
    expect(kept.reduce((n, p) => n + p.links.length, 0)).toBe(9);
  });

  it("keeps every must-keep peer even when they are far apart", () => {
    const kept = sample(ring(200), 12, new Set([3, 100, 190]));
    const ids = new Set(kept.map((p) => p.peer));
    for (const p of [3, 100, 190]) expect(ids.has(p)).toBe(true);
    expect(kept).toHaveLength(12);
  });

  it("takes a breadth-first neighbourhood of an unstructured graph, so the kept peers stay connected", () => {
    // A path 0-1-2-...-49 plus peer 100 linked to 49.
    const all: PeerSnapshot[] = Array.from({ length: 50 }, (_, i) => ({ peer: i, links: [i - 1, i + 1].filter((j) => j >= 0 && j < 50), keys: [] }));
    all.push({ peer: 100, links: [49], keys: [] });
    all[49] = { ...all[49]!, links: [48, 100] };
    const kept = sample(all, 5, new Set([100]));
    expect(kept.map((p) => p.peer)).toEqual([46, 47, 48, 49, 100]);
    // Connected: 4 edges among 5 peers, each seen from both ends.
    expect(kept.reduce((n, p) => n + p.links.length, 0)).toBe(8);
  });

  it("returns everything when it fits", () => {
    expect(sample(ring(5), 10)).toHaveLength(5);
  });
});

describe("nearestIndex", () => {
  it("picks the snapshot closest in time, the earlier on a tie", () => {
    const s = [{ timeMs: 0 }, { timeMs: 100 }, { timeMs: 200 }];
    expect(nearestIndex(s, 140)).toBe(1);
    expect(nearestIndex(s, 160)).toBe(2);
    expect(nearestIndex(s, 150)).toBe(1);
    expect(nearestIndex([], 5)).toBe(-1);
  });
});

describe("traced lookups in snapshots", () => {
  const scenario = (overlay: string, maxPeers: number) =>
    validateScenario(
      {
        name: "trace-test",
        seed: 4,
        duration: "6m",
        peers: { count: 120, joinOver: "30s" },
        network: { latency: { model: "lognormal", median: "40ms", sigma: 0.5, min: "5ms" } },
        overlay: overlay === "chord" ? { type: "chord", bootstrap: "oracle" } : { type: "unstructured", degree: 4, search: { method: "flood", ttl: 3 } },
        workload: { keys: 100, lookups: { rate: "2/s" }, timeout: "10s" },
        metrics: { warmup: "1m", interval: "30s", snapshots: { at: ["2m"], maxPeers }, traceLookups: 3, traceAt: ["3m", "5m"] },
      },
      "trace-test.yaml",
    );

  for (const overlay of ["chord", "unstructured"]) {
    it(`${overlay}: traces N lookups from each traceAt time, snapshots there too, and every traced peer is drawn`, () => {
      const sim = new Simulation(scenario(overlay, 30));
      sim.runToEnd();
      sim.finish();
      const files = sim.observerFiles();
      const traces: TracedLookup[] = JSON.parse([files["traces.json"]!].flat().join("")).lookups;
      expect(traces).toHaveLength(6);
      expect(traces.slice(0, 3).every((l) => l.startMs >= 180_000)).toBe(true);
      expect(traces.slice(3).every((l) => l.startMs >= 300_000)).toBe(true);
      const snapshots: SnapshotRecord[] = JSON.parse([files["snapshots.json"]!].flat().join("")).snapshots;
      expect(snapshots.map((s) => s.timeMs)).toEqual([120_000, 180_000, 300_000]);
      for (const l of traces) {
        const s = snapshots[nearestIndex(snapshots, l.startMs)]!;
        expect(s.sampled).toBe(overlay === "chord" ? "id-range" : "neighbourhood");
        const drawn = new Set(s.peers.map((p) => p.peer));
        for (const m of l.messages) {
          expect(drawn.has(m.from), `lookup ${l.lookup}: peer ${m.from}`).toBe(true);
          expect(drawn.has(m.to), `lookup ${l.lookup}: peer ${m.to}`).toBe(true);
        }
        if (overlay === "chord") expect(s.keys?.some((k) => k.key === l.key)).toBe(true);
      }
    });
  }
});
