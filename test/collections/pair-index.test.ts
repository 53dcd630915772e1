import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PairIndex } from "../../sim/collections/pair-index.js";

describe("PairIndex", () => {
  it("stores, overwrites, deletes and misses", () => {
    const m = new PairIndex(4);
    expect(m.get(1, 2)).toBe(-1);
    m.set(1, 2, 7);
    m.set(2, 1, 8);
    m.set(1, 2, 9);
    expect(m.get(1, 2)).toBe(9);
    expect(m.get(2, 1)).toBe(8);
    expect(m.size).toBe(2);
    expect(m.delete(1, 2)).toBe(true);
    expect(m.delete(1, 2)).toBe(false);
    expect(m.get(1, 2)).toBe(-1);
    expect(m.get(2, 1)).toBe(8);
    expect(m.size).toBe(1);
  });

  it("behaves like a Map through growth and deletions (property)", () => {
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1 << 30 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 800 }), (ops) => {
        const m = new PairIndex(2);
        const ref = new Map<number, number>();
        for (const [del, a, b, v] of ops) {
          if (del) expect(m.delete(a, b)).toBe(ref.delete(a * 100 + b));
          else {
            m.set(a, b, v);
            ref.set(a * 100 + b, v);
          }
        }
        expect(m.size).toBe(ref.size);
        for (let a = 0; a <= 40; a++) for (let b = 0; b <= 40; b++) expect(m.get(a, b)).toBe(ref.get(a * 100 + b) ?? -1);
      }),
    );
  });
});
