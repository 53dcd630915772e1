import type { Rng } from "../../engine/rng.js";
import type { PeerId } from "../../peers/population.js";

export type ReplicationStrategy = "uniform" | "proportional" | "square-root";

/**
 * How many copies each key gets, for a total budget of `meanReplicas` per key
 * (Cohen & Shenker, "Replication strategies in unstructured peer-to-peer
 * networks", SIGCOMM 2002): the same number for every key (uniform), in
 * proportion to its query rate (proportional), or to the square root of it
 * (square-root, which minimises the expected search size of random probing).
 * Every key gets at least one copy and at most `maxCopies`; rounding uses the
 * largest-remainder method so the budget is met exactly when it can be.
 */
export function replicaCounts(
  popularity: readonly number[],
  meanReplicas: number,
  strategy: ReplicationStrategy,
  maxCopies: number,
): number[] {
  const n = popularity.length;
  const weights = popularity.map((p) => (strategy === "uniform" ? 1 : strategy === "proportional" ? p : Math.sqrt(p)));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const budget = Math.round(meanReplicas * n);
  const ideal = weights.map((w) => (w / totalWeight) * budget);
  const counts = ideal.map((x) => Math.min(maxCopies, Math.max(1, Math.floor(x))));
  let left = budget - counts.reduce((a, b) => a + b, 0);
  // Hand out what rounding left over, largest remainder first (ties: lower key first).
  const order = ideal
    .map((x, key) => ({ key, remainder: x - Math.floor(x) }))
    .sort((a, b) => b.remainder - a.remainder || a.key - b.key);
  for (let i = 0; left > 0 && i < order.length; i++) {
    const key = order[i]!.key;
    if (counts[key]! < maxCopies && ideal[key]! >= 1) {
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
