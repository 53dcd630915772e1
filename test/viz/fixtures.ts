import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startViewServer, type ViewServer } from "../../sim/cli/serve.js";
import { resolveRoots } from "../../sim/cli/serve-index.js";
import { writeFolder } from "../../sim/metrics/writers.js";
import { resultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { CHROMIUM_ARGS, chromiumPath } from "../helpers/browser.js";

/**
 * Real results folders for the viewer's tests, from small, fast runs of
 * real scenarios: the three layouts the viewer reads (single runs, a
 * comparison with variant folders and comparison.csv, a sweep with
 * aggregate.csv) plus a run whose folder name is HTML.
 */

export const DIST_VIZ = join(import.meta.dirname, "..", "..", "dist", "viz");

const SMALL = `
seed: 3
duration: 4m
peers: { count: 40, joinOver: 20s }
network: { latency: { model: lognormal, median: 40ms, sigma: 0.5, min: 5ms } }
churn: { model: sessions, session: { distribution: exponential, mean: 20m }, offline: { distribution: exponential, mean: 10m } }
workload: { keys: 200, lookups: { rate: 2/s }, timeout: 10s }
metrics: { warmup: 1m, interval: 20s, snapshots: { at: [2m, 3m] }, traceLookups: 5 }
`;

const OVERLAYS: Record<string, string> = {
  chord: `overlay: { type: chord, bootstrap: join, stabilizeInterval: 5s, fixFingersInterval: 5s, checkPredecessorInterval: 5s }\nfaults: [{ kind: partition, at: 100s, until: 140s, groups: 2 }]`,
  flood: `overlay: { type: unstructured, degree: 4, search: { method: flood, ttl: 3 } }`,
  hybrid: `overlay: { type: hybrid, mode: central, keepAliveInterval: 20s, index: { servers: 1, serviceRate: 1000/s, failures: [{ at: 150s, restartAt: 190s }] } }`,
};

export interface Fixture {
  dir: string;
  results: string;
  /** Rows of each single run's timeseries.csv, by name. */
  rows: Record<string, number>;
}

function run(name: string, dir: string): void {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\n${SMALL}${OVERLAYS[name]}\n`);
  const simulation = new Simulation(loadScenario(file));
  simulation.runToEnd();
  writeFolder(join(dir, "results", name, "seed-3"), resultFiles(simulation, { scenarioFile: file, complete: true }), false);
}

export function makeResults(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "peerlab-viz-"));
  const results = join(dir, "results");
  mkdirSync(results);
  for (const name of Object.keys(OVERLAYS)) run(name, dir);
  // A comparison: variant folders and comparison.csv (variant first, other columns read from the header).
  const cmp = join(results, "cmp", "seed-3");
  mkdirSync(cmp, { recursive: true });
  cpSync(join(results, "chord", "seed-3"), join(cmp, "chord"), { recursive: true });
  cpSync(join(results, "flood", "seed-3"), join(cmp, "flood"), { recursive: true });
  writeFileSync(join(cmp, "comparison.csv"), "variant,overlay,success_ratio,messages_per_lookup\nchord,chord,0.91,8.2\nflood,unstructured,0.97,120.5\n");
  // A sweep: aggregate.csv with the grid parameter leading, <metric>_mean / _ci95_low / _ci95_high.
  const sweep = join(results, "sweep");
  mkdirSync(join(sweep, "runs", "p0"), { recursive: true });
  cpSync(join(results, "flood", "seed-3"), join(sweep, "runs", "p0", "seed-1"), { recursive: true });
  writeFileSync(
    join(sweep, "aggregate.csv"),
    "point,overlay.degree,runs,success_ratio_mean,success_ratio_sd,success_ratio_ci95_low,success_ratio_ci95_high\n0,2,3,0.5,0.1,0.4,0.6\n1,4,3,0.8,0.05,0.75,0.85\n2,8,3,0.95,0.02,0.93,0.97\n",
  );
  writeFileSync(join(sweep, "runs.csv"), "point,overlay.degree,replication,seed,success_ratio\n0,2,0,1,0.5\n");
  writeFileSync(join(sweep, "sweep.json"), JSON.stringify({ grid: { "overlay.degree": [2, 4, 8] } }));
  // A run whose folder name is markup: it must show as text.
  cpSync(join(results, "flood", "seed-3"), join(results, "<img src=x onerror=window.__pwned=1>"), { recursive: true });
  const rows: Record<string, number> = {};
  for (const name of Object.keys(OVERLAYS)) rows[name] = countRows(join(results, name, "seed-3", "timeseries.csv"));
  return { dir, results, rows };
}


export { CHROMIUM_ARGS, chromiumPath };

function countRows(file: string): number {
  return readFileSync(file, "utf8").trim().split("\n").length - 1;
}

/** A scenario run in-process, its folder served as `peerlab view` serves it, and a Chromium to look with. */
export interface ServedRun {
  dir: string;
  view: ViewServer;
  browser: Browser;
  /** The run's overlay.json, parsed. */
  overlay: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Runs the scenario `yaml` (named `name`, whose seed is `seed`) in a fresh
 * temporary folder, writes its results to results/<name>/seed-<seed>/, and
 * starts the view server and a browser: what the overlay-panel tests share.
 */
export async function serveRun(name: string, yaml: string, seed: number, browserPath: string): Promise<ServedRun> {
  const dir = mkdtempSync(join(tmpdir(), `peerlab-viz-${name}-`));
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const simulation = new Simulation(loadScenario(file));
  simulation.runToEnd();
  const files = resultFiles(simulation, { scenarioFile: file, complete: true });
  const overlayFile = files["overlay.json"]!;
  const overlay = JSON.parse(typeof overlayFile === "string" ? overlayFile : overlayFile.join("")) as Record<string, unknown>;
  writeFolder(join(dir, "results", name, `seed-${seed}`), files, false);
  const view = await startViewServer(resolveRoots([join(dir, "results")]), { viz: DIST_VIZ });
  const browser = await chromium.launch({ executablePath: browserPath, args: CHROMIUM_ARGS });
  const close = async () => {
    await browser.close();
    await view.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, view, browser, overlay, close };
}

/** A fresh page of the viewer at `url` in `locale`, ready; `errors` collects the page's uncaught errors. */
export async function openViewer(browser: Browser, url: string, locale: string, width = 1400) {
  const context = await browser.newContext({ locale, viewport: { width, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector("main[data-ready]");
  return { context, page, errors };
}
