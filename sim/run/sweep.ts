import { aggregate, type Aggregate } from "../metrics/aggregate.js";
import { round } from "../metrics/stats.js";
import { toCsv, toJson } from "../metrics/writers.js";
import { parseDuration, parseRate } from "../core/units.js";
import { InputError } from "../core/errors.js";
import type { Scenario } from "../scenario/schema.js";
import { VERSION } from "../version.js";
import { describe, type SweepExperiment } from "./experiment.js";
import { formatMetric, headlineMetrics, headlineRow, headlineValues, shownColumns, textTable, type HeadlineMetric, type SummaryLike } from "./headline.js";

/**
 * The files of a sweep: sweep.json (the grid, the seeds, the points),
 * runs.csv (one row per run) and aggregate.csv (one row per grid point:
 * mean, standard deviation and Student-t 95 % confidence interval of each
 * headline metric). Rows are always in run order and values summed in
 * replication order, so the files are the same bytes whether the runs went
 * on one thread, on N workers, or on shards merged afterwards.
 */

/** What sweep.json records: enough to list every run and check that shards belong together. */
export interface SweepManifest {
  peerlab: string;
  name: string;
  scenarioFile: string;
  seed: number;
  replications: number;
  seeds: number[];
  grid: Record<string, unknown[]>;
  points: { point: number; label: string; values: Record<string, unknown> }[];
  runs: number;
  runFolders: string;
  /** The resolved scenario before the grid's changes (seed: the scenario's). */
  scenario: Scenario;
  /** Only in a shard's folder: which shard, and the runs it holds. */
  shard?: { index: number; count: number; runs: number[] };
}

/** A run as sweep.json implies it. */
export interface SweepRunRef {
  index: number;
  point: number;
  replication: number;
  seed: number;
  dir: string;
}

export function sweepManifest(experiment: SweepExperiment, scenarioFile: string, shard?: Shard): SweepManifest {
  const manifest: SweepManifest = {
    peerlab: VERSION,
    name: experiment.base.name,
    scenarioFile,
    seed: experiment.base.seed,
    replications: experiment.replications,
    seeds: experiment.seeds,
    grid: experiment.grid,
    points: experiment.points.map((p) => ({
      point: p.index,
      label: p.label,
      values: Object.fromEntries(experiment.paths.map((path, k) => [path, p.values[k]])),
    })),
    runs: experiment.runs.length,
    runFolders: "runs/<label>/seed-<seed>/",
    scenario: experiment.base,
  };
  if (shard) manifest.shard = { index: shard.index, count: shard.count, runs: shardRuns(experiment.runs.length, shard) };
  return manifest;
}

export function sweepJson(manifest: SweepManifest): string {
  return toJson(manifest);
}

/** Every run of a sweep: grid points in order, each with every replication. */
export function runRefs(manifest: Pick<SweepManifest, "points" | "seeds">): SweepRunRef[] {
  const refs: SweepRunRef[] = [];
  for (const p of manifest.points) {
    manifest.seeds.forEach((seed, replication) => {
      refs.push({ index: refs.length, point: p.point, replication, seed, dir: `runs/${p.label}/seed-${seed}` });
    });
  }
  return refs;
}

/** `--shard i/n`: shard i (1 to n) of n. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new InputError(`--shard ${JSON.stringify(text)}: expected i/n with 1 ≤ i ≤ n, like --shard 2/8 (shard 2 of 8); with a Slurm array or a Kubernetes indexed Job see docs/scaling-out.md`);
  }
  return { index, count };
}

/** The runs (by index) of one shard: every n-th run, starting at run i−1, so every shard gets a share of every grid point. */
export function shardRuns(runCount: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let r = shard.index - 1; r < runCount; r += shard.count) out.push(r);
  return out;
}

/** A grid value in a CSV cell: numbers stay numbers, anything else is written as in the file. */
function gridCell(value: unknown): string | number {
  return typeof value === "number" ? value : describe(value);
}

/**
 * The columns that say which grid point a row is: the scenario, the point,
 * each grid value as written, and beside a value written with a unit its
 * number (`<path>_s` for durations, `<path>_per_s` for rates), so a plot can
 * use it as an axis without parsing "5m".
 */
function pointColumns(manifest: Pick<SweepManifest, "points" | "name">, point: number): Record<string, string | number> {
  const p = manifest.points[point]!;
  const row: Record<string, string | number> = { scenario: manifest.name, point };
  for (const [path, value] of Object.entries(p.values)) {
    row[path] = gridCell(value);
    if (typeof value !== "string") continue;
    const ms = parseDuration(value);
    const perMs = ms === undefined ? parseRate(value) : undefined;
    if (ms !== undefined) row[`${path}_s`] = round(ms / 1000, 6);
    else if (perMs !== undefined) row[`${path}_per_s`] = round(perMs * 1000, 6);
  }
  return row;
}

/** runs.csv: point, the grid values, replication, seed, then the headline metrics; `summaries` by run index. */
export function runsCsv(manifest: SweepManifest, refs: readonly SweepRunRef[], summaries: ReadonlyMap<number, SummaryLike>): string {
  const metrics = headlineMetrics(summaries.values());
  const rows = refs.map((ref) => ({
    ...pointColumns(manifest, ref.point),
    replication: ref.replication,
    seed: ref.seed,
    ...headlineRow(summaries.get(ref.index)!, metrics),
  }));
  return toCsv(rows);
}

/** aggregate.csv: point, the grid values, runs, then `<metric>_mean`, `_sd`, `_ci95_low`, `_ci95_high` of each headline metric. */
export function aggregateCsv(manifest: SweepManifest, summaries: ReadonlyMap<number, SummaryLike>): string {
  const refs = runRefs(manifest);
  const metrics = headlineMetrics(summaries.values());
  const rows = manifest.points.map((p) => {
    const mine = refs.filter((r) => r.point === p.point).map((r) => headlineValues(summaries.get(r.index)!, metrics));
    const row: Record<string, string | number> = { ...pointColumns(manifest, p.point), runs: mine.length };
    metrics.forEach((m, k) => {
      const a = bounded(m, aggregate(mine.map((values) => values[k]!)));
      row[`${m.column}_mean`] = cell(a.mean);
      row[`${m.column}_sd`] = cell(a.sd);
      row[`${m.column}_ci95_low`] = cell(a.ci95Low);
      row[`${m.column}_ci95_high`] = cell(a.ci95High);
    });
    return row;
  });
  return toCsv(rows);
}

/**
 * aggregate-long.csv: the same numbers as aggregate.csv in long form, one row
 * per (grid point, metric, statistic): scenario, point, the grid values,
 * metric, statistic (n, mean, sd, ci95_low, ci95_high), value. What
 * pandas' pivot and R's tidyr expect.
 */
export function aggregateLongCsv(manifest: SweepManifest, summaries: ReadonlyMap<number, SummaryLike>): string {
  const refs = runRefs(manifest);
  const metrics = headlineMetrics(summaries.values());
  const rows: Record<string, string | number>[] = [];
  for (const p of manifest.points) {
    const mine = refs.filter((r) => r.point === p.point).map((r) => headlineValues(summaries.get(r.index)!, metrics));
    const where = pointColumns(manifest, p.point);
    metrics.forEach((m, k) => {
      const a = aggregate(mine.map((values) => values[k]!));
      const stats: [string, number][] = [["n", a.n], ["mean", a.mean], ["sd", a.sd], ["ci95_low", a.ci95Low], ["ci95_high", a.ci95High]];
      for (const [statistic, value] of stats) rows.push({ ...where, metric: m.column, statistic, value: cell(value) });
    });
  }
  return toCsv(rows);
}

/**
 * The Student-t interval cut to what the metric can be: never below 0 (every
 * headline figure is a count, a time or a rate), and never above 1 for a
 * fraction (success, availability, coverage) — "68.7 ± 108.8 %" says nothing.
 */
export function bounded(m: Pick<HeadlineMetric, "fraction">, a: Aggregate): Aggregate {
  if (!Number.isFinite(a.ci95Low)) return a;
  return { ...a, ci95Low: Math.max(0, a.ci95Low), ci95High: m.fraction ? Math.min(1, a.ci95High) : a.ci95High };
}

function cell(x: number): number | string {
  return Number.isFinite(x) ? round(x, 6) : "";
}

/** The terminal's view of aggregate.csv: a few metrics per grid point, mean ± half the 95 % CI. */
export function sweepTable(manifest: SweepManifest, summaries: ReadonlyMap<number, SummaryLike>): string {
  const stores = [...summaries.values()].some((s) => s.storage !== undefined);
  const columns = ["success_ratio", "latency_p50_ms", "messages_per_lookup", "maintenance_messages_per_peer_per_s", ...(stores ? ["availability_mean", "items_lost"] : [])];
  const metrics = headlineMetrics(summaries.values());
  const shown = shownColumns([...summaries.values()], columns);
  const paths = Object.keys(manifest.grid);
  const refs = runRefs(manifest);
  const rows = manifest.points.map((p) => {
    const mine = refs.filter((r) => r.point === p.point).map((r) => headlineValues(summaries.get(r.index)!, metrics));
    const cells = shown.map((m) => {
      const k = metrics.indexOf(m);
      const raw = aggregate(mine.map((v) => v[k]!));
      const a = bounded(m, raw);
      // Where the interval was cut at 0 or 100 % it is no longer symmetric: show its ends.
      const cut = a.ci95Low !== raw.ci95Low || a.ci95High !== raw.ci95High;
      const half = !Number.isFinite(a.ci95High) ? "" : cut ? ` (${formatMetric(m, a.ci95Low)}–${formatMetric(m, a.ci95High)})` : ` ± ${formatMetric(m, a.ci95High - a.mean)}`;
      return `${formatMetric(m, Number.isFinite(a.mean) ? a.mean : null)}${half}`;
    });
    return [...paths.map((path) => describe(p.values[path])), String(mine.length), ...cells];
  });
  return textTable([...paths, "runs", ...shown.map((m) => m.heading)], rows, paths.length);
}

