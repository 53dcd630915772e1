import { loadPlugins } from "../scenario/plugins.js";
import type { RunSpec } from "./experiment.js";
import { resultFiles } from "./results.js";
import { Simulation } from "./simulation.js";

/**
 * Runs one run of an experiment to its end and returns its result files. The
 * same code runs in the main thread (--jobs 1, tests) and in worker threads
 * (sim/cli/sweep-worker.ts), so a run's files are the same bytes wherever it
 * ran. Wall-clock time is measured only if the caller passes a clock (the
 * CLI does; simulation code has none).
 */

export interface JobHooks {
  /** Wall clock in ms, and the peak memory: recorded under engine.wall in manifest.json. */
  measure?: { now(): number; peakRssBytes(): number };
  /** Called after every slice of events, with the simulated time reached (ms) and the events run so far. */
  onSlice?(simMs: number, events: number): void;
  sliceEvents?: number;
}

export interface JobResult {
  index: number;
  /** File name → content, for the run's folder. */
  files: Record<string, string>;
  events: number;
}

export function runJob(run: RunSpec, scenarioFile: string, hooks: JobHooks = {}): JobResult {
  const t0 = hooks.measure?.now() ?? 0;
  // In a worker thread nothing has loaded the scenario's plug-in overlays yet.
  loadPlugins(run.scenario, scenarioFile);
  const simulation = new Simulation(run.scenario);
  const t1 = hooks.measure?.now() ?? 0;
  const slice = hooks.sliceEvents ?? 200_000;
  while (!simulation.runSlice(slice)) hooks.onSlice?.(simulation.sim.now, simulation.sim.eventsRun);
  hooks.onSlice?.(simulation.sim.now, simulation.sim.eventsRun);
  const t2 = hooks.measure?.now() ?? 0;
  const files = resultFiles(simulation, {
    scenarioFile,
    complete: true,
    wall: hooks.measure && {
      setupSeconds: (t1 - t0) / 1000,
      runSeconds: (t2 - t1) / 1000,
      peakRssBytes: hooks.measure.peakRssBytes(),
    },
  });
  return { index: run.index, files, events: simulation.sim.eventsRun };
}
