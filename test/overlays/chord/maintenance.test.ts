import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** 100 peers on an oracle ring, no lookups: every message is maintenance. */
function maintenanceRun(faults: object[]) {
  const simulation = new Simulation(
    validateScenario(
      {
        seed: 3,
        duration: "4m",
        peers: { count: 100, joinOver: "0s" },
        network: { latency: { model: "constant", delay: "10ms" } },
        overlay: { type: "chord", bootstrap: "oracle" },
        workload: { keys: 1000, popularity: { distribution: "uniform" }, lookups: { count: 0 }, timeout: "20s" },
        metrics: { warmup: "0s", interval: "30s" },
        faults,
      },
      "chord-maintenance.yaml",
    ),
  );
  simulation.runToEnd();
  return simulation.finish();
}

describe("chord maintenance on the runtime's every", () => {
  it("a freeze fault stops stabilize, fix_fingers and check_predecessor; the runtime resumes them", () => {
    const { timeSeries } = maintenanceRun([{ kind: "freeze", at: "60s", until: "150s" }]);
    // Rows end at 30 s, 60 s, ..., 240 s. The freeze covers the rows ending at 90, 120 and 150 s; the first
    // rounds after the thaw come a jittered interval (15 to 45 s) after 150 s.
    expect(timeSeries.map((row) => row.messages_maintenance)).toEqual([687, 1262, 0, 0, 0, 440, 923, 1060]);
  });

  it("frozen from 0 s an oracle ring never stabilizes, fixes a finger or pings a predecessor", () => {
    const { summary, timeSeries } = maintenanceRun([{ kind: "freeze", at: "0s" }]);
    const byType = summary.traffic.byType;
    for (const type of ["getPredecessor", "notify", "ping", "findStep", "findOwns"]) expect(byType[type]!.messages).toBe(0);
    expect(timeSeries.every((row) => row.messages_maintenance === 0)).toBe(true);
  });
});
