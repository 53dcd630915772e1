import { type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ViewServer } from "../../sim/cli/serve.js";
import { chromiumPath, openViewer, serveRun, type ServedRun } from "./fixtures.js";

/** The fork tree and time-to-coverage chart of a blockchain run, in a real browser, in English and Korean. */

const browserPath = chromiumPath();
const SCENARIO = `name: forks
seed: 2
duration: 20m
peers: { count: 30 }
network: { latency: { model: constant, delay: 50ms } }
overlay: { type: blockchain, mining: { interval: 5s }, blockSize: 100000 }
workload: { lookups: { count: 0 } }
metrics: { warmup: 1m, interval: 5m }
`;

describe.runIf(browserPath !== undefined)("viewer: blockchain runs", () => {
  let served: ServedRun;
  let view: ViewServer;
  let browser: Browser;
  let blocks: { height: number; fate: string }[];

  beforeAll(async () => {
    served = await serveRun("forks", SCENARIO, 2, browserPath!);
    ({ view, browser } = served);
    blocks = served.overlay.blocks as { height: number; fate: string }[];
  });

  afterAll(async () => {
    await served?.close();
  });

  for (const [locale, title, stale] of [
    ["en-US", "Fork tree", "stale"],
    ["ko-KR", "포크 트리", "스테일"],
  ] as const) {
    it(`draws every block of the last heights, forks below the main chain (${locale})`, async () => {
      const { context, page, errors } = await openViewer(browser, view.url, locale);
      expect(errors).toEqual([]);
      const headings = await page.$$eval("section.block h2", (hs) => hs.map((h) => h.textContent));
      expect(headings).toContain(title);
      const top = Math.max(...blocks.map((b) => b.height));
      const expected = blocks.filter((b) => b.height > top - 80);
      expect(await page.$$eval(".fork-tree circle", (cs) => cs.length)).toBe(expected.length);
      expect(expected.some((b) => b.fate === "stale")).toBe(true);
      const titles = await page.$$eval(".fork-tree circle title", (ts) => ts.map((t) => t.textContent ?? ""));
      expect(titles.filter((t) => t.includes(stale)).length).toBe(expected.filter((b) => b.fate === "stale").length);
      // The coverage chart has one curve for the run: 0, then 50, 90 and 100 %.
      expect(await page.$$eval("section.block svg polyline", (ps) => ps.map((p) => p.getAttribute("points")!.split(" ").length))).toEqual([4]);
      await context.close();
    });
  }
});
