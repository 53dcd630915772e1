import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration, parseRate, parseSize } from "../../sim/core/units.js";

describe("units", () => {
  it("parses durations with units into milliseconds", () => {
    expect(parseDuration("50ms")).toBe(50);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("1.5m")).toBe(90_000);
    expect(parseDuration("2min")).toBe(120_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration(" 10 s ")).toBe(10_000);
    expect(parseDuration("-5s")).toBe(-5_000);
  });

  it("rejects durations without a known unit", () => {
    for (const bad of ["30", "s", "30 sec", "thirty s", "", "1e", "5y"]) expect(parseDuration(bad)).toBeUndefined();
  });

  it("formats durations with the largest exact unit", () => {
    expect(formatDuration(90_000)).toBe("90s");
    expect(formatDuration(5_400_000)).toBe("90m");
    expect(formatDuration(7_200_000)).toBe("2h");
    expect(formatDuration(1500)).toBe("1500ms");
    expect(formatDuration(0)).toBe("0ms");
  });

  it("parses rates into events per millisecond", () => {
    expect(parseRate("10/s")).toBe(0.01);
    expect(parseRate("600/min")).toBe(0.01);
    expect(parseRate("36/h")).toBe(0.00001);
    expect(parseRate("1/5m")).toBe(1 / 300_000);
    expect(parseRate("3 / 2s")).toBe(0.0015);
    expect(parseRate("1/0s")).toBeUndefined();
    expect(parseRate("10")).toBeUndefined();
    expect(parseRate("-1/s")).toBeUndefined();
  });

  it("parses sizes into bytes", () => {
    expect(parseSize("512B")).toBe(512);
    expect(parseSize("1kB")).toBe(1000);
    expect(parseSize("2KiB")).toBe(2048);
    expect(parseSize("100")).toBe(100);
    expect(parseSize("1 parsec")).toBeUndefined();
  });
});
