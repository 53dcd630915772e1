import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NeighbourTable } from "../../../sim/overlays/unstructured/neighbour-table.js";

describe("NeighbourTable", () => {
  it("keeps neighbours in the order added; a removal moves the last one into the gap", () => {
    const table = new NeighbourTable(16);
    for (const n of [5, 6, 7, 8]) table.add(3, n);
    table.add(3, 6); // already there: nothing changes
    expect(table.list(3)).toEqual([5, 6, 7, 8]);
    expect(table.remove(3, 6)).toBe(true);
    expect(table.remove(3, 6)).toBe(false);
    expect(table.list(3)).toEqual([5, 8, 7]);
    expect(table.degree(3)).toBe(3);
    expect(table.at(3, 1)).toBe(8);
    expect(table.has(3, 7)).toBe(true);
    expect(table.has(3, 6)).toBe(false);
    table.clear(3);
    expect(table.list(3)).toEqual([]);
  });

  it("answers for peers it has never stored (no neighbours)", () => {
    const table = new NeighbourTable(8);
    expect(table.degree(1_000_000)).toBe(0);
    expect(table.has(1_000_000, 1)).toBe(false);
    expect(table.remove(1_000_000, 1)).toBe(false);
    table.clear(1_000_000);
    table.add(5000, 1);
    expect(table.list(5000)).toEqual([1]);
  });

  it("makes room past its first capacity, up to maxDegree, and refuses more", () => {
    const table = new NeighbourTable(40);
    for (let n = 0; n < 40; n++) table.add(2, 100 + n);
    table.add(1, 7);
    expect(table.list(2)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
    expect(table.list(1)).toEqual([7]);
    expect(() => table.add(2, 999)).toThrow(/maxDegree 40/);
  });

  it("answers like an array per peer under any sequence of changes (property)", () => {
    const op = fc.tuple(fc.constantFrom("add", "add", "remove", "clear"), fc.integer({ min: 0, max: 2100 }), fc.integer({ min: 0, max: 30 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const maxDegree = 24;
        const table = new NeighbourTable(maxDegree);
        const ref = new Map<number, number[]>();
        for (const [kind, peer, other] of ops) {
          const list = ref.get(peer) ?? [];
          ref.set(peer, list);
          if (kind === "add") {
            if (list.includes(other) || list.length < maxDegree) table.add(peer, other);
            if (!list.includes(other) && list.length < maxDegree) list.push(other);
          } else if (kind === "remove") {
            const i = list.indexOf(other);
            expect(table.remove(peer, other)).toBe(i >= 0);
            if (i >= 0) {
              list[i] = list[list.length - 1]!;
              list.pop();
            }
          } else {
            table.clear(peer);
            list.length = 0;
          }
        }
        for (const [peer, list] of ref) {
          expect(table.list(peer)).toEqual(list);
          for (const n of list) expect(table.has(peer, n)).toBe(true);
        }
      }),
    );
  });
});
