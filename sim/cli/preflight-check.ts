import { availableParallelism, totalmem } from "node:os";
import { drivingTerm, estimateRun, type Estimate } from "../run/preflight.js";
import { InputError } from "../core/errors.js";
import type { Scenario } from "../scenario/schema.js";
import { formatBytes, formatCount, formatSeconds } from "./text.js";

/**
 * Before anything runs: refuse runs this machine cannot hold, ask for --yes
 * before long ones, and cap --jobs by cores and memory. The estimate is
 * sim/run/preflight.ts; the speeds are the engine's, measured here.
 */

/**
 * Events per second of wall time, by overlay, as `peerlab run` measured them
 * on the shipped scenarios (manifest.json engine.wall.eventsPerSecond;
 * flooding-basic, chord-churn, kademlia-churn, hybrid-growth; a shared
 * 2-core machine, so a fast machine runs faster than this says).
 */
const EVENTS_PER_SECOND: Record<string, number> = { unstructured: 580_000, chord: 260_000, kademlia: 110_000, hybrid: 95_000 };
/** Above this much wall time a terminal user must confirm with --yes; a script gets a warning. */
export const LONG_RUN_SECONDS = 15 * 60;
/** A run may use at most this share of the machine's memory. */
const MEMORY_SHARE = 0.8;

export interface Preflight {
  /** Worker threads to use, after capping. */
  jobs: number;
  /** Estimated wall time of everything, seconds. */
  seconds: number;
  estimates: Estimate[];
}

export function preflight(
  runs: readonly Scenario[],
  options: { file: string; jobs?: number; yes?: boolean; interactive: boolean; warn: (line: string) => void },
): Preflight {
  const estimates = runs.map(estimateRun);
  const memory = totalmem() * MEMORY_SHARE;
  const biggest = estimates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  if (biggest.bytes > memory) {
    const term = drivingTerm(biggest, "bytes");
    throw new InputError(
      `${options.file}: this run would need about ${formatBytes(biggest.bytes)} of memory, more than this machine can give it (${formatBytes(memory)}, ${Math.round(MEMORY_SHARE * 100)} % of ${formatBytes(totalmem())}); most of it for ${term.what}, driven by ${term.field}. Make ${term.field} ${term.cheaper} (or the run shorter).`,
    );
  }
  const cores = availableParallelism();
  const wanted = options.jobs ?? cores;
  const byMemory = Math.max(1, Math.floor(memory / biggest.bytes));
  const jobs = Math.max(1, Math.min(wanted, cores, byMemory, runs.length));
  if (options.jobs !== undefined && jobs < Math.min(options.jobs, runs.length)) {
    const why = jobs === cores ? `this machine has ${cores} cores` : `each run needs about ${formatBytes(biggest.bytes)} and the machine has ${formatBytes(totalmem())}`;
    options.warn(`--jobs ${options.jobs} lowered to ${jobs}: ${why}.`);
  }
  const runSeconds = estimates.map((e, i) => e.events / (EVENTS_PER_SECOND[runs[i]!.overlay.type] ?? 200_000));
  const seconds = runSeconds.reduce((a, b) => a + b, 0) / jobs;
  if (seconds > LONG_RUN_SECONDS && !options.yes) {
    const slowest = estimates[runSeconds.indexOf(Math.max(...runSeconds))]!;
    const term = drivingTerm(slowest, "events");
    const what = `about ${formatCount(estimates.reduce((s, e) => s + e.events, 0))} events, roughly ${formatSeconds(seconds)} on this machine${runs.length > 1 ? ` (${formatCount(runs.length)} runs on ${jobs} thread${jobs === 1 ? "" : "s"})` : ""}; most events come from ${term.what} (${term.field})`;
    if (options.interactive) {
      throw new InputError(`${options.file}: this would take long: ${what}. Add --yes (-y) to start it anyway, or make ${term.field} ${term.cheaper} or the run shorter.`);
    }
    options.warn(`${options.file}: this will take long: ${what}. Starting anyway (not a terminal; pass --yes to silence this).`);
  }
  return { jobs, seconds, estimates };
}
