import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { resultFiles, type ResultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { validateScenario } from "../../sim/scenario/load.js";

const scenario = {
  duration: "4m",
  peers: { count: 150, joinOver: "20s" },
  network: { latency: { model: "lognormal", median: "30ms", sigma: 0.6 }, loss: 0.01 },
  churn: {
    model: "sessions",
    session: { distribution: "weibull", shape: 0.7, mean: "3m" },
    offline: { distribution: "pareto", shape: 2.5, mean: "2m" },
  },
  overlay: { type: "unstructured", search: { method: "random-walk", walkers: 4, ttl: 64 } },
  workload: { keys: 100, lookups: { rate: "5/s" }, timeout: "5s" },
  metrics: { warmup: "1m", interval: "20s" },
};

function run(seed: number): ResultFiles {
  const s = new Simulation(validateScenario({ ...scenario, seed }, "determinism.yaml"));
  s.runToEnd();
  return resultFiles(s, { scenarioFile: "determinism.yaml", complete: true });
}

describe("determinism", () => {
  it("gives byte-identical result files for the same scenario and seed", () => {
    const a = run(11);
    const b = run(11);
    expect(Object.keys(a)).toEqual(["manifest.json", "summary.json", "timeseries.csv", "columns.json"]);
    for (const name of Object.keys(a)) expect(b[name], name).toBe(a[name]);
    // The run did real work under churn and loss, so the comparison means something.
    const summary = JSON.parse(a["summary.json"]!);
    expect(summary.peers.crashes).toBeGreaterThan(10);
    expect(summary.traffic.lost).toBeGreaterThan(0);
    expect(summary.lookups.succeeded).toBeGreaterThan(100);
  });

  it("gives different results for a different seed", () => {
    const a = run(11);
    const c = run(12);
    expect(c["summary.json"]).not.toBe(a["summary.json"]);
    expect(c["timeseries.csv"]).not.toBe(a["timeseries.csv"]);
  });
});

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the determinism contract in the source", () => {
  // Ambient time and randomness would make runs unrepeatable. The CLI and the
  // benchmarks measure wall-clock time on purpose and are not simulation code.
  const exempt = ["sim/cli/", "sim/bench/"];
  const forbidden = /Math\.random|Date\.now|new Date\(|performance\.now|setTimeout|setInterval|setImmediate|process\.hrtime/;

  it("keeps sim/ free of ambient clocks and randomness", () => {
    const root = join(import.meta.dirname, "..", "..");
    const offenders: string[] = [];
    for (const file of sources(join(root, "sim"))) {
      const rel = relative(root, file).split("\\").join("/");
      if (exempt.some((prefix) => rel.startsWith(prefix))) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
          if (forbidden.test(code)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
