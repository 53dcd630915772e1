import { describe, expect, it } from "vitest";
import { BenchArgError, describeWorkloads, median, medianResult, parseBenchArgs, selectWorkloads } from "../../sim/bench/plan.js";
import { WORKLOADS } from "../../sim/bench/workloads.js";

describe("bench plan", () => {
  it("runs the quick set by default, quick and full with --full, and named workloads in the order given", () => {
    const quick = selectWorkloads(WORKLOADS, parseBenchArgs([])).map((w) => w.name);
    expect(quick).toContain("engine-hold");
    expect(quick).toContain("calendar-hold");
    expect(quick).not.toContain("chord");
    expect(WORKLOADS.filter((w) => w.tier === "quick").reduce((s, w) => s + w.expectedSeconds, 0)).toBeLessThanOrEqual(120);
    const full = selectWorkloads(WORKLOADS, parseBenchArgs(["--full"])).map((w) => w.name);
    expect(full).toEqual(WORKLOADS.filter((w) => w.tier !== "large").map((w) => w.name));
    expect(full).not.toContain("chord-churn-1m");
    expect(selectWorkloads(WORKLOADS, parseBenchArgs(["chord-churn-1m", "engine-hold"])).map((w) => w.name)).toEqual(["chord-churn-1m", "engine-hold"]);
  });

  it("rejects unknown workloads and options, and bad run counts", () => {
    expect(() => selectWorkloads(WORKLOADS, parseBenchArgs(["no-such"]))).toThrow(BenchArgError);
    expect(() => parseBenchArgs(["--quick"])).toThrow(/unknown option --quick/);
    expect(() => parseBenchArgs(["--runs", "0"])).toThrow(/--runs/);
    expect(parseBenchArgs(["--runs=3", "--record", "chord"])).toMatchObject({ runs: 3, record: true, names: ["chord"] });
  });

  it("takes the median of every numeric field", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const m = medianResult([
      { name: "x", events: 10, loopCpuSeconds: 3, bytesPerPeer: null },
      { name: "x", events: 10, loopCpuSeconds: 1, bytesPerPeer: null },
      { name: "x", events: 10, loopCpuSeconds: 2, bytesPerPeer: null },
    ]);
    expect(m).toEqual({ name: "x", events: 10, loopCpuSeconds: 2, bytesPerPeer: null });
  });

  it("lists every workload with its tier and expected duration", () => {
    const text = describeWorkloads(WORKLOADS);
    expect(text.split("\n")).toHaveLength(WORKLOADS.length);
    expect(text).toMatch(/chord-churn-1m\s+large\s+~\s*60 min/);
  });
});
