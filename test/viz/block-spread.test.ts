import { join } from "node:path";
import { type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ViewServer } from "../../sim/cli/serve.js";
import { screenshotFolder } from "../helpers/browser.js";
import { chromiumPath, openViewer, serveRun, type ServedRun } from "./fixtures.js";

/**
 * The block-spread panel in a real browser: 40 nodes on a three-region
 * latency map, the sample blocks' spread replayed with the time slider, in
 * English and Korean. PEERLAB_SCREENSHOTS=dir saves a picture per language (helpers/browser.ts).
 */

const browserPath = chromiumPath();
const SCENARIO = `name: spread
seed: 4
duration: 20m
peers: { count: 40 }
network:
  latency:
    model: regions
    base: 5ms
    jitter: 10ms
    regions:
      - { name: north-america, share: 0.4, x: 0, y: 0, radius: 25 }
      - { name: europe, share: 0.4, x: 45, y: 0, radius: 15 }
      - { name: asia, share: 0.2, x: 110, y: 40, radius: 30 }
overlay: { type: blockchain, mining: { interval: 5s }, blockSize: 1000000 }
workload: { lookups: { count: 0 } }
metrics: { warmup: 1m, interval: 5m }
`;

interface Block {
  id: number;
  fate: string;
  heardMs: string;
  verifiedMs: string;
}

const times = (packed: string) => packed.split(",").map((v) => (v === "" ? Infinity : Number(v)));
const upTo = (packed: string, ms: number) => times(packed).filter((x) => x <= ms).length;

async function setTime(page: Page, ms: number): Promise<void> {
  await page.$eval(
    "#spread-time",
    (el, v) => {
      (el as HTMLInputElement).value = String(v);
      el.dispatchEvent(new Event("input"));
    },
    ms,
  );
}

const states = (page: Page) =>
  page.$$eval(".spread-node", (cs) => {
    const count: Record<string, number> = {};
    for (const c of cs) count[c.getAttribute("data-state")!] = (count[c.getAttribute("data-state")!] ?? 0) + 1;
    return count;
  });

describe.runIf(browserPath !== undefined)("viewer: a block's spread on the map", () => {
  let served: ServedRun;
  let view: ViewServer;
  let browser: Browser;
  let blocks: Block[];

  beforeAll(async () => {
    served = await serveRun("spread", SCENARIO, 4, browserPath!);
    ({ view, browser } = served);
    blocks = (served.overlay.spread as { blocks: Block[] }).blocks;
  });

  afterAll(async () => {
    await served?.close();
  });

  it("keeps the first three main-chain blocks, the first stale block and the block that beat it", () => {
    expect(blocks.map((b) => [b.id, b.fate])).toEqual([
      [1, "main"],
      [2, "main"],
      [3, "main"],
      [24, "stale"],
      [25, "main"],
    ]);
  });

  for (const [locale, title, heardLabel] of [
    ["en-US", "A block's spread: every node verifies", "heard, not verified"],
    ["ko-KR", "블록의 전파: 모든 노드가 검증합니다", "소식 들음, 검증 전"],
  ] as const) {
    it(`lights nodes as the slider moves, rings before verified (${locale})`, async () => {
      const { context, page, errors } = await openViewer(browser, view.url, locale, 1480);
      await page.waitForSelector("#block-spread .spread-node");
      expect(errors).toEqual([]);
      expect(await page.$eval("#block-spread h2", (h) => h.textContent)).toBe(title);
      expect(await page.$$eval("#block-spread .region-label", (ts) => ts.map((t) => t.textContent))).toEqual(["north-america", "europe", "asia"]);
      expect(await page.$$eval("#block-spread .legend-item text", (ts) => ts.map((t) => t.textContent))).toContain(heardLabel);
      const first = blocks[0]!;
      // Opens at the end of the spread: every node has verified block 1.
      expect(await states(page)).toEqual({ verified: 40 });
      // 200 ms after mining: some nodes have only heard of it (inv sent, block on its way or being verified).
      await setTime(page, 200);
      expect(await states(page)).toEqual({ verified: upTo(first.verifiedMs, 200), heard: upTo(first.heardMs, 200) - upTo(first.verifiedMs, 200), unknown: 40 - upTo(first.heardMs, 200) });
      expect([upTo(first.heardMs, 200), upTo(first.verifiedMs, 200)]).toEqual([27, 6]);
      expect(await page.$eval("#spread-counts", (p) => [p.getAttribute("data-heard"), p.getAttribute("data-verified")])).toEqual(["27", "6"]);
      await setTime(page, 400);
      expect([upTo(first.heardMs, 400), upTo(first.verifiedMs, 400)]).toEqual([40, 27]);
      expect(await states(page)).toEqual({ verified: 27, heard: 13 });
      // The stale block: pick it, and the map's title says so.
      const stale = blocks.findIndex((b) => b.fate === "stale");
      await page.selectOption("#spread-block", String(stale));
      await page.waitForFunction((id) => document.querySelector("#block-spread svg .svg-title")?.textContent?.includes(`#${id}`), blocks[stale]!.id);
      expect(await page.$eval("#block-spread svg .svg-title", (t) => t.textContent)).toContain(locale === "en-US" ? "stale" : "스테일");
      await setTime(page, 300);
      const s = blocks[stale]!;
      expect(await page.$eval("#spread-counts", (p) => [Number(p.getAttribute("data-heard")), Number(p.getAttribute("data-verified"))])).toEqual([upTo(s.heardMs, 300), upTo(s.verifiedMs, 300)]);
      // Play replays the spread from 0 to the last node verifying.
      await setTime(page, 0);
      expect(await states(page)).toEqual({ verified: 1, unknown: 39 });
      // Play steps every 50 ms for 100 steps: the page's clock is run forward instead of waited for.
      await page.clock.install();
      await page.click("#spread-play");
      await page.clock.runFor(5_100);
      expect(await page.$eval("#spread-counts", (p) => [Number(p.getAttribute("data-heard")), Number(p.getAttribute("data-verified"))])).toEqual([
        times(s.heardMs).filter(Number.isFinite).length,
        times(s.verifiedMs).filter(Number.isFinite).length,
      ]);
      // Back to block 1 half-way, for the picture.
      await page.selectOption("#spread-block", "0");
      await page.waitForFunction(() => document.querySelector("#block-spread svg .svg-title")?.textContent?.includes("#1"));
      await setTime(page, 300);
      const shots = screenshotFolder("block-spread");
      if (shots) {
        await page.$eval("#block-spread", (el) => el.scrollIntoView());
        await page.screenshot({ path: join(shots, `block-spread-${locale}.png`) });
      }
      await context.close();
    });
  }
});

describe.runIf(browserPath !== undefined)("viewer: a block's spread without a map", () => {
  let served: ServedRun;
  let view: ViewServer;
  let browser: Browser;

  beforeAll(async () => {
    const withoutMap = SCENARIO.replace(/network:[\s\S]*?(?=overlay:)/, "network: { latency: { model: constant, delay: 50ms } }\n").replace("name: spread", "name: forks");
    served = await serveRun("forks", withoutMap, 4, browserPath!);
    ({ view, browser } = served);
  });

  afterAll(async () => {
    await served?.close();
  });

  it("lays nodes out by when they verified, the miner in the middle, and says so", async () => {
    const { context, page, errors } = await openViewer(browser, view.url, "en-US", 1480);
    await page.waitForSelector("#block-spread .spread-node");
    expect(errors).toEqual([]);
    expect(await page.$eval("#block-spread p.muted", (p) => p.textContent)).toContain("has no map");
    expect(await page.$$eval("#block-spread .region-label", (ts) => ts.length)).toBe(0);
    const { centre, miner } = await page.$eval("#block-spread svg", (svg) => {
      const box = svg.querySelector("rect[fill='#fafafa']")!;
      // The miner's dot is the one at 0 s; its ring is the circle drawn right after the dots.
      const ring = svg.querySelector(".spread-nodes")!.nextElementSibling!;
      const w = Number(box.getAttribute("width"));
      const h = Number(box.getAttribute("height"));
      return { centre: [w / 2, h / 2], miner: [Number(ring.getAttribute("cx")), Number(ring.getAttribute("cy"))] };
    });
    expect(Math.hypot(miner[0]! - centre[0]!, miner[1]! - centre[1]!)).toBeLessThan(1);
    expect(await page.$$eval(".spread-node", (cs) => cs.length)).toBe(40);
    await context.close();
  });
});
