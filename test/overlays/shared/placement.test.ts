import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/engine/rng.js";
import { placeReplicas, replicaCounts } from "../../../sim/overlays/shared/placement.js";

describe("replica allocation (Cohen & Shenker)", () => {
  const popularity = [0.5, 0.3, 0.15, 0.05];

  it("gives every key the same number of copies under uniform", () => {
    expect(replicaCounts(popularity, 3, "uniform", 100)).toEqual([3, 3, 3, 3]);
  });

  it("follows query rates under proportional, and their square roots under square-root", () => {
    expect(replicaCounts(popularity, 10, "proportional", 100)).toEqual([20, 12, 6, 2]);
    // √p = .707, .548, .387, .224 → shares of 40: 15.4, 11.9, 8.4, 4.9 → 15, 12, 8, 5
    expect(replicaCounts(popularity, 10, "square-root", 100)).toEqual([15, 12, 8, 5]);
  });

  it("meets the budget exactly, gives each key at least one copy and at most maxCopies", () => {
    const zipf = Array.from({ length: 200 }, (_, k) => 1 / (k + 1));
    const total = zipf.reduce((a, b) => a + b, 0);
    const counts = replicaCounts(zipf.map((p) => p / total), 4, "proportional", 50);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(800);
    expect(Math.min(...counts)).toBe(1);
    expect(Math.max(...counts)).toBe(50);
  });

  it("places copies of a key on distinct peers", () => {
    const peers = Array.from({ length: 30 }, (_, i) => i);
    const holdings = placeReplicas([5, 30, 1], peers, new Rng(9));
    const holdersOf = (key: number) => [...holdings].filter(([, keys]) => keys.has(key)).map(([peer]) => peer);
    expect(new Set(holdersOf(0)).size).toBe(5);
    expect(holdersOf(1).sort((a, b) => a - b)).toEqual(peers);
    expect(holdersOf(2)).toHaveLength(1);
  });
});
