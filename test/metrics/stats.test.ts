import { describe, expect, it } from "vitest";
import { clampToUnit, wilson } from "../../sim/metrics/stats.js";

describe("wilson", () => {
  it("matches published 95 % Wilson intervals", () => {
    // Newcombe (1998), table I: 0/10, 5/10 and 10/10 at z = 1.96.
    const zero = wilson(0, 10);
    expect(zero.low).toBe(0);
    expect(zero.high).toBeCloseTo(0.2775, 4);
    const half = wilson(5, 10);
    expect(half.low).toBeCloseTo(0.2366, 4);
    expect(half.high).toBeCloseTo(0.7634, 4);
    const all = wilson(10, 10);
    expect(all.low).toBeCloseTo(0.7225, 4);
    expect(all.high).toBe(1);
  });

  it("stays inside [0, 1] where mean ± 1.96·se would not", () => {
    const p = 1 / 3;
    const naive = p - 1.96 * Math.sqrt((p * (1 - p)) / 3);
    expect(naive).toBeLessThan(0);
    const w = wilson(1, 3);
    expect(w.low).toBeGreaterThan(0);
    expect(w.high).toBeLessThan(1);
  });

  it("is undefined without trials", () => {
    expect(wilson(0, 0).low).toBeNaN();
  });

  it("clamps an interval of a fraction to [0, 1]", () => {
    expect(clampToUnit(-0.4, 1.08)).toEqual({ low: 0, high: 1 });
    expect(clampToUnit(0.2, 0.3)).toEqual({ low: 0.2, high: 0.3 });
  });
});
