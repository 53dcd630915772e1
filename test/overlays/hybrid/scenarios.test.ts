import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { loadScenario } from "../../../sim/scenario/load.js";

/** The two claims the hybrid scenarios exist to show, checked on their own numbers. */
function run(file: string) {
  const simulation = new Simulation(loadScenario(file));
  simulation.runToEnd();
  const { summary, timeSeries } = simulation.finish();
  return { summary, rows: timeSeries, at: (s: number) => timeSeries.find((r) => r.time_s === s)! };
}

describe("shipped hybrid scenarios", () => {
  it("hybrid-growth: a growing population saturates the centre", () => {
    const { rows, at } = run("scenarios/hybrid-growth.yaml");
    // Utilisation climbs with the population and reaches 1.
    expect(at(120).index_utilisation).toBeLessThan(0.3);
    expect(at(300).index_utilisation).toBeGreaterThan(0.5);
    for (const r of rows.filter((r) => (r.time_s as number) >= 540)) expect(r.index_utilisation).toBe(1);
    // Waiting time grows with it, by orders of magnitude, and lookups then time out.
    expect(at(600).index_wait_mean_ms as number).toBeGreaterThan(100 * (at(120).index_wait_mean_ms as number));
    expect(at(480).success_ratio).toBeGreaterThan(0.95);
    expect(at(660).success_ratio).toBeLessThan(0.01);
  });

  it("hybrid-index-failure: lookups fail while the centre is down and recover after its restart", () => {
    const { summary, rows } = run("scenarios/hybrid-index-failure.yaml");
    const outage = rows.filter((r) => (r.time_s as number) > 300 && (r.time_s as number) <= 420);
    expect(outage.length).toBe(4);
    for (const r of outage) {
      expect(r.success_ratio).toBe(0);
      expect(r.lookups_index_down).toBeGreaterThan(100);
    }
    const before = rows.filter((r) => r.phase === "measure" && (r.time_s as number) <= 300);
    const after = rows.filter((r) => (r.time_s as number) >= 480);
    for (const r of [...before, ...after]) expect(r.success_ratio).toBeGreaterThan(0.85);
    expect(summary.counters.indexCrashes).toBe(1);
    expect(summary.counters.reRegistrations).toBeGreaterThan(1000); // every online peer, after the restart
  });
});
