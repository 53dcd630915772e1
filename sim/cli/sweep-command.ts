import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { RunSpec, SweepExperiment, VariantsExperiment } from "../run/experiment.js";
import type { SummaryLike } from "../run/headline.js";
import { StagedFolder } from "../run/staged-folder.js";
import { tableFiles } from "../run/experiment-files.js";
import { parseShard, runRefs, runsCsv, shardRuns, sweepJson, sweepManifest, sweepTable, type Shard } from "../run/sweep.js";
import { toJson } from "../metrics/writers.js";
import { comparisonTable } from "../run/variants.js";
import { InputError } from "../core/errors.js";
import { ProgressBar } from "./progress.js";
import { signalName, watchStopSignals } from "./stop-signals.js";
import { successNote } from "./success-note.js";
import { RunPool } from "./sweep-pool.js";
import { viewHint } from "./view-hint.js";

/**
 * `peerlab run` on a scenario with `variants:` or `sweep:`: every run on a
 * pool of worker threads (--jobs), one progress bar for all of them, each
 * run's folder written as it finishes into a temporary folder that replaces
 * the results folder only once everything is written. A sweep can be split
 * with --shard i/n; `peerlab merge` puts the shards back together.
 */

export interface ExperimentArgs {
  scenario: string;
  out?: string;
  force?: boolean;
  quiet?: boolean;
  jobs?: number;
  shard?: string;
  /** Continue a stopped experiment in --out, running only what is missing. */
  resume?: boolean;
  set?: string[];
  label?: string;
}

export function defaultJobs(): number {
  return availableParallelism();
}

export function checkJobs(jobs: number | undefined): number {
  if (jobs === undefined) return defaultJobs();
  if (!Number.isInteger(jobs) || jobs < 1) throw new InputError(`--jobs: expected a positive integer (worker threads), got ${jobs}`);
  return jobs;
}

export async function runVariants(experiment: VariantsExperiment, args: ExperimentArgs): Promise<number> {
  if (args.shard !== undefined) {
    throw new InputError(`--shard: ${args.scenario} compares variants; only a scenario with sweep: can be split into shards (its variants all run on one seed, in one folder)`);
  }
  const jobs = checkJobs(args.jobs);
  const { base } = experiment;
  const outDir = args.out ?? join("results", base.name, `seed-${base.seed}`);
  const label = `${base.name}: ${experiment.runs.length} variants`;
  const outcome = await runAll(experiment, experiment.runs, outDir, label, jobs, args);
  if (!outcome) return Number(process.exitCode ?? 130);
  const { staged, summaries, seconds } = outcome;
  const ordered = experiment.runs.map((r) => summaries.get(r.index)!);
  for (const [name, content] of Object.entries(tableFiles(experiment, args.scenario, summaries))) staged.write(name, content);
  staged.commit();
  if (!args.quiet) {
    const threads = Math.min(jobs, experiment.runs.length);
    process.stdout.write(
      [
        `${base.name} (seed ${base.seed}): ${experiment.runs.length} variants on ${threads} thread${threads === 1 ? "" : "s"} in ${seconds.toFixed(1)} s`,
        "",
        comparisonTable(experiment, ordered),
        "",
        successNote(experiment.runs),
        "",
        `Results in ${outDir}/ (comparison.csv, and ${experiment.runs.map((r) => `${r.dir}/`).join(", ")} with each run's manifest.json, summary.json, timeseries.csv, columns.json)`,
        viewHint(outDir),
      ].join("\n") + "\n",
    );
  }
  return 0;
}

export async function runSweep(experiment: SweepExperiment, args: ExperimentArgs): Promise<number> {
  const jobs = checkJobs(args.jobs);
  const shard: Shard | undefined = args.shard === undefined ? undefined : parseShard(args.shard);
  const { base } = experiment;
  const outDir = args.out ?? join("results", shard ? `${base.name}-shard-${shard.index}-of-${shard.count}` : base.name);
  const mine = shard ? new Set(shardRuns(experiment.runs.length, shard)) : undefined;
  const runs = mine ? experiment.runs.filter((r) => mine.has(r.index)) : experiment.runs;
  const where = shard ? ` (shard ${shard.index}/${shard.count}: ${runs.length} of ${experiment.runs.length} runs)` : "";
  const label = `${base.name}: ${runs.length} runs${shard ? ` (shard ${shard.index}/${shard.count})` : ""}`;
  const outcome = await runAll(experiment, runs, outDir, label, jobs, args, shard);
  if (!outcome) return Number(process.exitCode ?? 130);
  const { staged, summaries, seconds, resumed } = outcome;
  for (const [name, content] of Object.entries(tableFiles(experiment, args.scenario, summaries, shard))) staged.write(name, content);
  const manifest = sweepManifest(experiment, args.scenario);
  staged.commit();
  if (!args.quiet) {
    const threads = Math.min(jobs, runs.length);
    const points = experiment.points.length;
    const lines = [
      `${base.name}: ${points} grid point${points === 1 ? "" : "s"} × ${experiment.replications} replication${experiment.replications === 1 ? "" : "s"}${where}, ${runs.length} runs on ${threads} thread${threads === 1 ? "" : "s"} in ${seconds.toFixed(1)} s${resumed > 0 ? ` (${resumed} kept from the interrupted run)` : ""}`,
    ];
    if (shard) {
      lines.push(
        `Results in ${outDir}/ (sweep.json, runs.csv, runs/). When every shard is done: peerlab merge ${join("results", `${base.name}-shard-*-of-${shard.count}`)} --out ${join("results", base.name)}`,
      );
    } else {
      lines.push("", sweepTable(manifest, summaries), "(mean ± half the 95 % confidence interval over the replications)", "");
      lines.push(`Results in ${outDir}/ (sweep.json, runs.csv, aggregate.csv, and runs/<point>/seed-<seed>/ for each run)`, viewHint(outDir));
    }
    process.stdout.write(lines.join("\n") + "\n");
  }
  return 0;
}

/** What a stopped experiment's folder records, so --resume knows what is left (incomplete.json). */
interface IncompleteMarker {
  complete: false;
  finishedRuns: number;
  totalRuns: number;
  resume: string;
}

/**
 * Runs `runs`, writing each run's folder into a staged results folder as it
 * finishes. Undefined if stopped by a signal: the finished runs are then kept
 * (with incomplete.json saying what is missing) and --resume continues them.
 * With --resume, runs whose folder is already there are not run again.
 */
async function runAll(
  experiment: VariantsExperiment | SweepExperiment,
  runs: readonly RunSpec[],
  outDir: string,
  label: string,
  jobs: number,
  args: ExperimentArgs,
  shard?: Shard,
): Promise<{ staged: StagedFolder; summaries: Map<number, SummaryLike>; seconds: number; resumed: number } | undefined> {
  const kind = experiment.kind === "sweep" ? "sweep" : "comparison";
  const resume = args.resume === true && existsSync(outDir);
  if (resume) checkResumable(experiment, outDir, args.scenario, shard);
  const staged = new StagedFolder(outDir, args.force ?? false, kind, resume);
  for (const note of staged.notes) process.stderr.write(`peerlab: ${note}\n`);
  const summaries = new Map<number, SummaryLike>();
  if (resume) {
    for (const run of runs) {
      const summary = readSummary(join(staged.temp, run.dir));
      if (summary) summaries.set(run.index, summary);
      else staged.remove(run.dir); // a run folder without a complete summary is run again from the start
    }
  }
  const resumed = summaries.size;
  const todo = runs.filter((r) => !summaries.has(r.index));
  const dirs = new Map(runs.map((r) => [r.index, r.dir]));
  const totalMs = todo.reduce((sum, r) => sum + r.scenario.duration, 0);
  const t0 = performance.now();
  const bar = ProgressBar.enabled(process.stderr, args.quiet ?? false) ? new ProgressBar(process.stderr, totalMs, label) : undefined;
  const pool = new RunPool({
    jobs,
    scenarioFile: args.scenario,
    invocation: { overrides: args.set ?? [], ...(args.label !== undefined ? { label: args.label } : {}) },
    onProgress: (simMs, events) => bar?.update(simMs, events, (performance.now() - t0) / 1000),
    onResult: (result) => {
      const dir = dirs.get(result.index)!;
      for (const [name, content] of Object.entries(result.files)) staged.write(`${dir}/${name}`, content);
      summaries.set(result.index, JSON.parse(result.files["summary.json"]!) as SummaryLike);
    },
  });
  const stop = watchStopSignals(
    () => pool.stop(),
    () => staged.abort(),
  );
  let complete: boolean;
  try {
    complete = await pool.run(todo);
  } catch (error) {
    staged.abort();
    throw error;
  } finally {
    stop.release();
    bar?.done();
  }
  if (!complete || stop.signal) {
    const finished = summaries.size;
    const resumeLine = `peerlab run ${args.scenario} --resume${args.out !== undefined ? ` --out ${args.out}` : ""}${shard ? ` --shard ${shard.index}/${shard.count}` : ""}`;
    if (finished === 0) {
      staged.abort();
      process.stdout.write(`Interrupted${stop.signal ? ` by ${signalName(stop.signal)}` : ""} before any run finished; nothing was written (${outDir} is unchanged).\n`);
    } else {
      if (experiment.kind === "sweep") {
        const manifest = sweepManifest(experiment, args.scenario, shard);
        staged.write("sweep.json", sweepJson(manifest));
        staged.write("runs.csv", runsCsv(manifest, runRefs(manifest).filter((r) => summaries.has(r.index)), summaries));
      }
      const marker: IncompleteMarker = { complete: false, finishedRuns: finished, totalRuns: runs.length, resume: resumeLine };
      staged.write("incomplete.json", toJson(marker));
      const where = staged.commit(false);
      process.stdout.write(
        `Interrupted${stop.signal ? ` by ${signalName(stop.signal)}` : ""} after ${finished} of ${runs.length} runs; the finished runs are kept in ${where}/ (incomplete.json lists what is missing). Continue with: ${resumeLine}\n`,
      );
    }
    process.exitCode = stop.exitCode || 130;
    return undefined;
  }
  staged.remove("incomplete.json");
  return { staged, summaries, seconds: (performance.now() - t0) / 1000, resumed };
}

/** A run folder's summary if the run finished (its manifest says complete), else undefined. */
function readSummary(dir: string): SummaryLike | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { complete?: boolean };
    if (manifest.complete !== true) return undefined;
    return JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as SummaryLike;
  } catch {
    return undefined;
  }
}

/** --resume continues only the same experiment: the same sweep.json (or, for variants, the same variant folders). */
function checkResumable(experiment: VariantsExperiment | SweepExperiment, outDir: string, scenarioFile: string, shard?: Shard): void {
  if (experiment.kind === "sweep") {
    let existing: unknown;
    try {
      existing = JSON.parse(readFileSync(join(outDir, "sweep.json"), "utf8"));
    } catch {
      throw new InputError(`--resume: ${outDir} has no readable sweep.json, so it is not a stopped sweep's folder; run without --resume (and with --force to replace it, or another --out).`);
    }
    const expected = JSON.parse(sweepJson(sweepManifest(experiment, scenarioFile, shard))) as Record<string, unknown>;
    const differs = Object.keys({ ...expected, ...(existing as object) }).filter(
      (k) => JSON.stringify((existing as Record<string, unknown>)[k]) !== JSON.stringify(expected[k]),
    );
    if (differs.length > 0) {
      throw new InputError(`--resume: ${outDir} holds another sweep (its sweep.json differs in ${differs.join(", ")}); resume with the same scenario file, --set overrides and peerlab version, or run without --resume.`);
    }
  } else if (!existsSync(join(outDir, "incomplete.json")) && !existsSync(join(outDir, "comparison.csv"))) {
    throw new InputError(`--resume: ${outDir} is not a stopped comparison's folder (no incomplete.json); run without --resume.`);
  }
}
