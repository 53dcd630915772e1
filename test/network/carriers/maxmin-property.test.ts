import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { carrierHarness } from "./harness.js";

/**
 * Max-min fairness on random instances: no link carries more than its
 * capacity; every transfer crosses a saturated link on which no other
 * transfer gets more (the bottleneck property, which characterises max-min
 * fairness: Bertsekas & Gallager §6.5.2); and a fresh solve of the same
 * transfers gives bit-identical rates, whatever happened before.
 */
const instance = fc.record({
  up: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 12 }),
  down: fc.array(fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constant(Infinity)), { minLength: 12, maxLength: 12 }),
  pairs: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 40 }),
  warmup: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
});

function solveOnce(up: number[], down: number[], pairs: [number, number][], history: [number, number][]) {
  const n = up.length;
  const h = carrierHarness("maxmin", up, down.slice(0, n));
  // Earlier transfers that start and end before ours: they leave their marks on the solver's scratch state only.
  for (const [a, b] of history) if (a % n !== b % n) h.send(a % n, b % n, 1);
  h.sim.run();
  const flows: number[] = [];
  h.sim.at(h.sim.now + 1, () => {
    for (const [a, b] of pairs) if (a % n !== b % n) flows.push(h.flows.start(a % n, b % n, 1e12, { transmitted() {}, aborted() {} }, undefined));
  });
  h.sim.run({ until: h.sim.now + 1.5 });
  return { h, flows, n };
}

describe("maxmin carrier: property tests", () => {
  it("respects capacities, has the bottleneck property, and re-solves bit-identically", () => {
    fc.assert(
      fc.property(instance, ({ up, down, pairs, warmup }) => {
        const { h, flows, n } = solveOnce(up, down, pairs, warmup);
        if (flows.length === 0) return;
        const f = h.flows;
        const load = new Float64Array(2 * n);
        for (const id of flows) {
          load[2 * f.from[id]!]! += f.rate[id]!;
          load[2 * f.to[id]! + 1]! += f.rate[id]!;
        }
        const cap = (link: number) => (link & 1 ? f.down(link >> 1) : f.up(link >> 1));
        const tol = 1e-9;
        for (let link = 0; link < 2 * n; link++) expect(load[link]!).toBeLessThanOrEqual(cap(link) * (1 + tol));
        for (const id of flows) {
          const links = [2 * f.from[id]!, 2 * f.to[id]! + 1];
          const bottleneck = links.some((link) => {
            if (cap(link) === Infinity || load[link]! < cap(link) * (1 - tol)) return false;
            const onLink = flows.filter((g) => (link & 1 ? 2 * f.to[g]! + 1 : 2 * f.from[g]!) === link);
            return onLink.every((g) => f.rate[g]! <= f.rate[id]! * (1 + tol));
          });
          expect(bottleneck).toBe(true);
        }
        // A fresh carrier with no history, same transfers in the same slots: the same bits.
        const fresh = solveOnce(up, down, pairs, []);
        const rates = (x: typeof fresh) => x.flows.map((id) => x.h.flows.rate[id]!);
        const a = rates({ h, flows, n });
        const b = rates(fresh);
        expect(b.length).toBe(a.length);
        // Slots differ when history used some; compare by start order, which is the same.
        expect(Float64Array.from(b)).toEqual(Float64Array.from(a));
      }),
      { numRuns: 300, seed: 18 },
    );
  });
});

describe("maxmin carrier: incremental solves", () => {
  it("after random starts and ends, rates equal a fresh solve of the transfers left (within 1e-9)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 12, maxLength: 12 }),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constant(Infinity)), { minLength: 12, maxLength: 12 }),
        fc.array(fc.record({ from: fc.nat(5), to: fc.nat(11), size: fc.integer({ min: 1_000, max: 400_000 }), at: fc.integer({ min: 0, max: 300 }) }), { minLength: 1, maxLength: 80 }),
        (up, down, transfers) => {
          const h = carrierHarness("maxmin", up, down);
          for (const t of transfers) if (t.from !== t.to) h.sim.at(t.at, () => h.send(t.from, t.to, t.size));
          h.sim.run({ until: 300.5 });
          const live: number[] = [];
          for (let f = 0; f < h.flows.slotCount; f++) if (h.flows.live[f]) live.push(f);
          const fresh = carrierHarness("maxmin", up, down);
          const ids = live.map((f) => fresh.flows.start(h.flows.from[f]!, h.flows.to[f]!, 1e12, { transmitted() {}, aborted() {} }, undefined));
          fresh.sim.run({ until: 0.5 });
          live.forEach((f, i) => {
            const a = h.flows.rate[f]!;
            const b = fresh.flows.rate[ids[i]!]!;
            expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
          });
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
