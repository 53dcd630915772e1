import { describe, expect, it } from "vitest";
import { parseBandwidth } from "../../sim/core/units.js";

describe("link rates", () => {
  it("parses bits and bytes per second into bytes per second", () => {
    expect(parseBandwidth("20Mbit/s")).toBe(2_500_000);
    expect(parseBandwidth("800kB/s")).toBe(800_000);
    expect(parseBandwidth("1Gbps")).toBe(125_000_000);
    expect(parseBandwidth("8 bit/s")).toBe(1);
    expect(parseBandwidth("1MiB/s")).toBe(1_048_576);
    expect(parseBandwidth("1.5e3 B/s")).toBe(1500);
  });

  it("refuses rates without a unit, negative rates and unknown units", () => {
    for (const bad of ["20", "-5Mbit/s", "20 Mb", "20mbit/s", "20 furlongs/s", "", "Mbit/s"]) expect(parseBandwidth(bad)).toBeUndefined();
  });
});
