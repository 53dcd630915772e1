import { describe, expect, it } from "vitest";
import type { PeerId } from "../../../sim/peers/population.js";
import { Simulation } from "../../../sim/run/simulation.js";
import type { SuperPeers } from "../../../sim/overlays/hybrid/super-peers.js";
import { validateScenario } from "../../../sim/scenario/load.js";

function superPeerNetwork(superPeers: object, extra: { duration?: string; lookups?: number } = {}) {
  const simulation = new Simulation(
    validateScenario(
      {
        seed: 5,
        duration: extra.duration ?? "2m",
        peers: { count: 200, joinOver: "20s" },
        network: { latency: { model: "constant", delay: "20ms" } },
        overlay: { type: "hybrid", mode: "super-peer", keepAliveInterval: "10s", superPeers },
        workload: { keys: 300, popularity: { distribution: "uniform" }, lookups: { count: extra.lookups ?? 1000 }, timeout: "10s" },
        metrics: { warmup: "30s", interval: "10s" },
      },
      "super-peers.yaml",
    ),
  );
  const overlay = (simulation.overlay as unknown as { superPeers: SuperPeers }).superPeers;
  return { simulation, overlay };
}

/** Online super-peers and leaves, from the overlay's own view. */
function roles(simulation: Simulation, overlay: SuperPeers) {
  const supers: PeerId[] = [];
  const leaves: PeerId[] = [];
  for (const p of simulation.population.livePeers()) (overlay.stateOf(p)!.isSuper ? supers : leaves).push(p);
  return { supers, leaves };
}

describe("super-peers", () => {
  it("attach every leaf, and flooding among super-peers finds every key", () => {
    const { simulation, overlay } = superPeerNetwork({ fraction: 0.1, degree: 4, ttl: 8 });
    simulation.runToEnd();
    const { summary } = simulation.finish();
    const { supers, leaves } = roles(simulation, overlay);
    expect(supers.length).toBe(20); // 10 % of the pool of 200
    for (const leaf of leaves) expect(supers).toContain(overlay.stateOf(leaf)!.superPeer);
    expect(supers.reduce((n, s) => n + overlay.stateOf(s)!.leaves, 0)).toBe(leaves.length);
    expect(summary.lookups.failed).toBe(0);
    expect(summary.lookups.completed + summary.lookups.unfinished).toBe(1000);
    // A leaf's own super-peer answers in 2 hops (query + fetch); each super-peer hop further adds one.
    expect(summary.lookups.hops.histogram[2]).toBeGreaterThan(0);
    expect(summary.lookups.hops.max).toBeGreaterThan(2);
    expect(summary.counters.duplicateQueries).toBeGreaterThan(0);
  });

  it("miss keys beyond the TTL: ttl 1 searches only the leaf's own super-peer", () => {
    const { simulation } = superPeerNetwork({ fraction: 0.1, degree: 4, ttl: 1 });
    simulation.runToEnd();
    const { summary } = simulation.finish();
    expect(summary.lookups.successRatio).toBeLessThan(0.4);
    expect(summary.lookups.hops.max).toBe(2);
    expect(summary.counters.duplicateQueries).toBe(0);
  });

  it("re-attach leaves elsewhere when their super-peer crashes", () => {
    const { simulation, overlay } = superPeerNetwork({ fraction: 0.1, degree: 4, ttl: 8 }, { duration: "3m" });
    simulation.sim.run({ until: 60_000 });
    const { supers } = roles(simulation, overlay);
    const victims = supers.slice(0, 5);
    const orphaned = roles(simulation, overlay).leaves.filter((l) => victims.includes(overlay.stateOf(l)!.superPeer));
    expect(orphaned.length).toBeGreaterThan(10);
    // Crash five super-peers, as churn would.
    for (const v of victims) {
      simulation.population.markOffline(v);
      simulation.overlay.crash(v);
    }
    // An orphan notices within a keep-alive interval plus a timeout, then tries the super-peers it knows
    // (some of them dead too: 2 s each) before a live one takes it.
    simulation.sim.run({ until: 60_000 + 25_000 });
    const live = roles(simulation, overlay).supers;
    for (const leaf of orphaned) expect(live).toContain(overlay.stateOf(leaf)!.superPeer);
    simulation.runToEnd();
    const { summary } = simulation.finish();
    expect(summary.counters.reattachments).toBe(orphaned.length);
    // Lookups after the repair all succeed again.
    const t = simulation.lookups;
    for (let id = 0; id < t.size; id++) if (t.startMs[id]! > 85_000 && t.startMs[id]! < 170_000) expect(t.state[id]).toBe(1);
  });
});
