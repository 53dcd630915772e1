import { toCsv, toJson } from "../metrics/writers.js";
import type { Scenario } from "../scenario/schema.js";
import { VERSION } from "../version.js";
import type { Simulation } from "./simulation.js";

/**
 * The files of one run's results folder (docs/results.md documents every
 * field). Everything but `engine.wall` in manifest.json is determined by the
 * scenario, the seed and the peerlab version: rerunning gives the same bytes.
 */

/** Measurements of the machine, not the simulation: they differ from run to run. */
export interface WallStats {
  setupSeconds: number;
  runSeconds: number;
  peakRssBytes: number;
}

export interface RunMeta {
  scenarioFile: string;
  /** False if the run was stopped before its end (Ctrl-C). */
  complete: boolean;
  wall?: WallStats;
}

export function resultFiles(simulation: Simulation, meta: RunMeta): Record<string, string> {
  const { summary, timeSeries } = simulation.finish();
  const scenario: Scenario = simulation.scenario;
  const events = simulation.sim.eventsRun;
  const wall = meta.wall;
  const manifest = {
    peerlab: VERSION,
    scenarioFile: meta.scenarioFile,
    name: scenario.name,
    seed: scenario.seed,
    complete: meta.complete,
    simulatedSeconds: simulation.sim.now / 1000,
    files: ["manifest.json", "summary.json", "timeseries.csv"],
    scenario,
    engine: {
      events,
      wall: wall && {
        setupSeconds: round3(wall.setupSeconds),
        runSeconds: round3(wall.runSeconds),
        eventsPerSecond: wall.runSeconds > 0 ? Math.round(events / wall.runSeconds) : null,
        peakRssBytes: wall.peakRssBytes,
        node: process.version,
      },
    },
  };
  return {
    "manifest.json": toJson(manifest),
    "summary.json": toJson({ name: scenario.name, seed: scenario.seed, complete: meta.complete, ...summary }),
    "timeseries.csv": toCsv(timeSeries),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
