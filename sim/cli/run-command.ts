import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { checkOutputFolder, writeFolder } from "../metrics/writers.js";
import { resultFiles } from "../run/results.js";
import { Simulation } from "../run/simulation.js";
import { loadExperiment } from "../run/experiment.js";
import { InputError } from "../core/errors.js";
import { viewHint } from "./view-hint.js";
import { ProgressBar } from "./progress.js";
import { runSweep, runVariants } from "./sweep-command.js";

export interface RunArgs {
  scenario: string;
  seed?: number;
  out?: string;
  set?: string[];
  force?: boolean;
  quiet?: boolean;
  /** Worker threads for a scenario with variants: or sweep: (default: the number of cores). */
  jobs?: number;
  /** "i/n": run only shard i of n of a sweep. */
  shard?: string;
}

/** Events per slice: between slices the CLI draws progress and notices Ctrl-C. */
const SLICE_EVENTS = 200_000;

/**
 * `peerlab run`: validate, build, run in slices (so the progress bar moves
 * and Ctrl-C is heard), then write the results folder in one atomic step.
 * Ctrl-C stops the run, keeps what was measured, and marks it incomplete.
 */
export async function runCommand(args: RunArgs): Promise<number> {
  const overrides = [...(args.set ?? [])];
  if (args.seed !== undefined) overrides.push(`seed=${args.seed}`);
  const experiment = loadExperiment(args.scenario, overrides);
  if (experiment.kind === "variants") return runVariants(experiment, args);
  if (experiment.kind === "sweep") return runSweep(experiment, args);
  if (args.shard !== undefined) throw new InputError(`--shard: ${args.scenario} describes one run; only a scenario with sweep: can be split into shards`);
  const scenario = experiment.scenario;
  const outDir = args.out ?? join("results", scenario.name, `seed-${scenario.seed}`);
  checkOutputFolder(outDir, args.force ?? false);

  const t0 = performance.now();
  const simulation = new Simulation(scenario);
  const t1 = performance.now();

  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: leave at once
    interrupted = true;
  };
  process.on("SIGINT", onSigint);
  const progress = ProgressBar.enabled(process.stderr, args.quiet ?? false)
    ? new ProgressBar(process.stderr, simulation.durationMs, scenario.name)
    : undefined;
  try {
    for (;;) {
      const done = simulation.runSlice(SLICE_EVENTS);
      progress?.update(simulation.sim.now, simulation.sim.eventsRun, (performance.now() - t1) / 1000);
      if (done || interrupted) break;
      await new Promise((resolve) => setImmediate(resolve)); // let the SIGINT handler run
    }
  } finally {
    process.off("SIGINT", onSigint);
    progress?.done();
  }
  const t2 = performance.now();

  const files = resultFiles(simulation, {
    scenarioFile: args.scenario,
    complete: !interrupted,
    wall: {
      setupSeconds: (t1 - t0) / 1000,
      runSeconds: (t2 - t1) / 1000,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    },
  });
  writeFolder(outDir, files, args.force ?? false);

  if (!args.quiet) {
    const summary = JSON.parse(files["summary.json"]!);
    const l = summary.lookups;
    const b = summary.broadcasts;
    const lines = [
      interrupted ? `Interrupted at ${(simulation.sim.now / 1000).toFixed(1)} s simulated; what was measured is kept (manifest says complete: false).` : "",
      `${scenario.name} (seed ${scenario.seed}): ${simulation.sim.eventsRun.toLocaleString("en-US")} events in ${((t2 - t1) / 1000).toFixed(2)} s`,
      b && l.started === 0 ? "" : `  lookups: ${l.completed} completed, success ${fmt(l.successRatio === null ? null : l.successRatio * 100, 1)} %, latency p50 ${fmt(l.latencyMs.p50, 0)} ms / p99 ${fmt(l.latencyMs.p99, 0)} ms, ${fmt(l.hops.mean, 2)} hops, ${fmt(l.messagesPerLookup, 0)} messages each`,
      b
        ? `  broadcasts: ${b.completed} measured, coverage ${fmt(b.coverage.mean * 100, 1)} %, 90 % of peers after ${fmt(b.timeToMs.p90.p50, 0)} ms (p50), all after ${fmt(b.timeToMs.p100.p50, 0)} ms, ${fmt(b.messagesPerPeer, 2)} messages per peer`
        : "",
      `  traffic: ${fmt(summary.traffic.messagesPerPeerPerSecond, 2)} messages per peer per second (${fmt((100 * summary.traffic.maintenanceMessages) / Math.max(1, summary.traffic.messages), 1)} % maintenance); ${fmt(summary.peers.liveMean, 0)} peers online on average`,
      `Results in ${outDir}/ (manifest.json, summary.json, timeseries.csv, columns.json)`,
      viewHint(outDir),
    ];
    process.stdout.write(lines.filter(Boolean).join("\n") + "\n");
  }
  return interrupted ? 130 : 0;
}

function fmt(x: number | null, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(digits);
}
