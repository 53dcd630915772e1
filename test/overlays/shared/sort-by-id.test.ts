import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdSpace } from "../../../sim/overlays/shared/id-space.js";
import { sortById } from "../../../sim/overlays/shared/sort-by-id.js";

describe("sortById", () => {
  it("orders numbers like the comparator sort by (id, number), also with many equal ids and large inputs", () => {
    fc.assert(
      fc.property(
        fc.record({
          bits: fc.constantFrom(3, 8, 13, 20, 32, 33, 64, 128, 160),
          n: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 4096, max: 12_000 })),
          salt: fc.integer({ min: 0, max: 0xffffffff }),
          shuffle: fc.integer({ min: 1, max: 0x7fffffff }),
        }),
        ({ bits, n, salt, shuffle }) => {
          const space = new IdSpace(bits);
          const W = space.words;
          const ids = new Uint32Array(n * W);
          for (let p = 0; p < n; p++) space.hash(p, salt, ids, p * W);
          // Numbers in a scrambled order, so the input order is not already the tie order.
          const peers = Int32Array.from({ length: n }, (_, i) => Number((BigInt(i) * BigInt(shuffle | 1)) % BigInt(Math.max(1, n))));
          const unique = new Set(peers).size === n ? peers : Int32Array.from({ length: n }, (_, i) => n - 1 - i);
          const expected = Int32Array.from(unique).sort((a, b) => space.cmp(ids, a * W, ids, b * W) || a - b);
          const got = Int32Array.from(unique);
          sortById(got, ids, W, bits - 32 * (W - 1));
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});
