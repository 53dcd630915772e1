import type { Rng } from "../../engine/rng.js";
import type { Buckets } from "./buckets.js";
import type { KadIds } from "./ids.js";
import type { LiveIndex } from "./truth.js";

/**
 * Oracle bootstrap: fills every online peer's buckets straight from the
 * sorted live population, as if each had met the whole network. Bucket
 * (level L, digit d) of a peer holds the ids that share its first L digits
 * and have digit d next: a contiguous run of the sorted ids, found by
 * binary search inside the run of the level above. A run longer than k
 * gives k contacts evenly spaced along it from a random offset (one draw
 * per bucket), so contacts spread over the whole subtree as a real peer's
 * would; a shorter one gives all of its peers.
 *
 * Cost: peers are filled in id order, so consecutive peers share their
 * runs at every level down to where their ids part; a level's splits are
 * kept and searched again only when the run changes. That is about two
 * runs split per peer in all (the nodes of the prefix tree) instead of
 * log2 N binary searches per peer, plus k contacts written per full
 * bucket, straight from the run into the bucket's slab.
 */
export function fillBucketsFromOracle(index: LiveIndex, buckets: Buckets, ids: KadIds, rng: Rng): void {
  const n = index.size;
  const { b, perLevel, k } = buckets;
  const sorted = index.view();
  // runs[level·stride + d] .. runs[level·stride + d + 1] is the run whose digit at `level` is d, within the
  // run [runLo[level], runHi[level]) of the level above.
  const stride = (1 << b) + 1;
  const levels = Math.ceil(ids.bits / b);
  const runs = new Int32Array(levels * stride);
  const runLo = new Int32Array(levels).fill(-1);
  const runHi = new Int32Array(levels).fill(-1);
  // A filled table has about log2 N buckets per peer: take the room in one go rather than by doublings
  // (with room to spare for the replacement caches a run with traffic adds).
  buckets.reserveSlabs(n * (Math.ceil(Math.log2(Math.max(2, n))) + 3));
  for (let i = 0; i < n; i++) {
    const peer = sorted[i]!;
    let lo = 0;
    let hi = n;
    for (let level = 0; hi - lo > 1 && level * b < ids.bits; level++) {
      const pos = level * b;
      const width = Math.min(b, ids.bits - pos);
      const digits = 1 << width;
      const row = level * stride;
      if (runLo[level] !== lo || runHi[level] !== hi) {
        runs[row] = lo;
        for (let d = 1; d < digits; d++) runs[row + d] = index.split(runs[row + d - 1]!, hi, pos, width, d);
        runs[row + digits] = hi;
        runLo[level] = lo;
        runHi[level] = hi;
      }
      // The peer's own digit is the run it sits in: found from its position, not its id (reading the id
      // row of a peer, scattered over memory, cost more than the rest of this loop).
      let own = 0;
      while (runs[row + own + 1]! <= i) own++;
      for (let d = 0; d < digits; d++) {
        if (d === own) continue;
        const from = runs[row + d]!;
        const size = runs[row + d + 1]! - from;
        if (size === 0) continue;
        const bucket = level * perLevel + (d ^ own) - 1;
        buckets.fillFromRun(peer, bucket, sorted, from, size, size <= k ? 0 : rng.next());
      }
      lo = runs[row + own]!;
      hi = runs[row + own + 1]!;
    }
  }
}
