import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ORIGIN, SeenQueries, UNSEEN } from "../../../sim/overlays/shared/seen.js";

describe("SeenQueries", () => {
  it("remembers the first upstream of each query, then forgets it after one to two windows", () => {
    const seen = new SeenQueries(1000);
    seen.remember(1, 10, ORIGIN, 0);
    seen.remember(1, 11, 10, 5);
    seen.remember(2, 11, 12, 5);
    expect(seen.upstream(1, 10, 10)).toBe(ORIGIN);
    expect(seen.upstream(1, 11, 10)).toBe(10);
    expect(seen.upstream(2, 11, 10)).toBe(12);
    expect(seen.upstream(2, 10, 10)).toBe(UNSEEN);
    // The first rotation (at 1,000 ms) keeps the previous generation ...
    expect(seen.upstream(1, 11, 1500)).toBe(10);
    // ... the second drops it.
    expect(seen.upstream(1, 11, 2600)).toBe(UNSEEN);
  });

  it("answers like a plain map of maps while tables of many sizes interleave (property)", () => {
    // Tables start at the size the last one reached: that must never change what is remembered.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: -1, max: 3000 })), { maxLength: 2000 }), (ops) => {
        const seen = new SeenQueries(1e12);
        const ref = new Map<number, Map<number, number>>();
        for (const [qid, peer, from] of ops) {
          seen.remember(qid, peer, from, 0);
          if (!ref.has(qid)) ref.set(qid, new Map());
          ref.get(qid)!.set(peer, from);
        }
        for (let qid = 0; qid <= 6; qid++) {
          for (let peer = 0; peer <= 3000; peer += 13) expect(seen.upstream(qid, peer, 0)).toBe(ref.get(qid)?.get(peer) ?? UNSEEN);
        }
      }),
      { numRuns: 50 },
    );
  });
});
