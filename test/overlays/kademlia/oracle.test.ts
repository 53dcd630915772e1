import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/engine/rng.js";
import { Buckets } from "../../../sim/overlays/kademlia/buckets.js";
import { KadIds } from "../../../sim/overlays/kademlia/ids.js";
import { fillBucketsFromOracle } from "../../../sim/overlays/kademlia/oracle.js";
import { LiveIndex } from "../../../sim/overlays/kademlia/truth.js";

/**
 * The oracle build as it was before it wrote runs straight into the pool
 * (per bucket: the chosen peers gathered, then `fill`): the reference the
 * faster build must match table for table and draw for draw.
 */
function referenceFill(index: LiveIndex, buckets: Buckets, ids: KadIds, rng: Rng): void {
  const n = index.size;
  const { b, perLevel, k } = buckets;
  const chosen = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const peer = index.at(i);
    let lo = 0;
    let hi = n;
    for (let level = 0; hi - lo > 1 && level * b < ids.bits; level++) {
      const pos = level * b;
      const width = Math.min(b, ids.bits - pos);
      const digits = 1 << width;
      const runs = [lo];
      for (let d = 1; d < digits; d++) runs.push(index.split(runs[d - 1]!, hi, pos, width, d));
      runs.push(hi);
      const own = ids.bitsAt(ids.ids, peer * ids.W, pos, width);
      for (let d = 0; d < digits; d++) {
        if (d === own) continue;
        const from = runs[d]!;
        const size = runs[d + 1]! - from;
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
      lo = runs[own]!;
      hi = runs[own + 1]!;
    }
  }
}

describe("the Kademlia oracle build", () => {
  it("fills the same tables, with the same draws, as the reference build (random networks, id widths, b and k)", () => {
    fc.assert(
      fc.property(
        fc.record({
          bits: fc.constantFrom(6, 10, 16, 31, 32, 33, 64, 160),
          b: fc.integer({ min: 1, max: 4 }),
          k: fc.integer({ min: 1, max: 20 }),
          pool: fc.integer({ min: 1, max: 400 }),
          salt: fc.integer({ min: 0, max: 0xffffffff }),
          online: fc.double({ min: 0.1, max: 1, noNaN: true }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        ({ bits, b, k, pool, salt, online, seed }) => {
          const ids = new KadIds(bits, pool, salt);
          const choose = new Rng(seed, "online");
          const live = Array.from({ length: pool }, (_, p) => p).filter(() => choose.chance(online));
          const index = new LiveIndex(ids);
          index.build(live);
          const options = { k, b, replacements: k, staleAfter: 1 };
          const fast = new Buckets(ids, options, pool);
          const slow = new Buckets(ids, options, pool);
          const fastRng = new Rng(seed);
          const slowRng = new Rng(seed);
          fillBucketsFromOracle(index, fast, ids, fastRng);
          referenceFill(index, slow, ids, slowRng);
          const table = (buckets: Buckets) =>
            live.map((peer) => {
              const contacts: number[] = [buckets.contactCount[peer]!, buckets.maxLevel[peer]!];
              buckets.forEachContact(peer, (contact, bucket) => contacts.push(bucket, contact));
              return contacts;
            });
          expect(table(fast)).toEqual(table(slow));
          expect(fastRng.next()).toBe(slowRng.next());
        },
      ),
      { numRuns: 60 },
    );
  });
});
