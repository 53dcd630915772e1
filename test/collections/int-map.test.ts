import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IntMap } from "../../sim/collections/int-map.js";

describe("IntMap", () => {
  it("stores, overwrites and misses", () => {
    const m = new IntMap();
    expect(m.get(5, -2)).toBe(-2);
    m.set(5, 7);
    m.set(5, -1);
    expect(m.get(5, -2)).toBe(-1);
    expect(m.size).toBe(1);
  });

  it("behaves like a Map through growth (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: -5, max: 1 << 30 })), { maxLength: 600 }), (ops) => {
        const m = new IntMap(2);
        const ref = new Map<number, number>();
        for (const [k, v] of ops) {
          m.set(k, v);
          ref.set(k, v);
        }
        expect(m.size).toBe(ref.size);
        for (let k = 0; k <= 5000; k += 7) expect(m.get(k, -99)).toBe(ref.get(k) ?? -99);
        for (const [k, v] of ref) expect(m.get(k, -99)).toBe(v);
      }),
    );
  });

  it("rejects keys it cannot store", () => {
    expect(() => new IntMap().set(-1, 0)).toThrow(RangeError);
  });
});
