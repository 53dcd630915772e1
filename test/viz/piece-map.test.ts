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

describe.runIf(browserPath !== undefined)("viewer: BitTorrent piece map", () => {
  let dir: string;
  let view: ViewServer;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "peerlab-piecemap-"));
    writeFileSync(
      join(dir, "bt.yaml"),
      [
        "name: bt",
        "duration: 5m",
        "peers: { count: 6, joinOver: 0s }",
        "network:",
        "  latency: { model: constant, delay: 20ms }",
        '  bandwidth: { model: maxmin, links: { upload: "40kB/s", download: "400kB/s" } }',
        "overlay: { type: bittorrent, torrent: { size: 512KiB, pieceSize: 64KiB } }",
        "workload: { lookups: { count: 0 } }",
        "metrics: { warmup: 0s }",
      ].join("\n"),
    );
    expect(runPeerlab(dir, "run", "bt.yaml").code).toBe(0);
    view = await startViewServer(resolveRoots([join(dir, "results")]), { viz: DIST_VIZ });
    browser = await chromium.launch({ executablePath: browserPath!, args: CHROMIUM_ARGS });
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
