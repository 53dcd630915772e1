import { Rng } from "../engine/rng.js";
import { InputError, formatPath } from "../core/errors.js";
import { applyOverrides, readScenarioFile, setField, validateScenario, withTrace } from "../scenario/load.js";
import { scenarioSchemaNow, sweepSchema, variantSchema, type Scenario } from "../scenario/schema.js";

/**
 * A scenario file describes one run, or several: `variants:` (named changes,
 * all on the same seed, compared side by side) or `sweep:` (a grid of values
 * over scenario paths, each point run with several seeds). This file turns
 * the file into the list of runs, each with a fully validated scenario, so
 * every mistake in any variant or grid value is reported before anything
 * runs. docs/scenarios.md documents both forms.
 */

/** One run of an experiment. */
export interface RunSpec {
  /** Position in the experiment: variants in file order; sweep runs by grid point, then replication. */
  index: number;
  /** The run's results folder, relative to the experiment's folder ("chord", "runs/p0_.../seed-1"). */
  dir: string;
  scenario: Scenario;
}

export interface SingleExperiment {
  kind: "single";
  scenario: Scenario;
}

export interface VariantsExperiment {
  kind: "variants";
  base: Scenario;
  variants: { name: string; description?: string }[];
  /** One per variant, in the same order. */
  runs: RunSpec[];
}

export interface SweepPoint {
  index: number;
  /** Names the point's folder: "p0_churn.session.mean=5m". */
  label: string;
  /** The value of each grid path, in the order of `paths`, as written in the file. */
  values: unknown[];
}

export interface SweepRun extends RunSpec {
  point: number;
  replication: number;
  seed: number;
}

export interface SweepExperiment {
  kind: "sweep";
  base: Scenario;
  /** The grid's paths, in file order; the first varies slowest. */
  paths: string[];
  grid: Record<string, unknown[]>;
  replications: number;
  /** The seed of each replication, the same at every grid point (common random numbers). */
  seeds: number[];
  points: SweepPoint[];
  runs: SweepRun[];
}

export type Experiment = SingleExperiment | VariantsExperiment | SweepExperiment;

/** Paths a variant or a grid may not change: they name or seed the whole experiment. */
const FIXED = new Set(["name", "seed", "variants", "sweep", "$schema"]);

/** Reads a scenario file, applies `--set` overrides, and expands its variants or sweep. Throws an InputError listing every problem. */
export function loadExperiment(file: string, overrides: readonly string[] = []): Experiment {
  const raw = applyOverrides(readScenarioFile(file), overrides, file) as Record<string, unknown>;
  const base = validateScenario(raw, file);
  if (raw.variants !== undefined && raw.sweep !== undefined) {
    throw new InputError(
      `${file} is not a valid scenario (1 problem; see docs/scenarios.md):\n  (top level): variants: and sweep: cannot be combined in one scenario; to sweep over overlays, put the overlay in the grid (grid: { overlay: [{ type: chord }, { type: hybrid }] }), or make one scenario file per variant`,
    );
  }
  if (raw.variants !== undefined) return expandVariants(file, raw, base);
  if (raw.sweep !== undefined) return expandSweep(file, raw, base);
  return { kind: "single", scenario: base };
}

/** Validates one resolved run; problems come back as lines prefixed with `where`. */
function check(raw: Record<string, unknown>, base: Scenario, where: string, problems: string[], file: string): Scenario | undefined {
  const result = scenarioSchemaNow().safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`  ${where} → ${formatPath(issue.path)}: ${issue.message}`);
    return undefined;
  }
  const { $schema: _s, variants: _v, sweep: _w, ...scenario } = result.data;
  return withTrace({ ...scenario, name: base.name } as Scenario, file);
}

/** The scenario data without variants: and sweep:, ready to be changed. */
function stripped(raw: Record<string, unknown>): Record<string, unknown> {
  const { variants: _v, sweep: _w, ...rest } = structuredClone(raw);
  return rest;
}

/** Sets `path` in `data`; a problem line if the path is not allowed or blocked. */
function trySet(data: Record<string, unknown>, path: string, value: unknown, where: string, problems: string[]): void {
  const parts = path.split(".");
  if (FIXED.has(parts[0]!)) {
    problems.push(`  ${where}: "${path}" cannot be changed here (name and seed are the whole experiment's; a sweep's seeds come from replications)`);
    return;
  }
  const blocked = setField(data, parts, value);
  if (blocked) problems.push(`  ${where}: ${blocked.key} is not an object in the scenario, so "${path}" cannot be set (set the whole ${blocked.key} instead)`);
}

function fail(file: string, problems: string[]): never {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  throw new InputError(`${file} is not a valid scenario (${count}; see docs/scenarios.md):\n${problems.join("\n")}`);
}

function expandVariants(file: string, raw: Record<string, unknown>, base: Scenario): VariantsExperiment {
  const variants = variantSchema.array().parse(raw.variants); // shapes already checked by validateScenario
  const problems: string[] = [];
  const runs: RunSpec[] = [];
  variants.forEach((v, i) => {
    const where = `variants[${i}] (${v.name})`;
    const first = variants.findIndex((w) => w.name.toLowerCase() === v.name.toLowerCase());
    if (first !== i) problems.push(`  variants[${i}].name: ${JSON.stringify(v.name)} is already the name of variants[${first}]; each variant needs its own name (it names a folder)`);
    const data = stripped(raw);
    if (v.overlay) data.overlay = structuredClone(v.overlay);
    for (const [path, value] of Object.entries(v.set ?? {})) trySet(data, path, value, `${where} set "${path}"`, problems);
    const scenario = check(data, base, where, problems, file);
    if (scenario) runs.push({ index: i, dir: v.name, scenario });
  });
  if (problems.length > 0) fail(file, problems);
  return { kind: "variants", base, variants: variants.map((v) => ({ name: v.name, description: v.description })), runs };
}

function expandSweep(file: string, raw: Record<string, unknown>, base: Scenario): SweepExperiment {
  const sweep = sweepSchema.parse(raw.sweep);
  const paths = Object.keys(sweep.grid);
  const problems: string[] = [];

  // Each value alone first, so a bad value is named once, not once per grid point.
  for (const path of paths) {
    sweep.grid[path]!.forEach((value, i) => {
      const where = `sweep.grid["${path}"][${i}] = ${describe(value)}`;
      const data = stripped(raw);
      const before = problems.length;
      trySet(data, path, value, where, problems);
      if (problems.length === before) check(data, base, where, problems, file);
    });
  }
  if (problems.length > 0) fail(file, problems);

  const points: SweepPoint[] = cartesian(paths.map((p) => sweep.grid[p]!)).map((values, index, all) => ({
    index,
    label: pointLabel(index, all.length, paths, values),
    values,
  }));
  const scenarios = points.map((point) => {
    const data = stripped(raw);
    paths.forEach((path, k) => trySet(data, path, point.values[k], `sweep point ${point.label}`, problems));
    return check(data, base, `sweep point ${point.label}`, problems, file);
  });
  if (problems.length > 0) fail(file, problems);

  const seeds = replicationSeeds(base.seed, sweep.replications);
  const runs: SweepRun[] = [];
  for (const point of points) {
    for (let r = 0; r < seeds.length; r++) {
      const seed = seeds[r]!;
      runs.push({
        index: runs.length,
        dir: `runs/${point.label}/seed-${seed}`,
        scenario: { ...scenarios[point.index]!, seed },
        point: point.index,
        replication: r,
        seed,
      });
    }
  }
  return { kind: "sweep", base, paths, grid: sweep.grid, replications: sweep.replications, seeds, points, runs };
}

/**
 * The seed of each replication: the scenario's seed first (so replication 0
 * of a grid point is exactly `peerlab run` of that point), then distinct
 * seeds drawn from the stream "<seed>/replications".
 */
export function replicationSeeds(seed: number, count: number): number[] {
  const seeds = [seed];
  const used = new Set(seeds);
  const rng = new Rng(seed).fork("replications");
  while (seeds.length < count) {
    const s = Math.floor(rng.next() * 2 ** 32);
    if (!used.has(s)) {
      used.add(s);
      seeds.push(s);
    }
  }
  return seeds;
}

/** Every combination of the lists, the first list varying slowest. */
function cartesian(lists: readonly (readonly unknown[])[]): unknown[][] {
  let out: unknown[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((v) => [...prefix, v]));
  return out;
}

/** "p03_churn.session.mean=5m_overlay.degree=4": safe as a folder name on any system, unique by its index. */
function pointLabel(index: number, count: number, paths: readonly string[], values: readonly unknown[]): string {
  const digits = String(Math.max(0, count - 1)).length;
  const parts = paths.map((p, k) => `${p}=${valueLabel(values[k])}`);
  return `p${String(index).padStart(digits, "0")}_${parts.join("_")}`.slice(0, 120);
}

/** A grid value as it reads in a folder name: "5m", "0.5", "type-chord,routing-recursive". */
export function valueLabel(value: unknown): string {
  const text = typeof value === "string" ? value : typeof value === "object" && value !== null ? JSON.stringify(value).replace(/[{}"[\]]/g, "").replace(/:/g, "-") : String(value);
  return text.replace(/\s+/g, "").replace(/[^A-Za-z0-9._,+=-]/g, "_") || "_";
}

/** A grid value as written in the file, for messages and CSV cells. */
export function describe(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
