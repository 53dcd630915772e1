import { describe, expect, it } from "vitest";
import { benchChordFloor } from "../../sim/bench/chord-floor.js";

describe("chord-routing-floor", () => {
  it("walks every lookup to its owner's predecessor in about ½·log2 N hops, the same hops every run", () => {
    const a = benchChordFloor({ peers: 1_000, lookups: 2_000 });
    const b = benchChordFloor({ peers: 1_000, lookups: 2_000 });
    expect(a.unfinished).toBe(0);
    // ½·log2(1000) ≈ 5 hops to the owner; the walk stops one short, at the peer whose successor owns the key.
    expect(a.hopsPerLookup).toBeGreaterThan(3);
    expect(a.hopsPerLookup).toBeLessThan(6);
    expect(a.events).toBe(8_151);
    expect(b.events).toBe(a.events);
  });
});
