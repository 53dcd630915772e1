import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BitSet } from "../../sim/collections/bit-set.js";

describe("BitSet", () => {
  it("adds once, beyond its initial size too", () => {
    const s = new BitSet(8);
    expect(s.add(3)).toBe(true);
    expect(s.add(3)).toBe(false);
    expect(s.has(3)).toBe(true);
    expect(s.has(4)).toBe(false);
    expect(s.has(1_000_000)).toBe(false);
    expect(s.add(100_031)).toBe(true);
    expect(s.has(100_031)).toBe(true);
    expect(s.has(100_030)).toBe(false);
    expect(s.has(3)).toBe(true);
  });

  it("behaves like a Set (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 }), (adds) => {
        const s = new BitSet(1);
        const ref = new Set<number>();
        const added = adds.map((n) => {
          const fresh = !ref.has(n);
          ref.add(n);
          return s.add(n) === fresh;
        });
        expect(added.every(Boolean)).toBe(true);
        const wrong = [];
        for (let n = 0; n <= 5000; n++) if (s.has(n) !== ref.has(n)) wrong.push(n);
        expect(wrong).toEqual([]);
      }),
    );
  });
});
