import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

interface Summary {
  counters: Record<string, number>;
  overlay: Record<string, number>;
  broadcasts: { coverage: { mean: number }; timeToMs: { p100: { mean: number } } };
  traffic: { byType: Record<string, { messages: number; bytes: number }> };
}

function run(relay: "inv" | "headers", setup: { churn?: boolean; duration: string; interval: string }) {
  const scenario = validateScenario(
    {
      seed: 3,
      duration: setup.duration,
      peers: { count: setup.churn ? 60 : 40, ...(setup.churn ? { joinOver: "2m" } : {}) },
      network: { latency: { model: "constant", delay: "50ms" } },
      ...(setup.churn
        ? { churn: { model: "sessions", session: { distribution: "exponential", mean: "20m" }, offline: { distribution: "exponential", mean: "5m" } } }
        : {}),
      overlay: {
        type: "blockchain",
        bootstrap: setup.churn ? "join" : "oracle",
        mining: { interval: setup.interval },
        blockSize: 100000,
        relay: { mode: relay },
        maintenanceInterval: "30s",
      },
      workload: { lookups: { count: 0 } },
      metrics: { warmup: "10m", interval: "10m" },
    },
    "blockchain-headers-test.yaml",
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  const sample = (simulation.overlay as unknown as { sample(): Record<string, number> }).sample();
  const summary = simulation.finish().summary as unknown as Summary;
  const messages = (type: string) => summary.traffic.byType[type]?.messages ?? 0;
  return { summary, sample, messages };
}

describe("blockchain headers relay (BIP 130)", () => {
  it("announces with headers, and a hop costs what inv relay's does: headers, getdata, block", () => {
    const inv = run("inv", { duration: "3h", interval: "10m" });
    const { summary, messages } = run("headers", { duration: "3h", interval: "10m" });
    expect(summary.overlay.staleRate).toBe(0);
    expect(summary.broadcasts.coverage.mean).toBe(1);
    expect(summary.broadcasts.timeToMs).toEqual(inv.summary.broadcasts.timeToMs);
    expect(messages("inv")).toBe(0);
    expect(messages("headers")).toBe(inv.messages("inv"));
    // Nobody falls more than one block behind a static, fast network: every header connects, one getdata per block per node.
    expect(messages("getheaders")).toBe(0);
    expect(messages("getdata")).toBe(inv.messages("getdata"));
    expect(summary.traffic.byType["headers"]!.bytes - inv.summary.traffic.byType["inv"]!.bytes).toBe(messages("headers") * (81 - 36));
  });

  it("a returning node asks for the headers it lacks, then for every missing block at once, instead of one orphan at a time", () => {
    const inv = run("inv", { churn: true, duration: "2h", interval: "1m" });
    const headers = run("headers", { churn: true, duration: "2h", interval: "1m" });
    for (const r of [inv, headers]) {
      expect(r.sample.chainHeight).toBeGreaterThan(80);
      expect(r.sample.tipLagMean).toBe(0);
      expect(r.summary.broadcasts.coverage.mean).toBeGreaterThan(0.97);
    }
    expect(headers.messages("getheaders")).toBeGreaterThan(0);
    expect(headers.messages("inv")).toBe(0);
    // inv relay finds a returning node's gap one orphan (one round trip) at a time; headers relay fetches the gap in order.
    expect(inv.summary.counters.orphansReceived).toBeGreaterThan(20);
    expect(headers.summary.counters.orphansReceived).toBeLessThan(inv.summary.counters.orphansReceived! / 4);
  });
});
