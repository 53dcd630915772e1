import { describe, expect, it } from "vitest";
import { browserPath, LESSON_GROUPS, projectLessons } from "./lesson-fixture.js";

// Lessons projected at 1280×720 (see lesson-fixture.ts): the lessons of LESSON_GROUPS[0].
describe.runIf(browserPath !== undefined)("lessons projected at 1280×720 (1 of 3)", () => {
  const open = projectLessons(LESSON_GROUPS[0]);

  it("topologies: the Chord ring is labelled, the lookup's key is marked, and fingers are drawn for one peer only", async () => {
    const page = await open("topologies", "en");
    const topo = page.locator("#topology");
    expect(await topo.locator("text.node-label").count()).toBe(32);
    expect(await topo.locator("g.key-mark text").textContent()).toMatch(/^key \d+$/);
    const origin = (await page.locator("#fingers-of").inputValue()) as string;
    const fingers = await topo.locator('path.link[data-kind="finger"]').getAttribute("d");
    // One peer's fingers start at that peer: every path segment starts at the same point.
    expect(new Set(fingers!.match(/M[\d.]+,[\d.]+/g)).size).toBe(1);
    expect(Number(origin)).toBeGreaterThanOrEqual(0);
  });

  it("presentation mode fills the screen with one chart and steps with the keyboard", async () => {
    const page = await open("index-failure", "en");
    const charts = await page.locator("#main figure.chart").count();
    await page.locator("#present").click();
    const layer = page.locator("#presentation");
    expect(await layer.locator("svg.presented").count()).toBe(1);
    const box = (await layer.locator("svg.presented").boundingBox())!;
    expect(box.width).toBeGreaterThan(1100);
    expect(await layer.locator(".present-count").textContent()).toBe(`1 / ${charts}`);
    await page.keyboard.press("ArrowRight");
    expect(await layer.locator(".present-count").textContent()).toBe(`2 / ${charts}`);
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    expect(await layer.locator(".present-count").textContent()).toBe(`${charts} / ${charts}`);
    await page.keyboard.press("Escape");
    expect(await page.locator("#presentation").count()).toBe(0);
  });

  it("switches a chart between log and linear scale", async () => {
    const page = await open("topologies", "en");
    const fig = page.locator('figure[data-chart="cmp-messages_per_lookup"]');
    expect(await fig.locator("button.scale-toggle").getAttribute("data-log")).toBe("true");
    const ready = await page.getAttribute("main", "data-ready");
    await fig.locator("button.scale-toggle").click();
    await page.waitForFunction((before) => document.querySelector("main")!.dataset.ready !== before, ready);
    expect(await page.locator('figure[data-chart="cmp-messages_per_lookup"] button.scale-toggle').getAttribute("data-log")).toBe("false");
  });
});
