import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/engine/rng.js";
import { Buckets } from "../../../sim/overlays/kademlia/buckets.js";
import { KadIds } from "../../../sim/overlays/kademlia/ids.js";
import { fillBucketsFromOracle } from "../../../sim/overlays/kademlia/oracle.js";
import { LiveIndex } from "../../../sim/overlays/kademlia/truth.js";

const peers = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("the live index", () => {
  it("finds the exact k closest peers by XOR, with one left out", () => {
    const ids = new KadIds(160, 3000);
    const index = new LiveIndex(ids);
    index.build(peers(2000));
    index.remove(17);
    index.insert(2500);
    const live = [...peers(2000).filter((p) => p !== 17), 2500];
    const W = ids.W;
    const out = new Int32Array(20);
    for (let target = 2600; target < 2700; target++) {
      const to = target * W;
      const exclude = live[target % live.length]!;
      const n = index.kClosest(ids.ids, to, 20, exclude, out);
      const expected = live
        .filter((p) => p !== exclude)
        .sort((x, y) => ids.cmpDistance(ids.ids, to, ids.ids, x * W, ids.ids, y * W))
        .slice(0, 20);
      expect(n).toBe(20);
      expect(Array.from(out).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    }
    expect(index.kClosest(ids.ids, 0, 5000, -1, new Int32Array(5000))).toBe(2000);
  });

  for (const b of [1, 2]) {
    it(`b = ${b}: the oracle fills every bucket with min(k, candidates) right peers`, () => {
      const ids = new KadIds(160, 1500);
      const index = new LiveIndex(ids);
      index.build(peers(1500));
      const buckets = new Buckets(ids, { k: 8, b, replacements: 0, staleAfter: 1 }, 1500);
      fillBucketsFromOracle(index, buckets, ids, new Rng(1));
      for (const peer of [0, 1, 77, 1499]) {
        const candidates = new Map<number, number>();
        for (let p = 0; p < 1500; p++) {
          const bucket = buckets.bucketOf(peer, p);
          if (bucket >= 0) candidates.set(bucket, (candidates.get(bucket) ?? 0) + 1);
        }
        let total = 0;
        for (const [bucket, n] of candidates) {
          const got = buckets.bucket(peer, bucket);
          expect(got.length).toBe(Math.min(8, n));
          expect(new Set(got).size).toBe(got.length);
          for (const c of got) expect(buckets.bucketOf(peer, c)).toBe(bucket);
          total += got.length;
        }
        expect(buckets.contactCount[peer]).toBe(total);
      }
    });
  }
});
