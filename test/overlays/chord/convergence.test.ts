import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeSampler, type DistributionSpec } from "../../../sim/engine/distributions.js";
import { Rng } from "../../../sim/engine/rng.js";
import { resultFiles } from "../../../sim/run/results.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/**
 * After churn stops, a join-built ring re-forms: within a few stabilization
 * rounds every live peer's successor is the next live peer, no live peer is
 * left outside the ring, and lookups succeed again. Churn is a trace that
 * ends at STOP_S: generated from exponential or Pareto sessions, or the
 * shipped trace cut there.
 */
const STOP_S = 300;
const dir = mkdtempSync(join(tmpdir(), "peerlab-convergence-"));

/** A churn trace of `peers` peers that join over the first minute, then alternate sessions and offline periods until STOP_S; half the departures are crashes. */
function sessionTrace(name: string, peers: number, session: DistributionSpec, offline: DistributionSpec, seed: string): string {
  const rng = new Rng(seed);
  const on = makeSampler(session);
  const off = makeSampler(offline);
  const rows: [number, number, string][] = [];
  for (let p = 0; p < peers; p++) {
    let t = 60 * rng.next();
    for (;;) {
      rows.push([t, p, "join"]);
      t += on.sample(rng);
      if (t >= STOP_S) break;
      rows.push([t, p, rng.next() < 0.5 ? "leave" : "crash"]);
      t += off.sample(rng);
      if (t >= STOP_S) break;
    }
  }
  rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return write(name, rows.map(([t, p, e]) => `${t.toFixed(6)},${p},${e}`));
}

/** The shipped trace, cut at STOP_S. */
function shippedTrace(): string {
  const lines = readFileSync(new URL("../../../scenarios/traces/sessions-300.csv", import.meta.url), "utf8")
    .split("\n")
    .filter((l) => /^[0-9]/.test(l) && Number(l.split(",")[0]) < STOP_S);
  return write("shipped", lines);
}

function write(name: string, rows: string[]): string {
  const file = join(dir, `${name}.csv`);
  writeFileSync(file, ["time_s,peer,event", ...rows].join("\n") + "\n");
  return file;
}

function run(trace: string, seed: number, routing: "iterative" | "recursive") {
  const scenario = validateScenario(
    {
      name: "convergence",
      seed,
      duration: `${STOP_S + 240}s`,
      peers: { count: 100 },
      network: { latency: { model: "exponential", mean: "30ms" } },
      churn: { model: "trace", file: trace },
      overlay: { type: "chord", routing, stabilizeInterval: "10s", fixFingersInterval: "5s", checkPredecessorInterval: "10s" },
      workload: { keys: 1000, popularity: { distribution: "uniform" }, lookups: { rate: "2/s" }, timeout: "20s" },
      metrics: { warmup: "0s", interval: "30s" },
    },
    join(dir, "convergence.yaml"),
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  const csv = resultFiles(simulation, { scenarioFile: "convergence.yaml", complete: true })["timeseries.csv"]!.trim().split("\n");
  const head = csv[0]!.split(",");
  return csv.slice(1).map((line) => Object.fromEntries(line.split(",").map((v, i) => [head[i]!, Number(v)])));
}

const TRACES: [string, () => string][] = [
  ["exponential sessions", () => sessionTrace("exponential", 220, { distribution: "exponential", mean: 90_000 }, { distribution: "exponential", mean: 60_000 }, "conv/exp")],
  ["Pareto sessions", () => sessionTrace("pareto", 220, { distribution: "pareto", shape: 1.5, mean: 90_000 }, { distribution: "exponential", mean: 60_000 }, "conv/pareto")],
  ["harsh exponential sessions", () => sessionTrace("harsh", 300, { distribution: "exponential", mean: 30_000 }, { distribution: "exponential", mean: 30_000 }, "conv/harsh")],
  ["the shipped trace", shippedTrace],
];

describe("chord ring convergence after churn stops", () => {
  for (const [name, trace] of TRACES) {
    for (const seed of [1, 2]) {
      const routing = seed === 1 ? "iterative" : "recursive";
      it(`${name}, seed ${seed} (${routing}): every successor right and every peer in the ring within two minutes`, () => {
        const rows = run(trace(), seed, routing);
        const during = rows.filter((r) => r.time_s! <= STOP_S);
        // Churn did disturb the ring while it lasted.
        expect(Math.max(...during.map((r) => r.wrong_successors! + r.outside_ring!))).toBeGreaterThan(0);
        for (const r of rows.filter((r) => r.time_s! >= STOP_S + 120)) {
          expect(r.wrong_successors, `wrong successors at ${r.time_s} s`).toBe(0);
          expect(r.outside_ring, `outside the ring at ${r.time_s} s`).toBe(0);
          expect(r.wrong_owner).toBe(0);
          expect(r.success_ratio).toBe(1);
        }
      });
    }
  }
});
