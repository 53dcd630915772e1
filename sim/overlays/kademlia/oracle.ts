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
 * Cost: about log2 N levels per peer, each a binary search within the
 * previous run, plus k appends per full bucket.
 */
export function fillBucketsFromOracle(index: LiveIndex, buckets: Buckets, ids: KadIds, rng: Rng): void {
  const n = index.size;
  const { b, perLevel, k } = buckets;
  const all = ids.ids;
  const W = ids.W;
  const starts = new Int32Array((1 << b) + 1);
  const chosen = new Int32Array(k);
  // A filled table has about log2 N buckets per peer: take the room in one go rather than by doublings.
  buckets.reserveSlabs(n * (Math.ceil(Math.log2(Math.max(2, n))) + 3));
  for (let i = 0; i < n; i++) {
    const peer = index.at(i);
    const pw = peer * W;
    let lo = 0;
    let hi = n;
    for (let level = 0; hi - lo > 1 && level * b < ids.bits; level++) {
      const pos = level * b;
      const width = Math.min(b, ids.bits - pos);
      const digits = 1 << width;
      // starts[d] .. starts[d+1] is the run whose digit at this level is d.
      starts[0] = lo;
      for (let d = 1; d < digits; d++) starts[d] = index.split(starts[d - 1]!, hi, pos, width, d);
      starts[digits] = hi;
      const own = width === 1 ? ids.bit(all, pw, pos) : ids.bitsAt(all, pw, pos, width);
      for (let d = 0; d < digits; d++) {
        if (d === own) continue;
        const from = starts[d]!;
        const size = starts[d + 1]! - from;
        if (size === 0) continue;
        const bucket = level * perLevel + (d ^ own) - 1;
        if (size <= k) {
          for (let j = 0; j < size; j++) chosen[j] = index.at(from + j);
          buckets.fill(peer, bucket, chosen, size);
        } else {
          const u = rng.next();
          for (let j = 0; j < k; j++) chosen[j] = index.at(from + Math.floor(((j + u) * size) / k));
          buckets.fill(peer, bucket, chosen, k);
        }
      }
      lo = starts[own]!;
      hi = starts[own + 1]!;
    }
  }
}
