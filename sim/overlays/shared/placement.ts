import type { Rng } from "../../engine/rng.js";
import type { PeerId } from "../../peers/population.js";

export type ReplicationStrategy = "uniform" | "proportional" | "square-root";

/**
 * How many copies each key gets, for a total budget of `meanReplicas` per key
 * (Cohen & Shenker, "Replication strategies in unstructured peer-to-peer
 * networks", SIGCOMM 2002): the same number for every key (uniform), in
 * proportion to its query rate (proportional), or to the square root of it
 * (square-root, which minimises the expected search size of random probing).
 * Every key gets at least one copy and at most `maxCopies`; the budget is
 * shared again among the other keys when a key hits a bound, and rounding
 * uses the largest-remainder method, so the budget is met exactly whenever
 * the bounds allow it.
 */
export function replicaCounts(
  popularity: readonly number[],
  meanReplicas: number,
  strategy: ReplicationStrategy,
  maxCopies: number,
): number[] {
  const n = popularity.length;
  const weights = popularity.map((p) => (strategy === "uniform" ? 1 : strategy === "proportional" ? p : Math.sqrt(p)));
  const budget = Math.round(meanReplicas * n);
  // Water-filling: keys whose share would exceed maxCopies (or fall below one
  // copy) are fixed there, and the rest of the budget is shared again among
  // the others, until no share crosses a bound.
  const fixed: (number | undefined)[] = new Array(n).fill(undefined);
  let ideal: number[] = [];
  for (;;) {
    let fixedTotal = 0;
    let freeWeight = 0;
    for (let k = 0; k < n; k++) {
      if (fixed[k] === undefined) freeWeight += weights[k]!;
      else fixedTotal += fixed[k]!;
    }
    const left = budget - fixedTotal;
    ideal = weights.map((w, k) => fixed[k] ?? (freeWeight > 0 ? (w / freeWeight) * left : 0));
    let changed = false;
    for (let k = 0; k < n; k++) {
      if (fixed[k] === undefined && ideal[k]! > maxCopies) {
        fixed[k] = maxCopies;
        changed = true;
      }
    }
    if (!changed) {
      for (let k = 0; k < n; k++) {
        if (fixed[k] === undefined && ideal[k]! < 1) {
          fixed[k] = 1;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const counts = ideal.map((x, k) => fixed[k] ?? Math.floor(x));
  let left = budget - counts.reduce((a, b) => a + b, 0);
  // Hand out what rounding left over, largest remainder first (ties: lower key first).
  const order = ideal
    .map((x, key) => ({ key, remainder: fixed[key] === undefined ? x - Math.floor(x) : -1 }))
    .filter((e) => e.remainder >= 0)
    .sort((a, b) => b.remainder - a.remainder || a.key - b.key);
  for (let i = 0; left > 0 && i < order.length; i++) {
    const key = order[i]!.key;
    if (counts[key]! < maxCopies) {
      counts[key]!++;
      left--;
    }
  }
  return counts;
}

/** Puts `counts[key]` copies of each key on distinct peers chosen uniformly from `peers`. */
export function placeReplicas(counts: readonly number[], peers: readonly PeerId[], rng: Rng): Map<PeerId, Set<number>> {
  const holdings = new Map<PeerId, Set<number>>();
  counts.forEach((copies, key) => {
    for (const peer of rng.sample(peers, copies)) {
      let keys = holdings.get(peer);
      if (!keys) holdings.set(peer, (keys = new Set()));
      keys.add(key);
    }
  });
  return holdings;
}
