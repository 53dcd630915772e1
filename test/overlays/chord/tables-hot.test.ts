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

/** A simulation of a Chord scenario (lookups of 100 uniform keys at 5/s, one-minute rows) and its tables. */
function chordRun(scenario: { name: string; seed: number; duration: string; peers: object; network: object; overlay: object; churn?: object; faults?: object[] }) {
  const simulation = new Simulation(
    validateScenario(
      {
        ...scenario,
        workload: { keys: 100, popularity: { distribution: "uniform" }, lookups: { rate: "5/s" }, timeout: "30s" },
        metrics: { warmup: "0s", interval: "1m" },
      },
      scenario.name,
    ),
  );
  return { simulation, t: (simulation.overlay as unknown as { tables: ChordTables }).tables };
}

/** Churn of a few minutes: sessions and offline times exponential, half of departures graceful. */
const churn = (session: string, offline: string) => ({
  model: "sessions",
  session: { distribution: "exponential", mean: session },
  offline: { distribution: "exponential", mean: offline },
  gracefulLeave: 0.5,
});
const lognormal = { latency: { model: "lognormal", median: "40ms", sigma: 0.5, min: "5ms" } };

describe("ChordTables hot records", () => {
  it("match the successor lists after joins, churn, crashes and timeouts", () => {
    const { simulation, t } = chordRun({
      name: "hot-records",
      seed: 3,
      duration: "8m",
      peers: { count: 120, joinOver: "1m" },
      network: lognormal,
      churn: churn("3m", "1m"),
      overlay: { type: "chord", bootstrap: "join", successors: 4, routing: "iterative", stabilizeInterval: "5s", fixFingersInterval: "5s", checkPredecessorInterval: "5s", requestTimeout: "1s" },
    });
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
    const { simulation, t } = chordRun({
      name: "hot-records-oracle",
      seed: 5,
      duration: "3m",
      peers: { count: 300 },
      network: lognormal,
      churn: churn("2m", "1m"),
      overlay: { type: "chord", bootstrap: "oracle", successors: 6, routing: "iterative", stabilizeInterval: "5s", fixFingersInterval: "5s", checkPredecessorInterval: "5s", requestTimeout: "1s" },
    });
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
    const { simulation, t } = chordRun({
      name: "recursive-only",
      seed: 5,
      duration: "1m",
      peers: { count: 300 },
      network: { latency: { model: "constant", delay: "50ms" } },
      overlay: { type: "chord", bootstrap: "oracle", routing: "recursive", hopAcks: false },
      faults: [{ kind: "freeze", at: "0s" }],
    });
    simulation.runToEnd();
    expect(simulation.finish().summary.lookups.succeeded).toBeGreaterThan(250);
    expect(t.keepsSuccessorApprox).toBe(false);
    expect(t.successorApprox.length).toBe(0);
  });
});
