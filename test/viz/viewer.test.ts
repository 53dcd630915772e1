import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportCommand } from "../../sim/cli/report-command.js";
import { startViewServer, type ViewServer } from "../../sim/cli/serve.js";
import { resolveRoots } from "../../sim/cli/serve-index.js";
import { screenshotFolder } from "../helpers/browser.js";
import { CHROMIUM_ARGS, chromiumPath, DIST_VIZ, makeResults, type Fixture } from "./fixtures.js";

/**
 * The viewer in a real browser (Debian's chromium, driven by playwright-core)
 * on real results: what a person sees. Without chromium these tests are
 * skipped with a notice, except under CI=true, where that is a failure.
 */

const browserPath = chromiumPath();
const shots = screenshotFolder("viewer");
if (!browserPath) {
  console.warn("test/viz: chromium not found at /usr/bin/chromium; browser tests skipped (apt-get install -y chromium).");
}

describe.runIf(!browserPath && process.env.CI === "true")("viewer in CI", () => {
  it("needs chromium", () => {
    expect.fail("CI=true but /usr/bin/chromium is missing: .ci/run installs it with apt-get install -y chromium");
  });
});

describe.runIf(browserPath !== undefined)("viewer in chromium", () => {
  let fx: Fixture;
  let view: ViewServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fx = makeResults();
    view = await startViewServer(resolveRoots([fx.results]), { viz: DIST_VIZ });
    browser = await chromium.launch({ executablePath: browserPath!, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await view?.close();
    if (fx) rmSync(fx.dir, { recursive: true, force: true });
  });

  async function open(url: string, lang = "en-US"): Promise<Page> {
    const context = await browser.newContext({ locale: lang, viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    const p = await context.newPage();
    const errors: string[] = [];
    p.on("pageerror", (e) => errors.push(e.message));
    await p.goto(url);
    await p.waitForSelector("main[data-ready]");
    expect(errors).toEqual([]);
    return p;
  }

  /** Ticks exactly the runs whose folders are given, waiting for each redraw. */
  async function select(p: Page, labels: string[]): Promise<void> {
    const runs = await p.$$eval("input[data-run]", (els) =>
      els.map((e) => ({ id: (e as HTMLInputElement).dataset.run!, label: (e.parentElement as HTMLElement).title, checked: (e as HTMLInputElement).checked })),
    );
    for (const r of runs) {
      if (labels.includes(r.label) === r.checked) continue;
      const ready = await p.getAttribute("main", "data-ready");
      await p.locator(`input[data-run="${r.id.replace(/"/g, '\\"')}"]`).click();
      await p.waitForFunction((before) => document.querySelector("main")!.dataset.ready !== before, ready);
    }
    await p.waitForTimeout(50);
  }

  it("overlays the runs of a comparison: one series per variant, one point per interval, a legend", async () => {
    page = await open(view.url);
    // The comparison is selected by default.
    const chart = page.locator('figure[data-chart="ts-success_ratio"]');
    await expect(chart.locator("path.series").count()).resolves.toBe(2);
    const points = await chart.locator("path.series").evaluateAll((ps) => ps.map((p) => Number(p.getAttribute("data-points"))));
    const csv = readFileSync(join(fx.results, "chord", "seed-3", "timeseries.csv"), "utf8").trim().split("\n");
    const col = csv[0]!.split(",").indexOf("success_ratio");
    const expected = csv.slice(1).filter((line) => line.split(",")[col] !== "").length;
    expect(points[0]).toBe(expected);
    expect(await chart.locator("circle.point").count()).toBe(points[0]! + points[1]!);
    expect(await chart.locator(".legend-item text").allTextContents()).toEqual(["chord", "flood"]);
    expect(await chart.locator(".axis-label").allTextContents()).toEqual(["Simulated time (s)", "Lookup success ratio (%)"]);
    // The other headline charts, the CDF (101 quantiles per run), the hop histogram and the summary bars.
    for (const id of ["ts-latency_p50_ms", "ts-latency_p99_ms", "ts-hops_mean", "ts-messages_per_peer_per_s", "ts-live_peers"]) {
      expect(await page.locator(`figure[data-chart="${id}"] path.series`).count(), id).toBe(2);
    }
    const cdf = page.locator('figure[data-chart="latency-cdf"] path.series');
    // Latencies span decades, so the CDF's x axis is logarithmic and starts at the first latency above 0.
    const positive = ["chord", "flood"].map((n) => String(JSON.parse(readFileSync(join(fx.results, n, "seed-3", "summary.json"), "utf8")).lookups.latencyMs.quantiles.filter((q: number) => q > 0).length));
    expect(await cdf.evaluateAll((ps) => ps.map((p) => p.getAttribute("data-points")))).toEqual(positive);
    expect(await page.locator('figure[data-chart="latency-cdf"] button.scale-toggle').getAttribute("data-log")).toBe("true");
    expect(await page.locator('figure[data-chart="hop-histogram"] .legend-item').count()).toBe(2);
    // comparison.csv first: small multiples, one bar per variant with its value printed, and the table with readable headings.
    expect(await page.locator("main section").first().getAttribute("id")).toBe("story-head");
    expect(await page.locator('figure[data-chart="cmp-success_ratio"] rect.bar').count()).toBe(2);
    expect(await page.locator('figure[data-chart="cmp-success_ratio"] text.value-label').allTextContents()).toEqual(["91 %", "97 %"]);
    expect(await page.locator('figure[data-chart="cmp-messages_per_lookup"] text.value-label').allTextContents()).toEqual(["8.2", "120.5"]);
    expect(await page.locator("table.data tr").count()).toBe(3);
    expect(await page.locator("table.data th").allTextContents()).toEqual(["Variant", "Overlay", "Lookup success (%)", "Messages per lookup (messages)"]);
    // Each overlay keeps its colour: Chord green, flooding blue, in the bars as in the time series.
    expect(await page.locator('figure[data-chart="cmp-success_ratio"] rect.bar').evaluateAll((rs) => rs.map((r) => r.getAttribute("fill")))).toEqual(["#2a9d55", "#2f6db5"]);
    expect(await chart.locator("path.series").evaluateAll((ps) => ps.map((p) => p.getAttribute("stroke")))).toEqual(["#2a9d55", "#2f6db5"]);
    if (shots) {
      await chart.screenshot({ path: join(shots, "comparison-success-ratio.png") });
      await page.screenshot({ path: join(shots, "viewer.png"), fullPage: true });
      console.log(`test/viz: screenshots in ${shots}`);
    }
  });

  it("heads a run started with --label and --set with both, so it is not mistaken for the plain run", async () => {
    const tuned = join(fx.results, "tuned", "seed-3");
    cpSync(join(fx.results, "hybrid", "seed-3"), tuned, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(tuned, "manifest.json"), "utf8"));
    writeFileSync(join(tuned, "manifest.json"), JSON.stringify({ ...manifest, label: "fast ring", commandLine: { overrides: ["peers.count=40", "workload.timeout=5s"] } }));
    try {
      const p = await open(view.url);
      await select(p, ["hybrid/seed-3", "tuned/seed-3"]);
      expect(await p.locator("#story-head p.run-invocation").allTextContents()).toEqual(["run label: fast ring · changed on the command line: --set peers.count=40 --set workload.timeout=5s"]);
      expect(await p.locator("nav#sidebar .run-name").allTextContents()).toContain("hybrid / seed 3 / fast ring");
      await p.context().close();
    } finally {
      rmSync(join(fx.results, "tuned"), { recursive: true, force: true });
    }
  });

  it("draws a sweep's mean against its parameter with its band when the sweep is chosen", async () => {
    const ready = await page.getAttribute("main", "data-ready");
    await page.locator("nav button.group", { hasText: "Sweep" }).click();
    await page.waitForFunction((before) => document.querySelector("main")!.dataset.ready !== before, ready);
    const sweep = page.locator('figure[data-chart="sweep-success_ratio"]');
    expect(await sweep.locator("path.series").getAttribute("data-points")).toBe("3");
    expect(await sweep.locator("path.band").count()).toBe(1);
    await select(page, ["cmp/seed-3/chord", "cmp/seed-3/flood"]);
  });

  it("compares single runs in summary bars, success with its Wilson interval", async () => {
    await select(page, ["chord/seed-3", "flood/seed-3"]);
    const bars = page.locator('figure[data-chart="summary-lookups-successRatio"]');
    expect(await bars.locator("rect.bar").count()).toBe(2);
    expect(await bars.locator("path.whisker").count()).toBe(2);
    await select(page, ["cmp/seed-3/chord", "cmp/seed-3/flood"]);
  });

  it("shows a tooltip with the values under the mouse", async () => {
    const hover = page.locator('figure[data-chart="ts-success_ratio"] rect.hover');
    const box = (await hover.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    const tip = page.locator("#tooltip");
    await expect(tip.isVisible()).resolves.toBe(true);
    const text = await tip.textContent();
    expect(text).toContain("chord:");
    expect(text).toContain("flood:");
  });

  it("marks fault events on time axes", async () => {
    await select(page, ["hybrid/seed-3"]);
    const marks = page.locator('figure[data-chart="ts-success_ratio"] g.annotation');
    expect(await marks.count()).toBe(2);
    expect(await marks.locator("text").allTextContents()).toEqual(["index server down", "index server back up"]);
  });

  it("shades the window of a fault from the scenario's timeline", async () => {
    await select(page, ["chord/seed-3"]);
    const marks = page.locator('figure[data-chart="ts-success_ratio"] g.annotation');
    expect(await marks.locator("text").allTextContents()).toEqual(["network split", "partition healed"]);
    const window = marks.first().locator("rect.window");
    expect(await window.count()).toBe(1);
    // The shaded window spans 100 s to 140 s: as wide as the distance between the two lines.
    const [x1, x2] = await marks.locator("line").evaluateAll((ls) => ls.map((l) => Number(l.getAttribute("x1"))));
    expect(Number(await window.getAttribute("width"))).toBeCloseTo(x2! - x1!, 3);
  });

  /** Picks a language and waits for the page to be drawn again. */
  async function switchLang(p: Page, lang: string): Promise<void> {
    const ready = await p.getAttribute("main", "data-ready");
    await p.selectOption("#lang", lang);
    await p.waitForFunction((before) => document.querySelector("main")!.dataset.ready !== before, ready);
  }

  it("switches to Korean and back", async () => {
    await switchLang(page, "ko");
    expect(await page.locator("#title").textContent()).toBe("peerlab 뷰어");
    expect(await page.locator("#timeseries h2").textContent()).toBe("시계열");
    expect(await page.locator('figure[data-chart="ts-success_ratio"] .axis-label').first().textContent()).toBe("시뮬레이션 시간 (초)");
    await switchLang(page, "en");
    expect(await page.locator("#title").textContent()).toBe("peerlab viewer");
    expect(await page.locator("#timeseries h2").textContent()).toBe("Time series");
  });

  it("defaults to Korean for a Korean browser", async () => {
    const ko = await open(view.url, "ko-KR");
    expect(await ko.locator("#title").textContent()).toBe("peerlab 뷰어");
    await ko.context().close();
  });

  it("draws the topology and replays a traced lookup step by step", async () => {
    await select(page, ["chord/seed-3"]);
    const topo = page.locator("#topology");
    const snapshots = JSON.parse(readFileSync(join(fx.results, "chord", "seed-3", "snapshots.json"), "utf8")).snapshots;
    expect(await topo.locator("circle.node").count()).toBe(snapshots[0].peers.length);
    expect(await topo.locator('path.link[data-kind="successor"]').count()).toBe(1);
    // The timeline: scrub to the second snapshot.
    await page.locator("#timeline-next").click();
    await page.waitForFunction(() => document.querySelector(".timeline-now")?.textContent?.startsWith("Snapshot 2/2"));
    expect(await page.locator("#topology circle.node").count()).toBe(snapshots[1].peers.length);
    // Replay: each step adds one message arrow.
    const status = page.locator("#replay-status");
    expect(await status.getAttribute("data-step")).toBe("0");
    await page.locator("#replay-step").click();
    expect(await status.getAttribute("data-step")).toBe("1");
    expect(await status.textContent()).toMatch(/^Message 1 of \d+ at [\d.]+ s: [A-Z][a-z ]+ from peer \d+ to peer \d+/);
    expect(await page.locator("#topology line.msg").count()).toBe(1);
    await page.locator("#replay-step").click();
    expect(await page.locator("#topology line.msg").count()).toBe(2);
    await page.locator("#replay-back").click();
    expect(await status.getAttribute("data-step")).toBe("1");
    if (shots) await page.locator("#topology figure").screenshot({ path: join(shots, "topology.png") });
  });

  it("exports a chart as SVG and PNG", async () => {
    const fig = page.locator('figure[data-chart="ts-success_ratio"]');
    const [svg] = await Promise.all([page.waitForEvent("download"), fig.locator('button[data-export="svg"]').click()]);
    expect(svg.suggestedFilename()).toBe("ts-success_ratio.svg");
    const svgText = readFileSync((await svg.path())!, "utf8");
    expect(svgText).toMatch(/^<\?xml/);
    expect(svgText).toContain("Lookup success ratio");
    const [png] = await Promise.all([page.waitForEvent("download"), fig.locator('button[data-export="png"]').click()]);
    expect(png.suggestedFilename()).toBe("ts-success_ratio.png");
    const bytes = readFileSync((await png.path())!);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it("shows names from result files as text, never as markup", async () => {
    const name = "<img src=x onerror=window.__pwned=1>";
    await select(page, [name, "flood/seed-3"]);
    // Two copies of one run read the same: the legend falls back to their folders, as text.
    expect(await page.locator('figure[data-chart="ts-success_ratio"] .legend-item title').allTextContents()).toContain(name);
    expect(await page.locator("nav label", { hasText: name }).count()).toBe(1);
    expect(await page.locator("main img, nav img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("writes a report that opens from disk without a server", async () => {
    const out = join(fx.dir, "report.html");
    reportCommand({ dirs: [join(fx.results, "cmp"), join(fx.results, "hybrid")], out });
    const html = readFileSync(out, "utf8");
    expect(html).not.toMatch(/<script src=|<link rel="stylesheet"/);
    const context = await browser.newContext({ locale: "en-US" });
    const p = await context.newPage();
    const requests: string[] = [];
    p.on("request", (r) => requests.push(r.url()));
    await p.goto(pathToFileURL(out).href);
    await p.waitForSelector("main[data-ready]");
    expect(await p.locator('figure[data-chart="ts-success_ratio"] path.series').count()).toBe(2);
    expect(await p.locator('figure[data-chart="cmp-success_ratio"] rect.bar').count()).toBe(2);
    expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
    if (shots) await p.screenshot({ path: join(shots, "report.png") });
    await context.close();
  });
});
