import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/engine/rng.js";
import { Simulator } from "../../../sim/engine/simulator.js";
import { Carrier, type Delivery } from "../../../sim/network/carriers/carrier.js";
import type { RatePolicy } from "../../../sim/network/carriers/flows.js";
import { MaxMin } from "../../../sim/network/carriers/maxmin.js";
import { Links } from "../../../sim/network/links.js";
import { Meter } from "../../../sim/network/meter.js";
import { ReferenceMaxMin } from "./maxmin-reference.js";

/**
 * The optimised max-min solver against the plain one it replaced: the same
 * random transfers (starting at random times, some at the same instant, on
 * links of mixed capacities, some unlimited), run to the end through each;
 * every arrival time, every solve and every rescheduled completion must be
 * the same, bit for bit. Boundary links that open (the expensive case the
 * optimisations target) come from downlinks slower than the uplinks feeding them.
 */
interface Plan {
  up: number[];
  down: number[];
  transfers: { from: number; to: number; bytes: number; at: number }[];
}

function runWith(policy: RatePolicy, plan: Plan) {
  const sim = new Simulator();
  const links = new Links({}, new Rng(1), () => undefined);
  plan.up.forEach((u, p) => links.set(p, u, plan.down[p]!));
  const meter = new Meter(0);
  const carrier = new Carrier({ sim, links, policy, meter, propagation: (from, to) => 1 + ((from * 7 + to * 3) % 5), isOnline: () => true });
  const arrivals: number[] = [];
  plan.transfers.forEach((t, i) => {
    if (t.from === t.to) return;
    const delivery: Delivery = {
      arrived: () => arrivals.push(i, sim.now),
      lost: () => arrivals.push(i, -1),
    };
    sim.at(t.at, () => carrier.send(t.from, t.to, t.bytes, delivery));
  });
  sim.run();
  const flows = carrier.flows;
  return { arrivals: Float64Array.from(arrivals), solves: flows.solves, solvedFlows: flows.solvedFlows, reschedules: flows.reschedules, events: sim.eventsRun };
}

const peers = 16;
const plan = fc.record({
  up: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: peers, maxLength: peers }),
  down: fc.array(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.constant(Infinity)), { minLength: peers, maxLength: peers }),
  transfers: fc.array(
    fc.record({ from: fc.nat(peers - 1), to: fc.nat(peers - 1), bytes: fc.integer({ min: 1_000, max: 200_000 }), at: fc.integer({ min: 0, max: 200 }).map((t) => t - (t % 4)) }),
    { minLength: 60, maxLength: 200, size: "max" },
  ),
});

describe("maxmin carrier: the optimised solver against the reference", () => {
  it("gives bit-identical arrivals, solves and reschedules on random transfers", () => {
    let expanded = 0;
    fc.assert(
      fc.property(plan, (p) => {
        const fast = new MaxMin();
        const a = runWith(fast, p);
        const b = runWith(new ReferenceMaxMin(), p);
        expanded += fast.expansions;
        expect(a.arrivals).toEqual(b.arrivals);
        expect([a.solves, a.solvedFlows, a.reschedules, a.events]).toEqual([b.solves, b.solvedFlows, b.reschedules, b.events]);
      }),
      { numRuns: 200, seed: 19 },
    );
    // The instances exercise boundary links that open (more than one pass per solve).
    expect(expanded).toBeGreaterThan(1000);
  });
});
