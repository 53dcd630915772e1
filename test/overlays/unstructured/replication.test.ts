import { describe, expect, it } from "vitest";
import { once, runSmall, sessions } from "./run-scenario.js";

/**
 * Replication in the unstructured overlay: copies placed at the start on the
 * churn pool (kept on disk across sessions), the availability they give, and
 * copies made when searches succeed (Lv, Cao, Cohen, Li & Shenker, ICS 2002).
 * The cache of copies itself is tested in test/overlays/shared/copy-cache.test.ts.
 */

describe("availability under crash churn", () => {
  const walk = { search: { method: "random-walk", walkers: 4, ttl: 64 } };
  const run = (replicas: number) =>
    runSmall({ overlay: { ...walk, replication: { replicas } }, churn: sessions("5m"), duration: "5m", rate: "1/s" });

  it("is lower with one copy per key than with four, and matches the peers online", () => {
    const one = run(1);
    const four = run(4);
    const a1 = one.summary.storage!.availabilityMean!;
    const a4 = four.summary.storage!.availabilityMean!;
    // Observed: 0.49 with one copy (about half the peers are online), 0.95 with four (1 − 0.5⁴ ≈ 0.94).
    expect(a1).toBeGreaterThan(0.35);
    expect(a1).toBeLessThan(0.65);
    expect(a4).toBeGreaterThan(0.88);
    expect(one.summary.lookups.successRatio!).toBeLessThan(four.summary.lookups.successRatio!);
    for (const r of [one, four]) {
      expect(r.summary.storage!.itemsStored).toBe(200);
      expect(r.summary.storage!.itemsLost).toBe(0); // files stay on disk
      // The incremental count equals the keys held by the peers online at the end.
      const held = new Set(r.snapshot.peers.flatMap((p) => p.keys));
      expect(r.simulation.overlay.availability!()!.available).toBe(held.size);
    }
  });
});

describe("copies made on success", () => {
  // One copy per key, short walks, Zipf popularity: searches for popular keys
  // often fail until copies of them spread.
  const runs = once(() => {
    const run = (onSuccess: string) =>
      runSmall({
        overlay: { search: { method: "random-walk", walkers: 2, ttl: 32 }, replication: { replicas: 1, onSuccess, maxStored: 8 } },
        popularity: { distribution: "zipf", s: 1 },
        keys: 300,
        duration: "6m",
        warmup: "3m",
        rate: "8/s",
      });
    return { none: run("none"), owner: run("owner"), path: run("path") };
  });

  /** How many online peers hold each of the five most requested keys at the end. */
  function popularCopies(r: ReturnType<typeof runSmall>): number[] {
    const t = r.simulation.lookups;
    const requests = new Map<number, number>();
    for (let id = 0; id < t.size; id++) requests.set(t.key[id]!, (requests.get(t.key[id]!) ?? 0) + 1);
    const top = [...requests].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 5).map(([key]) => key);
    return top.map((key) => r.snapshot.peers.filter((p) => p.keys.includes(key)).length);
  }

  it("raise the copies of popular keys and the success of random walks", () => {
    const { none, owner, path } = runs();
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    // Observed: 5 copies of the five most requested keys without repair, about 630 with "owner", 450 with "path"
    // (path copies of many keys compete for the 8 slots); success 0.20 → 0.71 (owner) → 0.79 (path).
    expect(none.counters.copiesMade).toBe(0);
    expect(sum(popularCopies(none))).toBe(5);
    expect(owner.counters.copiesMade).toBeGreaterThan(100);
    expect(path.counters.copiesMade).toBeGreaterThan(owner.counters.copiesMade!);
    expect(sum(popularCopies(owner))).toBeGreaterThan(100);
    expect(sum(popularCopies(path))).toBeGreaterThan(100);
    expect(owner.summary.lookups.successRatio!).toBeGreaterThan(none.summary.lookups.successRatio! + 0.2);
    expect(path.summary.lookups.successRatio!).toBeGreaterThan(owner.summary.lookups.successRatio!);
  });

  it("keep at most maxStored copies per peer besides its own files", () => {
    const { none, path } = runs();
    const own = new Map(none.snapshot.peers.map((p) => [p.peer, p.keys.length])); // the same placement, no copies
    for (const p of path.snapshot.peers) expect(p.keys.length - (own.get(p.peer) ?? 0)).toBeLessThanOrEqual(8);
    expect(path.snapshot.peers.some((p) => p.keys.length - (own.get(p.peer) ?? 0) === 8)).toBe(true);
  });
});
