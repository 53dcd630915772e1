import { describe, expect, it } from "vitest";
import { scenarioFiles } from "../helpers/scenario-files.js";
import { aggregate, studentTQuantile } from "../../sim/metrics/aggregate.js";
import { experimentFilesInProcess } from "../../sim/run/experiment-files.js";
import { loadExperiment, replicationSeeds, type SweepExperiment } from "../../sim/run/experiment.js";
import { HEADLINE } from "../../sim/run/headline.js";
import { bounded, parseShard, shardRuns } from "../../sim/run/sweep.js";
import { InputError } from "../../sim/core/errors.js";

const { file } = scenarioFiles("peerlab-sweep-");

const base = [
  "name: tiny-sweep",
  "seed: 5",
  "duration: 2m",
  "peers: { count: 50, joinOver: 10s }",
  "churn: { model: sessions, session: { distribution: exponential, mean: 2m }, offline: { distribution: exponential, mean: 1m } }",
  "overlay: { type: unstructured, degree: 4, search: { method: flood, ttl: 3 } }",
  "workload: { keys: 40, lookups: { rate: 2/s }, timeout: 5s }",
  "metrics: { warmup: 30s, interval: 30s }",
];


function loadSweep(lines: string[]): SweepExperiment {
  const e = loadExperiment(file("sweep.yaml", [...base, ...lines]));
  if (e.kind !== "sweep") throw new Error("expected a sweep");
  return e;
}

function expectInputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("sweep expansion", () => {
  it("makes every combination of the grid, the first path slowest, each with every replication", () => {
    const e = loadSweep(["sweep:", "  grid:", "    overlay.search.ttl: [2, 3]", '    churn.session.mean: ["1m", 5m, 30m]', "  replications: 3"]);
    expect(e.paths).toEqual(["overlay.search.ttl", "churn.session.mean"]);
    expect(e.points.map((p) => p.label)).toEqual([
      "p0_overlay.search.ttl=2_churn.session.mean=1m",
      "p1_overlay.search.ttl=2_churn.session.mean=5m",
      "p2_overlay.search.ttl=2_churn.session.mean=30m",
      "p3_overlay.search.ttl=3_churn.session.mean=1m",
      "p4_overlay.search.ttl=3_churn.session.mean=5m",
      "p5_overlay.search.ttl=3_churn.session.mean=30m",
    ]);
    expect(e.runs).toHaveLength(18);
    expect(e.seeds[0]).toBe(5); // replication 0 is the scenario's own seed
    expect(new Set(e.seeds).size).toBe(3);
    expect(e.seeds).toEqual(replicationSeeds(5, 3));
    const run = e.runs[4]!; // point 1, replication 1
    expect(run).toMatchObject({ index: 4, point: 1, replication: 1, seed: e.seeds[1], dir: `runs/p1_overlay.search.ttl=2_churn.session.mean=5m/seed-${e.seeds[1]}` });
    expect(run.scenario.seed).toBe(e.seeds[1]);
    expect((run.scenario.overlay as unknown as { search: { ttl: number } }).search.ttl).toBe(2);
    expect((run.scenario.churn as { session: { mean: number } }).session.mean).toBe(300_000);
    expect(run.scenario).not.toHaveProperty("sweep");
  });

  it("derives replication seeds from the scenario seed only", () => {
    expect(replicationSeeds(1, 5)).toEqual(replicationSeeds(1, 8).slice(0, 5));
    expect(replicationSeeds(2, 3)[1]).not.toBe(replicationSeeds(1, 3)[1]);
    for (const s of replicationSeeds(7, 50)) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });

  it("folder labels stay safe for objects and odd strings", () => {
    const e = loadSweep(["sweep:", "  grid:", "    overlay.search: [{ method: flood, ttl: 2 }, { method: random-walk, walkers: 4 }]", "    workload.lookups.rate: [1/s]"]);
    expect(e.points.map((p) => p.label)).toEqual([
      "p0_overlay.search=method-flood,ttl-2_workload.lookups.rate=1_s",
      "p1_overlay.search=method-random-walk,walkers-4_workload.lookups.rate=1_s",
    ]);
  });

  it("names a bad grid value once, with its path and index, and what is allowed", () => {
    const message = expectInputError(() =>
      loadSweep(["sweep:", "  grid:", '    churn.session.mean: [1m, "-5m", fast]', "    overlay.degre: [3]", "  replications: 0"]),
    );
    expect(message).toContain("sweep.replications: expected an integer from 1 to 100000, got 0");
    const second = expectInputError(() => loadSweep(["sweep:", "  grid:", '    churn.session.mean: [1m, "-5m", fast]', "    overlay.degre: [3]"]));
    expect(second).toContain("sweep.yaml is not a valid scenario (3 problems");
    expect(second).toContain('sweep.grid["churn.session.mean"][1] = -5m → churn.session.mean: expected a positive duration like "1h"');
    expect(second).toContain('sweep.grid["churn.session.mean"][2] = fast → churn.session.mean');
    expect(second).toContain('sweep.grid["overlay.degre"][0] = 3 → overlay: unknown key "degre"');
    const seed = expectInputError(() => loadSweep(["sweep: { grid: { seed: [1, 2] } }"]));
    expect(seed).toContain('"seed" cannot be changed here');
    const empty = expectInputError(() => loadSweep(["sweep: { grid: { overlay.degree: [] } }"]));
    expect(empty).toContain('sweep.grid.overlay.degree: expected a non-empty list of values');
    const path = expectInputError(() => loadSweep(["sweep: { grid: { 'overlay degree': [1] } }"]));
    expect(path).toContain('expected a dotted path of field names');
  });
});

describe("shards", () => {
  it("split the runs into disjoint sets that cover them all", () => {
    for (const count of [1, 2, 3, 7, 25]) {
      const all = Array.from({ length: count }, (_, i) => shardRuns(20, { index: i + 1, count })).flat();
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }
    expect(shardRuns(10, { index: 2, count: 3 })).toEqual([1, 4, 7]);
    expect(parseShard("2/8")).toEqual({ index: 2, count: 8 });
    for (const bad of ["0/4", "5/4", "1", "a/b", "1/0"]) expect(() => parseShard(bad)).toThrow(/expected i\/n with 1 ≤ i ≤ n/);
  });
});

describe("aggregate statistics", () => {
  it("gives Student-t quantiles", () => {
    // Tables: t(0.975; df) for df = 1, 2, 4, 9, 29, 120.
    const expected: [number, number][] = [[1, 12.7062], [2, 4.3027], [4, 2.7764], [9, 2.2622], [29, 2.0452], [120, 1.9799]];
    for (const [df, t] of expected) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 4);
  });

  it("gives Student-t quantiles to 1e-11 relative (the reason it is not jstat, whose studentt.inv is off by up to 4e-8)", () => {
    // scipy.stats.t.ppf(0.975, df), double precision.
    const reference: [number, number][] = [
      [1, 12.706204736174694], [2, 4.302652729749462], [3, 3.1824463052837078], [4, 2.7764451051977934], [5, 2.5705818356363146],
      [9, 2.262157162798205], [19, 2.0930240544083087], [29, 2.045229642132703], [49, 2.0095752371292392], [99, 1.9842169515864174],
      [199, 1.9719565442517533],
    ];
    for (const [df, t] of reference) expect(Math.abs(studentTQuantile(0.975, df) / t - 1)).toBeLessThan(1e-11);
  });

  it("gives mean, sample sd and the 95 % confidence interval, leaving missing values out", () => {
    const a = aggregate([1, 2, 3, 4, 5, null]);
    expect(a.n).toBe(5);
    expect(a.mean).toBe(3);
    expect(a.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(a.ci95High - a.mean).toBeCloseTo((2.776445 * Math.sqrt(2.5)) / Math.sqrt(5), 5);
    expect(a.ci95Low).toBeCloseTo(2 * a.mean - a.ci95High, 12);
    const one = aggregate([4]);
    expect([one.mean, one.sd, one.ci95Low]).toEqual([4, NaN, NaN]);
    expect(aggregate([]).mean).toBeNaN();
  });
});

describe("sweep files", () => {
  it("runs.csv has a row per run, aggregate.csv a row per point with mean, sd and CI of each headline metric", () => {
    const e = loadSweep(["sweep:", "  grid:", "    overlay.search.ttl: [2, 3]", "  replications: 3"]);
    const files = experimentFilesInProcess(e, "sweep.yaml");
    const runs = files["runs.csv"]!.trim().split("\n");
    expect(runs[0]).toBe(`scenario,point,overlay.search.ttl,replication,seed,${HEADLINE.map((m) => m.column).join(",")}`);
    expect(runs).toHaveLength(1 + 6);
    expect(runs[4]!.startsWith(`tiny-sweep,1,3,0,5,`)).toBe(true);
    const aggregateLines = files["aggregate.csv"]!.trim().split("\n");
    expect(aggregateLines).toHaveLength(1 + 2);
    const header = aggregateLines[0]!.split(",");
    expect(header.slice(0, 8)).toEqual(["scenario", "point", "overlay.search.ttl", "runs", "lookups_completed_mean", "lookups_completed_sd", "lookups_completed_ci95_low", "lookups_completed_ci95_high"]);
    expect(header).toHaveLength(4 + 4 * HEADLINE.length);
    // The success ratio of point 1 is the mean of its three runs.
    const successes = runs.slice(4).map((line) => Number(line.split(",")[6]));
    const row = aggregateLines[2]!.split(",");
    expect(Number(row[header.indexOf("success_ratio_mean")])).toBeCloseTo(successes.reduce((a, b) => a + b) / 3, 6);
    const sweep = JSON.parse(files["sweep.json"]!);
    expect(sweep).toMatchObject({ name: "tiny-sweep", seed: 5, replications: 3, seeds: e.seeds, grid: { "overlay.search.ttl": [2, 3] }, runs: 6 });
    expect(sweep).not.toHaveProperty("shard");
    expect(files[`${e.runs[5]!.dir}/summary.json`]).toBeDefined();
  });

  it("puts numbers beside unit-string grid values, a long-form aggregate beside the wide one, and id columns in every time series", () => {
    const e = loadSweep(["sweep:", "  grid:", '    churn.session.mean: ["1m", 90s]', '    workload.lookups.rate: ["2/s", 6/min]', "  replications: 2"]);
    const files = experimentFilesInProcess(e, "sweep.yaml");
    const runs = files["runs.csv"]!.trim().split("\n");
    expect(runs[0]!.startsWith("scenario,point,churn.session.mean,churn.session.mean_s,workload.lookups.rate,workload.lookups.rate_per_s,replication,seed,")).toBe(true);
    expect(runs[1]!.startsWith("tiny-sweep,0,1m,60,2/s,2,0,5,")).toBe(true);
    expect(runs[7]!.startsWith(`tiny-sweep,3,90s,90,6/min,0.1,0,5,`)).toBe(true);
    const wide = files["aggregate.csv"]!.trim().split("\n");
    const long = files["aggregate-long.csv"]!.trim().split("\n");
    expect(long[0]).toBe("scenario,point,churn.session.mean,churn.session.mean_s,workload.lookups.rate,workload.lookups.rate_per_s,metric,statistic,value");
    // Every wide cell is a long row: 4 points × metrics × (n + 4 statistics).
    const header = wide[0]!.split(",");
    const metrics = header.filter((c) => c.endsWith("_mean")).map((c) => c.slice(0, -5));
    expect(long).toHaveLength(1 + 4 * metrics.length * 5);
    const row = wide[2]!.split(",");
    const mean = long.find((l) => l.startsWith("tiny-sweep,1,") && l.includes(",success_ratio,mean,"))!;
    expect(mean.split(",").at(-1)).toBe(row[header.indexOf("success_ratio_mean")]);
    const ts = files[`${e.runs[3]!.dir}/timeseries.csv`]!.split("\n");
    expect(ts[0]!.startsWith("scenario,variant,seed,time_s,")).toBe(true);
    expect(ts[1]!.startsWith(`tiny-sweep,${e.points[1]!.label},${e.seeds[1]},30,`)).toBe(true);
  });
});

describe("aggregate.csv intervals of fractions", () => {
  it("cut a t-interval at 0, and at 1 for a fraction (the old replication sweep printed 68.7 ± 108.8 %)", () => {
    const a = aggregate([0.1, 0.95]);
    expect(a.ci95Low).toBeLessThan(0);
    expect(a.ci95High).toBeGreaterThan(1);
    const fraction = bounded({ fraction: true }, a);
    expect([fraction.ci95Low, fraction.ci95High, fraction.mean]).toEqual([0, 1, a.mean]);
    const count = bounded({}, a);
    expect([count.ci95Low, count.ci95High]).toEqual([0, a.ci95High]);
    expect(bounded({ fraction: true }, aggregate([0.5]))).toEqual(aggregate([0.5]));
  });

  it("never leave [0, 1] for a ratio, nor go below 0 for anything", () => {
    // TTL 1 on a sparse graph: success varies a lot between seeds, so a plain t-interval would run past the ends.
    const e = loadSweep(["sweep:", "  grid:", "    overlay.search.ttl: [1, 6]", "  replications: 3"]);
    const files = experimentFilesInProcess(e, "sweep.yaml");
    const lines = files["aggregate.csv"]!.trim().split("\n");
    const header = lines[0]!.split(",");
    for (const line of lines.slice(1)) {
      const row = line.split(",");
      const cell = (c: string) => Number(row[header.indexOf(c)]);
      for (const m of HEADLINE) {
        const low = row[header.indexOf(`${m.column}_ci95_low`)];
        if (low === "" || low === undefined) continue;
        expect(Number(low), m.column).toBeGreaterThanOrEqual(0);
        if (m.fraction) expect(cell(`${m.column}_ci95_high`), m.column).toBeLessThanOrEqual(1);
      }
      expect(cell("success_ratio_ci95_low")).toBeLessThanOrEqual(cell("success_ratio_mean"));
      expect(cell("success_ratio_ci95_high")).toBeGreaterThanOrEqual(cell("success_ratio_mean"));
    }
  });
});
