import { toCsv, toJson, type FileContent } from "../metrics/writers.js";
import { findOverlay } from "../overlays/registry.js";
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

/** How the run was started: the command line's changes to the scenario file, and the user's name for the run. */
export interface Invocation {
  /** --set overrides, in order, as typed. */
  overrides: string[];
  /** --seed, if given. */
  seed?: number;
  /** --label. */
  label?: string;
}

/** A run's files: the three every run has, and optional ones; large ones come in pieces (written without one giant string). */
export type ResultFiles = {
  "manifest.json": string;
  "summary.json": string;
  "timeseries.csv": string;
  "columns.json": string;
  "annotations.json"?: string;
} & Record<string, FileContent>;

export interface RunMeta {
  scenarioFile: string;
  /** The variant's name or the sweep point's label ("" for a single run): the `variant` column of timeseries.csv. */
  variant?: string;
  /** Recorded in the manifest, so two runs differing only by --set can be told apart. */
  invocation?: Invocation;
  /** False if the run was stopped before its end (Ctrl-C). */
  complete: boolean;
  wall?: WallStats;
}

export function resultFiles(simulation: Simulation, meta: RunMeta): ResultFiles {
  const { summary, timeSeries } = simulation.finish();
  const scenario: Scenario = simulation.scenario;
  const events = simulation.sim.eventsRun;
  const wall = meta.wall;
  const extra: Record<string, FileContent> = simulation.observerFiles();
  const downloads = simulation.downloadRows();
  if (downloads) extra["downloads.csv"] = toCsv(downloads.map((row) => ({ scenario: scenario.name, variant: meta.variant ?? "", seed: scenario.seed, ...row })));
  const overlayResults = simulation.overlay.results?.();
  if (overlayResults) extra["overlay.json"] = toJson(overlayResults);
  const annotations = [...serviceAnnotations(scenario, simulation.sim.now), ...simulation.faultAnnotations].sort((a, b) => a.time_s - b.time_s);
  if (annotations.length > 0) extra["annotations.json"] = toJson(annotations);
  const manifest = {
    peerlab: VERSION,
    scenarioFile: meta.scenarioFile,
    name: scenario.name,
    seed: scenario.seed,
    complete: meta.complete,
    ...(meta.invocation?.label !== undefined ? { label: meta.invocation.label } : {}),
    ...(meta.invocation ? { commandLine: { overrides: meta.invocation.overrides, ...(meta.invocation.seed !== undefined ? { seed: meta.invocation.seed } : {}) } } : {}),
    simulatedSeconds: simulation.sim.now / 1000,
    files: ["manifest.json", "summary.json", "timeseries.csv", "columns.json", ...Object.keys(extra)],
    scenario: manifestScenario(scenario),
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
    // Tidy: every row says which run it is, so the CSVs of many runs concatenate without parsing folder names.
    "timeseries.csv": toCsv(timeSeries.map((row) => ({ scenario: scenario.name, variant: meta.variant ?? "", seed: scenario.seed, ...row }))),
    "columns.json": toJson(simulation.columns()),
    ...extra,
  };
}

/** A fault event for the viewer's time axes (annotations.json). */
export interface Annotation {
  time_s: number;
  kind: string;
  label: string;
  until_s?: number;
}

/** Outages and restarts of the overlay's service peers (e.g. a hybrid index server) that happened before `endMs`. */
function serviceAnnotations(scenario: Scenario, endMs: number): Annotation[] {
  const specs = findOverlay(scenario.overlay.type)?.services?.(scenario.overlay) ?? [];
  const out: Annotation[] = [];
  for (const spec of specs) {
    for (const o of spec.outages ?? []) {
      const name = spec.count > 1 ? `${spec.role} server ${o.index + 1}` : `${spec.role} server`;
      if (o.atMs < endMs) out.push({ time_s: round3(o.atMs / 1000), kind: "outage", label: `${name} down` });
      if (o.restartAtMs !== undefined && o.restartAtMs < endMs) out.push({ time_s: round3(o.restartAtMs / 1000), kind: "restart", label: `${name} back up` });
    }
  }
  return out.sort((a, b) => a.time_s - b.time_s);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The scenario as the manifest records it: a replayed churn trace by its file and size, not its every row. */
function manifestScenario(scenario: Scenario): Scenario {
  const churn = scenario.churn;
  if (churn.model !== "trace" || !churn.trace) return scenario;
  const { trace, ...rest } = churn;
  return { ...scenario, churn: { ...rest, traceEvents: trace.timeMs.length, tracePeers: trace.peers } as Scenario["churn"] };
}
