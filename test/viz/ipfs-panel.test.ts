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
import { screenshotFolder } from "../helpers/browser.js";
import { CHROMIUM_ARGS, chromiumPath, DIST_VIZ, openViewer } from "./fixtures.js";

/**
 * The IPFS panel (viz/src/ipfs-panel.ts) on a real IPFS run, in chromium: one
 * mark per record holder and per copy of the chosen file; and a traced
 * retrieval replayed in the topology view, its block transfers included.
 */

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
        "metrics: { warmup: 1m, interval: 30s, snapshots: { at: [2m] }, traceLookups: 4 }",
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
      const { context, page, errors } = await openViewer(browser, view.url, locale);
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

  it("replays a traced retrieval step by step, with its block transfers (start, then arrival), in English and Korean", async () => {
    const traces = readFileSync(join(results, "ipfs-small", "seed-2", "traces.json"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith('{"lookup"'))
      .map((line) => JSON.parse(line.replace(/,$/, "")) as { messages: { from: number; to: number; type: string; timeMs: number }[] });
    // The first traced retrieval that fetched a block from another peer.
    const index = traces.findIndex((l) => l.messages.some((m) => m.type === "blockArrived"));
    expect(index).toBeGreaterThanOrEqual(0);
    const messages = traces[index]!.messages;
    const start = messages.findIndex((m) => m.type === "block");
    const arrival = messages.findIndex((m) => m.type === "blockArrived");
    // A block is asked for with WANT_BLOCK, starts moving, and arrives later over the same pair.
    expect(messages.slice(0, start).some((m) => m.type === "wantBlock")).toBe(true);
    expect(arrival).toBeGreaterThan(start);
    expect([messages[arrival]!.from, messages[arrival]!.to]).toEqual([messages[start]!.from, messages[start]!.to]);
    expect(messages[arrival]!.timeMs).toBeGreaterThan(messages[start]!.timeMs);
    for (const [locale, arrived] of [
      ["en-US", `Block arrived from peer ${messages[arrival]!.from} to peer ${messages[arrival]!.to}`],
      ["ko-KR", `블록 도착, 피어 ${messages[arrival]!.from} → 피어 ${messages[arrival]!.to}`],
    ] as const) {
      const { context, page, errors } = await openViewer(browser, view.url, locale);
      await page.locator("#replay-lookup").selectOption(String(index));
      const status = page.locator("#replay-status");
      // Step by step to the arrival (clicked in the page: one round trip, not one per step).
      await page.evaluate((steps) => {
        for (let i = 0; i < steps; i++) (document.querySelector("#replay-step") as HTMLButtonElement).click();
      }, arrival + 1);
      expect(await status.getAttribute("data-step")).toBe(String(arrival + 1));
      expect(await status.textContent()).toContain(arrived);
      const shots = screenshotFolder("ipfs-panel");
      if (shots) {
        // The sticky header would cover the top of an element screenshot.
        await page.addStyleTag({ content: "header.top { position: static; }" });
        await page.locator("#topology").screenshot({ path: join(shots, `replay-${locale}.png`) });
      }
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});
