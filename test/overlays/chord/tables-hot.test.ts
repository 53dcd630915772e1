import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";
import { approxOf, type ChordTables } from "../../../sim/overlays/chord/tables.js";

/**
 * ChordTables' hot records and successor approximations cache approximations of each peer's id and
 * successors; routing trusts them, so they must never go stale.
 */
function expectSuccessorApproximations(t: ChordTables, p: number): void {
  for (let j = 0; j < t.successorCount[p]!; j++) expect(t.successorApprox[p * t.r + j]).toBe(t.approx[t.successors[p * t.r + j]!]);
}

describe("ChordTables hot records", () => {
  it("match the successor lists after joins, churn, crashes and timeouts", () => {
    const scenario = validateScenario(
      {
        name: "hot-records",
        seed: 3,
        duration: "8m",
        peers: { count: 120, joinOver: "1m" },
        network: { latency: { model: "lognormal", median: "40ms", sigma: 0.5, min: "5ms" } },
        churn: { model: "sessions", session: { distribution: "exponential", mean: "3m" }, offline: { distribution: "exponential", mean: "1m" }, gracefulLeave: 0.5 },
        overlay: { type: "chord", bootstrap: "join", successors: 4, routing: "iterative", stabilizeInterval: "5s", fixFingersInterval: "5s", checkPredecessorInterval: "5s", requestTimeout: "1s" },
        workload: { keys: 100, popularity: { distribution: "uniform" }, lookups: { rate: "5/s" }, timeout: "30s" },
        metrics: { warmup: "0s", interval: "1m" },
      },
      "hot-records",
    );
    const simulation = new Simulation(scenario);
    const t = (simulation.overlay as unknown as { tables: ChordTables }).tables;
    let checked = 0;
    for (let minute = 1; minute <= 8; minute++) {
      simulation.sim.run({ until: minute * 60_000 });
      for (let p = 0; p < t.capacity; p++) {
        const n = t.successorCount[p]!;
        const [own, successor, lastSuccessor] = t.hotOf(p);
        expect(own).toBe(approxOf(t.ids, p * t.W, t.W));
        if (n === 0) {
          expect(successor).toBeNaN();
          expect(lastSuccessor).toBeNaN();
          continue;
        }
        expect(successor).toBe(t.approx[t.successors[p * t.r]!]);
        expect(lastSuccessor).toBe(t.approx[t.successors[p * t.r + n - 1]!]);
        expectSuccessorApproximations(t, p);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    expect(simulation.sim.eventsRun).toBeGreaterThan(10_000);
  });

  it("match the successor lists of an oracle-built ring under churn", () => {
    const scenario = validateScenario(
      {
        name: "hot-records-oracle",
        seed: 5,
        duration: "3m",
        peers: { count: 300 },
        network: { latency: { model: "lognormal", median: "40ms", sigma: 0.5, min: "5ms" } },
        churn: { model: "sessions", session: { distribution: "exponential", mean: "2m" }, offline: { distribution: "exponential", mean: "1m" }, gracefulLeave: 0.5 },
        overlay: { type: "chord", bootstrap: "oracle", successors: 6, routing: "iterative", stabilizeInterval: "5s", fixFingersInterval: "5s", checkPredecessorInterval: "5s", requestTimeout: "1s" },
        workload: { keys: 100, popularity: { distribution: "uniform" }, lookups: { rate: "5/s" }, timeout: "30s" },
        metrics: { warmup: "0s", interval: "1m" },
      },
      "hot-records-oracle",
    );
    const simulation = new Simulation(scenario);
    const t = (simulation.overlay as unknown as { tables: ChordTables }).tables;
    let checked = 0;
    // Kept from the first candidate search on (the first iterative step), made then from the lists as they stand.
    expect(t.keepsSuccessorApprox).toBe(false);
    for (let second = 30; second <= 180; second += 30) {
      simulation.sim.run({ until: second * 1000 });
      expect(t.keepsSuccessorApprox).toBe(true);
      for (let p = 0; p < t.capacity; p++) {
        expectSuccessorApproximations(t, p);
        if (t.successorCount[p]! > 0) checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("are not kept by a ring that only routes recursively (a gigabyte at 10^7 peers)", () => {
    const scenario = validateScenario(
      {
        name: "recursive-only",
        seed: 5,
        duration: "1m",
        peers: { count: 300 },
        network: { latency: { model: "constant", delay: "50ms" } },
        overlay: { type: "chord", bootstrap: "oracle", routing: "recursive", hopAcks: false },
        faults: [{ kind: "freeze", at: "0s" }],
        workload: { keys: 100, popularity: { distribution: "uniform" }, lookups: { rate: "5/s" }, timeout: "30s" },
        metrics: { warmup: "0s", interval: "1m" },
      },
      "recursive-only",
    );
    const simulation = new Simulation(scenario);
    simulation.runToEnd();
    const t = (simulation.overlay as unknown as { tables: ChordTables }).tables;
    expect(simulation.finish().summary.lookups.succeeded).toBeGreaterThan(250);
    expect(t.keepsSuccessorApprox).toBe(false);
    expect(t.successorApprox.length).toBe(0);
  });
});
