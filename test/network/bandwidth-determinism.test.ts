import { describe, expect, it } from "vitest";
import { resultFiles, type ResultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { validateScenario } from "../../sim/scenario/load.js";

/**
 * A run with bandwidth under churn, a partition and a capacity drop gives
 * byte-identical files on rerun, for every carrier, and does real work.
 */
const scenario = (model: string) => ({
  seed: 5,
  duration: "4m",
  peers: { count: 120, joinOver: "20s" },
  network: {
    latency: { model: "lognormal", median: "30ms", sigma: 0.6 },
    bandwidth: { model, links: { classes: [{ preset: "dsl", share: 0.6 }, { upload: { distribution: "uniform", min: "2Mbit/s", max: "20Mbit/s" }, share: 0.4 }] } },
  },
  churn: { model: "sessions", session: { distribution: "exponential", mean: "3m" }, offline: { distribution: "exponential", mean: "2m" } },
  faults: [
    { kind: "partition", at: "2m", until: "150s", groups: 2 },
    { kind: "degrade", at: "3m", until: "210s", bandwidthFactor: 0.25 },
  ],
  overlay: { type: "hybrid", mode: "central", replication: { replicas: 3, onSuccess: "owner" } },
  workload: { keys: 200, lookups: { perPeer: "2/min" }, timeout: "1m", fileSize: { distribution: "exponential", mean: "1MB" } },
  metrics: { warmup: "1m", interval: "20s" },
});

function run(model: string): ResultFiles {
  const s = new Simulation(validateScenario(scenario(model), "bw.yaml"));
  s.runToEnd();
  return resultFiles(s, { scenarioFile: "bw.yaml", complete: true });
}

describe("bandwidth runs are deterministic", () => {
  for (const model of ["serial", "share", "maxmin"]) {
    it(`${model}: byte-identical files, transfers completed and cut`, () => {
      const a = run(model);
      const b = run(model);
      for (const name of Object.keys(a)) expect(b[name], name).toEqual(a[name]);
      const bw = JSON.parse(a["summary.json"]!).bandwidth;
      expect(bw.transfersCompleted).toBeGreaterThan(100);
      expect(bw.transfersAborted).toBeGreaterThan(0);
      expect(bw.uploadUtilisation.mean).toBeGreaterThan(0);
      expect(JSON.parse(a["columns.json"]!).throughput_bytes_per_second.unit).toBe("bytes/s");
    });
  }
});
