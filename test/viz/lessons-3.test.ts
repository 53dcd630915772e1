import { describe, expect, it } from "vitest";
import { LESSONS } from "../../sim/cli/lessons.js";
import { browserPath, LESSON_GROUPS, projectLessons } from "./lesson-fixture.js";

// Lessons projected at 1280×720 (see lesson-fixture.ts): the lessons of LESSON_GROUPS[2].
describe.runIf(browserPath !== undefined)("lessons projected at 1280×720 (3 of 3)", () => {
  const open = projectLessons(LESSON_GROUPS[2]);

  it("swarm-vs-server: both modes against N, with the server's and the swarm's shortest possible times as reference lines", async () => {
    const page = await open("swarm-vs-server", "en");
    const chart = page.locator('figure[data-chart="sweep-distribution_time_s"]');
    expect(await chart.locator("path.series.reference").count()).toBe(2);
    const legend = await chart.locator(".legend-item title").allTextContents();
    expect(legend).toEqual(expect.arrayContaining(["Mode client-server", "Mode swarm", "Shortest possible, server alone", "Shortest possible, peer to peer"]));
    expect(await chart.locator(".axis.x .tick text").allTextContents()).toEqual(["2", "5", "10", "20", "40"]);
  });
});

it("every lesson is projected by exactly one of the three files", () => {
  expect([...LESSON_GROUPS.flat()].sort()).toEqual(LESSONS.map((l) => l.name).sort());
});
