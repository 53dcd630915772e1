import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

describe("blockchain overlay under churn", () => {
  it("nodes join through the host cache, and returning nodes catch up on the chain they missed", () => {
    const scenario = validateScenario(
      {
        seed: 3,
        duration: "2h",
        peers: { count: 60, joinOver: "2m" },
        network: { latency: { model: "constant", delay: "50ms" } },
        churn: { model: "sessions", session: { distribution: "exponential", mean: "20m" }, offline: { distribution: "exponential", mean: "5m" } },
        overlay: { type: "blockchain", bootstrap: "join", mining: { interval: "1m" }, blockSize: 100000, maintenanceInterval: "30s" },
        workload: { lookups: { count: 0 } },
        metrics: { warmup: "10m", interval: "10m" },
      },
      "blockchain-churn-test.yaml",
    );
    const simulation = new Simulation(scenario);
    simulation.runToEnd();
    const overlay = simulation.overlay as unknown as { sample(): Record<string, number> };
    const { summary } = simulation.finish() as unknown as { summary: { broadcasts: { coverage: { mean: number } }; counters: Record<string, number> } };
    // Every online node is on the longest public chain at the end (it greeted its neighbours and fetched what it lacked).
    expect(overlay.sample().chainHeight).toBeGreaterThan(80);
    expect(overlay.sample().tipLagMean).toBe(0);
    expect(summary.broadcasts.coverage.mean).toBeGreaterThan(0.97);
    expect(summary.counters.orphansReceived).toBeGreaterThan(0);
  });

  it("transactions keep coming at their rate while the nodes that carry the creation timer leave, and still reach the nodes online", () => {
    const scenario = validateScenario(
      {
        seed: 4,
        duration: "1h",
        peers: { count: 40, joinOver: "1m" },
        network: { latency: { model: "constant", delay: "50ms" }, bandwidth: { model: "share", links: { upload: "10Mbit/s", download: "50Mbit/s" } } },
        churn: { model: "sessions", session: { distribution: "exponential", mean: "10m" }, offline: { distribution: "exponential", mean: "3m" } },
        overlay: {
          type: "blockchain",
          bootstrap: "join",
          mining: { interval: "2m" },
          blockSize: 100000,
          maintenanceInterval: "30s",
          relay: { mode: "compact" },
          transactions: { rate: "1/s" },
        },
        workload: { lookups: { count: 0 } },
        metrics: { warmup: "10m", interval: "10m" },
      },
      "blockchain-churn-tx-test.yaml",
    );
    const simulation = new Simulation(scenario);
    simulation.runToEnd();
    const { summary } = simulation.finish() as unknown as { summary: { overlay: Record<string, number> } };
    // A Poisson process of 1/s over the hour, 3,600 ± 60 (seeds 4–9 give 3,489 to 3,690).
    expect(summary.overlay.txCreated).toBe(3489);
    expect(summary.overlay.txReached90Share).toBe(0.998854);
    expect(summary.overlay.txReach90MeanMs).toBe(2155.674);
  });
});
