import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startViewServer, type ViewServer } from "../../sim/cli/serve.js";
import { resolveRoots } from "../../sim/cli/serve-index.js";
import { writeFolder } from "../../sim/metrics/writers.js";
import { resultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { CHROMIUM_ARGS, chromiumPath, DIST_VIZ } from "./fixtures.js";

/** The IPFS panel (viz/src/ipfs-panel.ts) on a real IPFS run, in chromium: one mark per record holder and per copy of the chosen file. */

const browserPath = chromiumPath();

describe.runIf(browserPath !== undefined)("viewer: the IPFS panel", () => {
  let dir: string;
  let results: string;
  let view: ViewServer;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "peerlab-ipfs-viz-"));
    const file = join(dir, "ipfs-small.yaml");
    writeFileSync(
      file,
      [
        "name: ipfs-small",
        "seed: 2",
        "duration: 3m",
        "peers: { count: 60 }",
        "network: { latency: { model: constant, delay: 20ms } }",
        "overlay: { type: ipfs, bootstrap: oracle, dht: { k: 6 }, pinning: { policy: both, services: 1 } }",
        "workload: { keys: 10, fileSize: 600kB, lookups: { rate: 1/s }, timeout: 30s }",
        "metrics: { warmup: 1m, interval: 30s }",
      ].join("\n"),
    );
    const simulation = new Simulation(loadScenario(file));
    simulation.runToEnd();
    results = join(dir, "results");
    writeFolder(join(results, "ipfs-small", "seed-2"), resultFiles(simulation, { scenarioFile: file, complete: true }), false);
    view = await startViewServer(resolveRoots([results]), { viz: DIST_VIZ });
    browser = await chromium.launch({ executablePath: browserPath!, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await view?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("draws where file 0's provider records and copies are, with the run's timings, in English and Korean", async () => {
    const overlay = JSON.parse(readFileSync(join(results, "ipfs-small", "seed-2", "overlay.json"), "utf8"));
    const first = overlay.files[0];
    for (const [locale, title] of [
      ["en-US", "IPFS: where a file lives"],
      ["ko-KR", "IPFS: 파일은 어디에 있나"],
    ] as const) {
      const context = await browser.newContext({ locale, viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(view.url);
      await page.waitForSelector("main[data-ready]");
      await expect(page.locator("section#ipfs h2").textContent()).resolves.toBe(title);
      const figure = page.locator('section#ipfs figure[data-chart="ipfs-file"]');
      // Records above the line, copies below; the creator and the service both pin it.
      await expect(figure.locator("circle").count()).resolves.toBe(first.providerRecords.length + first.holders.length);
      expect(first.holders.filter((h: { pinned: boolean }) => h.pinned).length).toBe(2);
      await expect(page.locator("section#ipfs table tr").count()).resolves.toBe(6);
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});
