import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/**
 * Owner replication in the hybrid overlay (`replication.onSuccess: owner`):
 * a peer that downloaded a file keeps it and registers it, as Napster users
 * shared what they downloaded. Under churn with one placed copy per key,
 * popular keys gain holders, so more of them are online when asked for.
 */
function run(overlay: object, replication: object) {
  const simulation = new Simulation(
    validateScenario(
      {
        seed: 4,
        duration: "12m",
        peers: { count: 200, joinOver: "10s" },
        network: { latency: { model: "constant", delay: "20ms" } },
        churn: { model: "sessions", session: { distribution: "exponential", mean: "5m" }, offline: { distribution: "exponential", mean: "5m" } },
        overlay: { type: "hybrid", keepAliveInterval: "10s", replication: { replicas: 1, ...replication }, ...overlay },
        workload: { keys: 300, popularity: { distribution: "zipf", s: 1 }, lookups: { rate: "4/s" }, timeout: "10s" },
        metrics: { warmup: "2m", interval: "30s" },
      },
      "hybrid-replication.yaml",
    ),
  );
  simulation.runToEnd();
  return { simulation, ...simulation.finish() };
}

describe.each([
  ["central index", { mode: "central" }],
  ["super-peers", { mode: "super-peer", superPeers: { fraction: 0.1, degree: 4, ttl: 4 } }],
])("hybrid owner replication (%s)", (_name, overlay) => {
  it("downloaders keep and share what they got: more holders, higher availability and success than without", () => {
    const none = run(overlay, {});
    const owner = run(overlay, { onSuccess: "owner", maxStored: 8 });
    expect(none.summary.counters.copiesMade).toBe(0);
    expect(owner.summary.counters.copiesMade).toBeGreaterThan(300);
    expect(owner.summary.storage!.availabilityMean!).toBeGreaterThan(none.summary.storage!.availabilityMean! + 0.03);
    expect(owner.summary.lookups.successRatio!).toBeGreaterThan(none.summary.lookups.successRatio! + 0.05);
    // No peer keeps more than its own files plus maxStored copies.
    const snapshot = owner.simulation.overlay.snapshot!();
    const placed = none.simulation.overlay.snapshot!();
    const own = new Map(placed.peers.map((p) => [p.peer, p.keys.length]));
    for (const p of snapshot.peers) expect(p.keys.length).toBeLessThanOrEqual(own.get(p.peer)! + 8); // the same peers are online: churn does not depend on the overlay
  });
});

describe("hybrid replication options", () => {
  it("rejects path replication: files go straight from holder to requester", () => {
    expect(() => run({ mode: "central" }, { onSuccess: "path" })).toThrow(/overlay\.replication\.onSuccess: expected "none" or "owner" for the hybrid overlay/);
  });
});
