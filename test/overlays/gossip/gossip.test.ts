import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** A static network of `peers` sites gossiping `items` items in synchronous rounds of 1 s (10 ms messages). */
function run(overlay: Record<string, unknown>, options: { peers?: number; items?: number; seed?: number; duration?: string } = {}) {
  const scenario = validateScenario(
    {
      seed: options.seed ?? 3,
      duration: options.duration ?? "400s",
      peers: { count: options.peers ?? 300 },
      network: { latency: { model: "constant", delay: "10ms" } },
      overlay: { type: "gossip", round: "1s", memory: "1m", ...overlay },
      workload: { lookups: { count: 0 }, broadcasts: { count: options.items ?? 10, window: "60s", bytes: 100 } },
      metrics: { warmup: "5s", interval: "50s" },
    },
    "gossip-test.yaml",
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  return simulation.finish().summary as unknown as {
    overlay: Record<string, number>;
    broadcasts: { coverage: { mean: number }; messagesPerPeer: number; residueMean: number };
  };
}

describe("gossip overlay", () => {
  it("push anti-entropy reaches every site, in about log2 n + ln n rounds", () => {
    const s = run({ algorithm: "anti-entropy", direction: "push" });
    expect(s.overlay.residue).toBe(0);
    expect(s.overlay.itemsEnded).toBeGreaterThanOrEqual(9);
    // n = 300: log2 n + ln n = 13.9; Pittel's O(1) term puts the mean a round or two above.
    expect(s.overlay.roundsLast).toBeGreaterThan(12);
    expect(s.overlay.roundsLast).toBeLessThan(18);
  });

  it("push-pull anti-entropy finishes in fewer rounds than push or pull alone", () => {
    const push = run({ algorithm: "anti-entropy", direction: "push" }).overlay.roundsLast!;
    const pull = run({ algorithm: "anti-entropy", direction: "pull" }).overlay.roundsLast!;
    const both = run({ algorithm: "anti-entropy", direction: "push-pull" }).overlay.roundsLast!;
    expect(both).toBeLessThan(pull);
    expect(pull).toBeLessThan(push);
  });

  it("blind rumour mongering with a counter sends exactly k updates per site it reaches", () => {
    for (const k of [1, 3]) {
      const s = run({ algorithm: "rumour", direction: "push", feedback: false, loseInterest: "counter", k });
      const ended = s.overlay.itemsEnded!;
      expect(ended).toBeGreaterThan(0);
      // traffic per site = k × (share of sites reached) = k × (1 − residue), exactly, since nobody leaves.
      expect(s.overlay.trafficPerPeer).toBeCloseTo(k * (1 - s.overlay.residue!), 3);
    }
  });

  it("feedback with counters leaves the residue e^(−m) predicts (Demers et al.: s ≈ e^(−m))", () => {
    const s = run({ algorithm: "rumour", direction: "push", feedback: true, loseInterest: "counter", k: 2 }, { peers: 1000, items: 20 });
    expect(Math.abs(s.overlay.residue! - Math.exp(-s.overlay.trafficPerPeer!))).toBeLessThan(0.02);
    expect(s.overlay.residue).toBeGreaterThan(0.02);
    expect(s.overlay.residue).toBeLessThan(0.08);
  });

  it("counts each update once in the broadcast traffic (acknowledgements are not charged)", () => {
    const s = run({ algorithm: "rumour", direction: "push", feedback: false, loseInterest: "counter", k: 2 });
    // Every charged message is an update: 2 per site reached, averaged over items that all ended.
    expect(s.broadcasts.messagesPerPeer).toBeCloseTo(s.overlay.trafficPerPeer!, 1);
  });

  it("spreads over partial views kept by shuffling", () => {
    const s = run({ algorithm: "anti-entropy", direction: "push-pull", membership: { kind: "partial", viewSize: 10, shuffleInterval: "5s" } });
    expect(s.overlay.residue).toBe(0);
    expect(s.broadcasts.coverage.mean).toBeGreaterThan(0.9);
  });

  it("gives the same numbers for the same seed, and different ones for another", () => {
    const a = run({ algorithm: "rumour", k: 2 });
    const b = run({ algorithm: "rumour", k: 2 });
    const c = run({ algorithm: "rumour", k: 2 }, { seed: 4 });
    expect(a).toEqual(b);
    expect(a.overlay).not.toEqual(c.overlay);
  });
});
