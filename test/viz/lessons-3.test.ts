import { describe, expect, it } from "vitest";
import { LESSONS } from "../../sim/cli/lessons.js";
import { browserPath, LESSON_GROUPS, projectLessons } from "./lesson-fixture.js";

// Lessons projected at 1280×720 (see lesson-fixture.ts): the lessons of LESSON_GROUPS[2].
describe.runIf(browserPath !== undefined)("lessons projected at 1280×720 (3 of 3)", () => {
  projectLessons(LESSON_GROUPS[2]);
});

it("every lesson is projected by exactly one of the three files", () => {
  expect([...LESSON_GROUPS.flat()].sort()).toEqual(LESSONS.map((l) => l.name).sort());
});
