import { availableParallelism } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { RunSpec, SweepExperiment, VariantsExperiment } from "../run/experiment.js";
import type { SummaryLike } from "../run/headline.js";
import { StagedFolder } from "../run/staged-folder.js";
import { tableFiles } from "../run/experiment-files.js";
import { parseShard, shardRuns, sweepManifest, sweepTable, type Shard } from "../run/sweep.js";
import { comparisonTable } from "../run/variants.js";
import { InputError } from "../core/errors.js";
import { ProgressBar } from "./progress.js";
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
  const outcome = await runAll(experiment.runs, outDir, label, jobs, args);
  if (!outcome) return 130;
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
        `Results in ${outDir}/ (comparison.csv, and ${experiment.runs.map((r) => `${r.dir}/`).join(", ")} with each run's manifest.json, summary.json, timeseries.csv)`,
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
  const outcome = await runAll(runs, outDir, label, jobs, args);
  if (!outcome) return 130;
  const { staged, summaries, seconds } = outcome;
  for (const [name, content] of Object.entries(tableFiles(experiment, args.scenario, summaries, shard))) staged.write(name, content);
  const manifest = sweepManifest(experiment, args.scenario);
  staged.commit();
  if (!args.quiet) {
    const threads = Math.min(jobs, runs.length);
    const points = experiment.points.length;
    const lines = [
      `${base.name}: ${points} grid point${points === 1 ? "" : "s"} × ${experiment.replications} replication${experiment.replications === 1 ? "" : "s"}${where}, ${runs.length} runs on ${threads} thread${threads === 1 ? "" : "s"} in ${seconds.toFixed(1)} s`,
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

/** Runs `runs`, writing each run's folder into a staged results folder. Undefined if stopped by Ctrl-C (nothing is written then). */
async function runAll(
  runs: readonly RunSpec[],
  outDir: string,
  label: string,
  jobs: number,
  args: ExperimentArgs,
): Promise<{ staged: StagedFolder; summaries: Map<number, SummaryLike>; seconds: number } | undefined> {
  const staged = new StagedFolder(outDir, args.force ?? false);
  const summaries = new Map<number, SummaryLike>();
  const dirs = new Map(runs.map((r) => [r.index, r.dir]));
  const totalMs = runs.reduce((sum, r) => sum + r.scenario.duration, 0);
  const t0 = performance.now();
  const bar = ProgressBar.enabled(process.stderr, args.quiet ?? false) ? new ProgressBar(process.stderr, totalMs, label) : undefined;
  const pool = new RunPool({
    jobs,
    scenarioFile: args.scenario,
    onProgress: (simMs, events) => bar?.update(simMs, events, (performance.now() - t0) / 1000),
    onResult: (result) => {
      const dir = dirs.get(result.index)!;
      for (const [name, content] of Object.entries(result.files)) staged.write(`${dir}/${name}`, content);
      summaries.set(result.index, JSON.parse(result.files["summary.json"]!) as SummaryLike);
    },
  });
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      staged.abort();
      process.exit(130); // a second Ctrl-C: leave at once
    }
    interrupted = true;
    pool.stop();
  };
  process.on("SIGINT", onSigint);
  let complete: boolean;
  try {
    complete = await pool.run(runs);
  } catch (error) {
    staged.abort();
    throw error;
  } finally {
    process.off("SIGINT", onSigint);
    bar?.done();
  }
  if (!complete || interrupted) {
    staged.abort();
    process.stdout.write(`Interrupted after ${summaries.size} of ${runs.length} runs; nothing was written (${outDir} is unchanged).\n`);
    return undefined;
  }
  return { staged, summaries, seconds: (performance.now() - t0) / 1000 };
}
