import { describe, expect, it } from "vitest";
import { Simulation } from "../../sim/run/simulation.js";
import { validateScenario } from "../../sim/scenario/load.js";

/** Service peers (OverlayDefinition.services), through the hybrid overlay's index servers. */
function run(failures: object[] = []) {
  const simulation = new Simulation(
    validateScenario(
      {
        duration: "60s",
        peers: { count: 10, joinOver: "0s" },
        network: { latency: { model: "constant", delay: "10ms" } },
        overlay: { type: "hybrid", index: { servers: 2, failures } },
        workload: { lookups: { rate: "20/s" } },
        metrics: { warmup: "0s", interval: "10s" },
      },
      "services.yaml",
    ),
  );
  return simulation;
}

describe("service peers", () => {
  it("are created after the churn pool, online from time 0, and are neither live peers nor lookup origins", () => {
    const simulation = run();
    // The pool is peers 0-9; the two index servers are 10 and 11, online before any event runs.
    expect(simulation.population.size).toBe(12);
    expect(simulation.population.isOnline(10)).toBe(true);
    expect(simulation.population.isOnline(11)).toBe(true);
    expect(simulation.population.liveCount).toBe(0);
    simulation.runToEnd();
    expect(simulation.population.liveCount).toBe(10);
    const t = simulation.lookups;
    for (let id = 0; id < t.size; id++) expect(t.origin[id]).toBeLessThan(10);
    const { summary } = simulation.finish();
    expect(summary.peers.liveMax).toBe(10);
  });

  it("crash and restart as their outages say", () => {
    const simulation = run([{ at: "20s", restartAt: "40s", server: 1 }]);
    simulation.sim.run({ until: 30_000 });
    expect(simulation.population.isOnline(10)).toBe(true);
    expect(simulation.population.isOnline(11)).toBe(false);
    const session = simulation.population.session(11);
    simulation.sim.run({ until: 50_000 });
    expect(simulation.population.isOnline(11)).toBe(true);
    expect(simulation.population.session(11)).toBe(session + 1);
  });

  it("reject an outage of a server that does not exist, and a restart before the crash", () => {
    expect(() => run([{ at: "20s", server: 2 }])).toThrow("expected a server number from 0 to 1, got 2");
    expect(() => run([{ at: "20s", restartAt: "10s" }])).toThrow("expected restartAt after at");
  });
});
