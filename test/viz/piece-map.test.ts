import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startViewServer, type ViewServer } from "../../sim/cli/serve.js";
import { resolveRoots } from "../../sim/cli/serve-index.js";
import { runPeerlab } from "../helpers/cli.js";
import { CHROMIUM_ARGS, chromiumPath, DIST_VIZ } from "./fixtures.js";

/** The BitTorrent piece map in a real browser, from a small run's overlay.json. */

const browserPath = chromiumPath();

/** A tiny swarm (6 peers, a 512 KiB file) with `overlayExtra` in its overlay line and `extraLines` after. */
function swarmScenario(name: string, overlayExtra: string, extraLines: string[] = []): string {
  return [
    `name: ${name}`,
    "duration: 5m",
    "peers: { count: 6, joinOver: 0s }",
    "network:",
    "  latency: { model: constant, delay: 20ms }",
    '  bandwidth: { model: maxmin, links: { upload: "40kB/s", download: "400kB/s" } }',
    `overlay: { type: bittorrent, ${overlayExtra}torrent: { size: 512KiB, pieceSize: 64KiB } }`,
    "workload: { lookups: { count: 0 } }",
    "metrics: { warmup: 0s }",
    ...extraLines,
  ].join("\n");
}

/** Runs the scenario in a fresh folder and serves its results to a fresh Chromium. */
async function runAndView(prefix: string, file: string, yaml: string): Promise<{ dir: string; view: ViewServer; browser: Browser }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, file), yaml);
  expect(runPeerlab(dir, "run", file).code).toBe(0);
  const view = await startViewServer(resolveRoots([join(dir, "results")]), { viz: DIST_VIZ });
  const browser = await chromium.launch({ executablePath: browserPath!, args: CHROMIUM_ARGS });
  return { dir, view, browser };
}

describe.runIf(browserPath !== undefined)("viewer: BitTorrent piece map", () => {
  let dir: string;
  let view: ViewServer;
  let browser: Browser;

  beforeAll(async () => {
    ({ dir, view, browser } = await runAndView("peerlab-piecemap-", "bt.yaml", swarmScenario("bt", "")));
  });

  afterAll(async () => {
    await browser?.close();
    await view?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("draws one cell per peer and piece, coloured by when the peer got it, titled in Korean too", async () => {
    const overlay = JSON.parse(readFileSync(join(dir, "results", "bt", "seed-1", "overlay.json"), "utf8"));
    expect(overlay.pieceMap).toHaveLength(6);
    for (const lang of ["en-US", "ko-KR"]) {
      const context = await browser.newContext({ locale: lang, viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(view.url);
      await page.waitForSelector("main[data-ready]");
      expect(errors).toEqual([]);
      expect(await page.locator("#piece-map rect[height]").count()).toBeGreaterThanOrEqual(6 * 8);
      // Every peer finished: no grey (never received) cell.
      expect(await page.locator('#piece-map rect[fill="#ddd"]').count()).toBe(0);
      expect(await page.locator("#piece-map h2").textContent()).toBe(lang === "ko-KR" ? "조각 지도" : "Piece map");
      await context.close();
    }
  });
});

describe.runIf(browserPath !== undefined)("viewer: a swarm against a server, compared", () => {
  let dir: string;
  let view: ViewServer;
  let browser: Browser;

  beforeAll(async () => {
    const variants = ["variants:", "  - name: swarm", "  - name: server", "    set: { overlay.mode: client-server }"];
    ({ dir, view, browser } = await runAndView("peerlab-swarm-cmp-", "cmp.yaml", swarmScenario("cmp", "execution: rounds, ", variants)));
  });

  afterAll(async () => {
    await browser?.close();
    await view?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("leads with download times, not lookup or maintenance figures (the runs have no lookups)", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(view.url);
    await page.waitForSelector("main[data-ready]");
    const charts = await page.locator('section.story figure[data-chart^="cmp-"]').evaluateAll((fs) => fs.map((f) => f.getAttribute("data-chart")));
    expect(charts.slice(0, 4)).toEqual(["cmp-download_time_mean_ms", "cmp-distribution_time_s", "cmp-t_over_t_min", "cmp-upload_utilisation_mean"]);
    expect(charts).not.toContain("cmp-success_ratio");
    // The swarm (rounds) beats the server: its bar is the shorter one.
    const labels = await page.locator('figure[data-chart="cmp-download_time_mean_ms"] text.value-label').allTextContents();
    const [swarm, server] = labels.map((l) => Number(l.replace(/[^0-9.]/g, "")));
    expect(swarm).toBeLessThan(server!);
    await context.close();
  });
});
