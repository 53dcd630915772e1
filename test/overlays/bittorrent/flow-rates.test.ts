import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/engine/rng.js";
import { FlowRates } from "../../../sim/overlays/bittorrent/flow-rates.js";

/**
 * The reference: progressive filling done the slow, obvious way. Every flow not yet fixed
 * grows by the same amount until some link is full; the flows of full links are fixed;
 * repeat. O(rounds × links × flows), fine for small cases.
 */
function referenceRates(up: number[], down: number[], upCap: number[], downCap: number[]): number[] {
  const peers = upCap.length;
  const linkOf = (f: number) => [up[f]!, peers + down[f]!];
  const cap = [...upCap, ...downCap];
  const rate = up.map(() => 0);
  const fixed = up.map(() => false);
  for (;;) {
    const used = cap.map(() => 0);
    const open = cap.map(() => 0);
    up.forEach((_, f) => {
      for (const l of linkOf(f)) {
        used[l]! += rate[f]!;
        if (!fixed[f]) open[l]!++;
      }
    });
    let step = Infinity;
    for (let l = 0; l < cap.length; l++) if (open[l]! > 0) step = Math.min(step, (cap[l]! - used[l]!) / open[l]!);
    if (!Number.isFinite(step)) break;
    const full = new Set<number>();
    for (let l = 0; l < cap.length; l++) if (open[l]! > 0 && (cap[l]! - used[l]!) / open[l]! <= step * (1 + 1e-12)) full.add(l);
    up.forEach((_, f) => {
      if (fixed[f]) return;
      rate[f]! += step;
      if (linkOf(f).some((l) => full.has(l))) fixed[f] = true;
    });
  }
  return up.map((_, f) => (fixed[f] ? rate[f]! : Infinity));
}

function solve(up: number[], down: number[], upCap: number[], downCap: number[]): number[] {
  const rate = new Float64Array(up.length);
  new FlowRates().solve(up.length, Int32Array.from(up), Int32Array.from(down), upCap.length, Float64Array.from(upCap), Float64Array.from(downCap), rate);
  return [...rate];
}

describe("bittorrent rounds: max-min fair flow rates", () => {
  it("one uplink shared by three flows, one of them held back by its downlink", () => {
    // Peer 0 uploads 90 to peers 1, 2, 3; peer 3 downloads at most 10.
    const rates = solve([0, 0, 0], [1, 2, 3], [90, 50, 50, 50], [100, 100, 100, 10]);
    expect(rates).toEqual([40, 40, 10]);
  });

  it("flows with no finite link get Infinity; a link with no capacity gives 0", () => {
    expect(solve([0], [1], [Infinity, Infinity], [Infinity, Infinity])).toEqual([Infinity]);
    expect(solve([0, 1], [1, 0], [0, 5], [Infinity, Infinity])).toEqual([0, 5]);
  });

  it("matches the brute-force progressive filling on 300 random swarms, and every flow has a full bottleneck where it is largest", () => {
    const rng = new Rng(19, "flow-rates-test");
    for (let trial = 0; trial < 300; trial++) {
      const peers = 2 + rng.int(12);
      const upCap = Array.from({ length: peers }, () => (rng.next() < 0.1 ? Infinity : 1 + rng.int(100)));
      const downCap = Array.from({ length: peers }, () => (rng.next() < 0.1 ? Infinity : 1 + rng.int(200)));
      const up: number[] = [];
      const down: number[] = [];
      const seen = new Set<string>();
      const flows = rng.int(3 * peers);
      for (let i = 0; i < flows; i++) {
        const u = rng.int(peers);
        const d = rng.int(peers);
        if (u === d || seen.has(`${u}>${d}`)) continue;
        seen.add(`${u}>${d}`);
        up.push(u);
        down.push(d);
      }
      const got = solve(up, down, upCap, downCap);
      const want = referenceRates(up, down, upCap, downCap);
      for (let f = 0; f < up.length; f++) {
        if (want[f] === Infinity) expect(got[f]).toBe(Infinity);
        else expect(got[f]).toBeCloseTo(want[f]!, 6);
      }
      // Max-min fairness itself: no link over capacity, and each limited flow crosses a full
      // link on which no flow is faster (so it could only grow at the cost of a slower one).
      const load = new Map<number, number[]>();
      up.forEach((u, f) => {
        for (const l of [u, peers + down[f]!]) load.set(l, [...(load.get(l) ?? []), f]);
      });
      const cap = [...upCap, ...downCap];
      for (const [l, fs] of load) expect(fs.reduce((a, f) => a + (Number.isFinite(got[f]!) ? got[f]! : 0), 0)).toBeLessThanOrEqual(cap[l]! * (1 + 1e-9));
      up.forEach((u, f) => {
        if (got[f] === Infinity) return;
        const bottleneck = [u, peers + down[f]!].some((l) => {
          const fs = load.get(l)!;
          const sum = fs.reduce((a, g) => a + got[g]!, 0);
          return sum >= cap[l]! * (1 - 1e-9) && fs.every((g) => got[g]! <= got[f]! * (1 + 1e-9));
        });
        expect(bottleneck).toBe(true);
      });
    }
  });
});
