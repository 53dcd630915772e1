import { describe, expect, it } from "vitest";
import { browserPath, legibility, LESSON_GROUPS, projectLessons } from "./lesson-fixture.js";

// Lessons projected at 1280×720 (see lesson-fixture.ts): the lessons of LESSON_GROUPS[1].
describe.runIf(browserPath !== undefined)("lessons projected at 1280×720 (2 of 3)", () => {
  const open = projectLessons(LESSON_GROUPS[1]);

  it("collapses the run list on a 1024×768 screen, and the button brings it back", async () => {
    const page = await open("replication", "ko", { width: 1024, height: 768 });
    expect(await page.locator("nav#sidebar").isVisible()).toBe(false);
    expect(await legibility(page)).toEqual([]);
    await page.locator("#sidebar-toggle").click();
    expect(await page.locator("nav#sidebar").isVisible()).toBe(true);
  });

  it("messages-vs-n: log axes and the ½·log2 N reference under Chord's hops", async () => {
    const page = await open("messages-vs-n", "en");
    const hops = page.locator('figure[data-chart="sweep-hops_mean"]');
    expect(await hops.locator("path.series.reference").count()).toBe(1);
    expect(await hops.locator(".legend-item title").allTextContents()).toContain("½·log2 N (Chord paper)");
    expect(await page.locator('figure[data-chart="sweep-messages_per_lookup"] .axis.x .tick text').allTextContents()).toEqual(["32", "64", "128", "256", "512"]);
  });
});
