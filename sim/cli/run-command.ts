import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { checkOutputFolder, writeFolder } from "../metrics/writers.js";
import { resultFiles } from "../run/results.js";
import { Simulation } from "../run/simulation.js";
import { loadExperiment } from "../run/experiment.js";
import { InputError } from "../core/errors.js";
import { preflight } from "./preflight-check.js";
import { viewHint } from "./view-hint.js";
import { ProgressBar } from "./progress.js";
import { signalName, watchStopSignals } from "./stop-signals.js";
import { runSweep, runVariants } from "./sweep-command.js";
import { formatCount, formatSeconds } from "./text.js";

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
  /** Start a run the pre-flight estimate says is long. */
  yes?: boolean;
  /** Continue a stopped sweep or comparison in its folder. */
  resume?: boolean;
  /** A name for this run, recorded in the manifest and shown by the viewer. */
  label?: string;
}

/** Events per slice: between slices the CLI draws progress and hears signals. */
const SLICE_EVENTS = 200_000;

/** The command line's changes to the scenario file, as the manifest records them. */
export function invocation(args: RunArgs): { overrides: string[]; seed?: number; label?: string } {
  return {
    overrides: [...(args.set ?? [])],
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    ...(args.label !== undefined ? { label: args.label } : {}),
  };
}

/**
 * `peerlab run`: validate, estimate, build, run in slices (so the progress
 * bar moves and signals are heard), then write the results folder in one
 * atomic step. Ctrl-C, SIGTERM or SIGHUP stop the run, keep what was
 * measured and mark it incomplete (beside an existing complete result,
 * never over it).
 */
export async function runCommand(args: RunArgs): Promise<number> {
  const overrides = [...(args.set ?? [])];
  if (args.seed !== undefined) overrides.push(`seed=${args.seed}`);
  const experiment = loadExperiment(args.scenario, overrides);
  const warn = (line: string) => process.stderr.write(`peerlab: ${line}\n`);
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  if (experiment.kind !== "single") {
    const plan = preflight(
      experiment.runs.map((r) => r.scenario),
      { file: args.scenario, ...(args.jobs !== undefined ? { jobs: args.jobs } : {}), yes: args.yes ?? false, interactive, warn },
    );
    const capped = { ...args, jobs: plan.jobs };
    return experiment.kind === "variants" ? runVariants(experiment, capped) : runSweep(experiment, capped);
  }
  if (args.shard !== undefined) throw new InputError(`--shard: ${args.scenario} describes one run; only a scenario with sweep: can be split into shards`);
  if (args.resume) throw new InputError(`--resume: ${args.scenario} describes one run; --resume continues a stopped sweep or comparison (a single run is rerun with --force)`);
  const scenario = experiment.scenario;
  preflight([scenario], { file: args.scenario, yes: args.yes ?? false, interactive, warn });
  const outDir = args.out ?? join("results", scenario.name, `seed-${scenario.seed}`);
  for (const note of checkOutputFolder(outDir, args.force ?? false)) warn(note);

  const stop = watchStopSignals();
  const t0 = performance.now();
  const simulation = new Simulation(scenario);
  const t1 = performance.now();
  const progress = ProgressBar.enabled(process.stderr, args.quiet ?? false)
    ? new ProgressBar(process.stderr, simulation.durationMs, scenario.name)
    : undefined;
  try {
    for (;;) {
      const done = simulation.runSlice(SLICE_EVENTS);
      progress?.update(simulation.sim.now, simulation.sim.eventsRun, (performance.now() - t1) / 1000);
      if (done || stop.signal) break;
      await new Promise((resolve) => setImmediate(resolve)); // let a signal handler run
    }
  } finally {
    progress?.done();
  }
  const t2 = performance.now();
  const complete = !stop.signal;

  const files = resultFiles(simulation, {
    scenarioFile: args.scenario,
    complete,
    invocation: invocation(args),
    wall: {
      setupSeconds: (t1 - t0) / 1000,
      runSeconds: (t2 - t1) / 1000,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    },
  });
  // Still listening while writing: a second signal leaves at once, the first is already being honoured.
  const written = writeFolder(outDir, files, { force: args.force ?? false, complete });
  stop.release();

  if (!args.quiet) {
    const summary = JSON.parse(files["summary.json"]);
    const l = summary.lookups;
    const b = summary.broadcasts;
    const lines = [
      stop.signal
        ? `Interrupted by ${signalName(stop.signal)} at ${formatSeconds(simulation.sim.now / 1000)} simulated; what was measured is kept (manifest says complete: false)${written !== outDir ? `, beside the complete results in ${outDir}/` : ""}.`
        : "",
      `${scenario.name} (seed ${scenario.seed}): ${formatCount(simulation.sim.eventsRun)} events in ${((t2 - t1) / 1000).toFixed(2)} s`,
      b && l.started === 0 ? "" : `  lookups: ${formatCount(l.completed)} completed, success ${fmt(l.successRatio === null ? null : l.successRatio * 100, 1)} %, latency p50 ${fmt(l.latencyMs.p50, 0)} ms / p99 ${fmt(l.latencyMs.p99, 0)} ms, ${fmt(l.hops.mean, 2)} hops, ${fmt(l.messagesPerLookup, 0)} messages each`,
      b
        ? `  broadcasts: ${formatCount(b.completed)} measured, coverage ${fmt(b.coverage.mean * 100, 1)} %, 90 % of peers after ${fmt(b.timeToMs.p90.p50, 0)} ms (p50), all after ${fmt(b.timeToMs.p100.p50, 0)} ms, ${fmt(b.messagesPerPeer, 2)} messages per peer`
        : "",
      `  traffic: ${fmt(summary.traffic.messagesPerPeerPerSecond, 2)} messages per peer per second (${fmt((100 * summary.traffic.maintenanceMessages) / Math.max(1, summary.traffic.messages), 1)} % maintenance); ${fmt(summary.peers.liveMean, 0)} peers online on average`,
      `Results in ${written}/ (${Object.keys(files).join(", ")})`,
      viewHint(written),
    ];
    process.stdout.write(lines.filter(Boolean).join("\n") + "\n");
  }
  return stop.exitCode;
}

function fmt(x: number | null, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(digits);
}
