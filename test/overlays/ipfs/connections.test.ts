import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Connections } from "../../../sim/overlays/ipfs/connections.js";

describe("ipfs: connection manager", () => {
  it("opens connections at both ends and trims the oldest down to low water above high water", () => {
    const c = new Connections(() => ({ low: 2, high: 3 }));
    for (const other of [1, 2, 3]) c.connect(0, other);
    expect([...c.of(0)]).toEqual([1, 2, 3]);
    expect(c.has(2, 0)).toBe(true);
    c.connect(0, 4);
    // Above 3: the oldest go until 2 are left, the newest kept.
    expect([...c.of(0)]).toEqual([3, 4]);
    expect(c.has(1, 0)).toBe(false);
    expect(c.trimmed).toBe(2);
  });

  it("closes every connection of a peer that goes offline", () => {
    const c = new Connections(() => ({ low: 10, high: 10 }));
    c.connect(0, 1);
    c.connect(0, 2);
    c.connect(1, 2);
    c.gone(0);
    expect(c.count(0)).toBe(0);
    expect([...c.of(1)]).toEqual([2]);
    expect([...c.of(2)]).toEqual([1]);
  });

  it("behaves like ordered Sets (the manager's first form) through any sequence of opens and departures (property)", () => {
    /** The reference: one insertion-ordered Set per peer, trimmed oldest first. */
    class Reference {
      readonly open = new Map<number, Set<number>>();
      trimmed = 0;
      constructor(private readonly marks: (p: number) => { low: number; high: number }) {}
      side(p: number): Set<number> {
        let s = this.open.get(p);
        if (!s) this.open.set(p, (s = new Set()));
        return s;
      }
      connect(a: number, b: number): void {
        if (a === b || this.side(a).has(b)) return;
        this.side(a).add(b);
        this.side(b).add(a);
        this.trim(a, b);
        this.trim(b, a);
      }
      trim(p: number, keep: number): void {
        const set = this.side(p);
        const { low, high } = this.marks(p);
        if (set.size <= high) return;
        for (const o of set) {
          if (set.size <= low) break;
          if (o === keep) continue;
          set.delete(o);
          this.side(o).delete(p);
          this.trimmed++;
        }
      }
      gone(p: number): void {
        for (const o of this.side(p)) this.side(o).delete(p);
        this.open.delete(p);
      }
    }
    // Peer 1's marks never trim (low above high), so its list outgrows the room it starts with.
    const marks = (p: number) => (p === 0 ? { low: 6, high: 9 } : p === 1 ? { low: 20, high: 1 } : { low: 2, high: 4 });
    const op = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 11 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 500 }), (ops) => {
        const c = new Connections(marks);
        const ref = new Reference(marks);
        for (const [kind, a, b] of ops) {
          if (kind === 0) {
            c.gone(a);
            ref.gone(a);
          } else {
            c.connect(a, b);
            ref.connect(a, b);
          }
        }
        expect(c.trimmed).toBe(ref.trimmed);
        for (let p = 0; p <= 11; p++) {
          const want = [...ref.side(p)];
          expect(c.of(p)).toEqual(want);
          expect(c.count(p)).toBe(want.length);
          expect([...c.copyTo(p, new Int32Array(1))].slice(0, want.length)).toEqual(want);
          for (let q = 0; q <= 11; q++) expect(c.has(p, q)).toBe(want.includes(q));
        }
      }),
    );
  });
});
