import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/engine/rng.js";
import { carrierHarness } from "./harness.js";

/**
 * maxmin with a solve interval (network.bandwidth.solveInterval): rates are
 * solved once per step; in between a starting transfer takes what its links
 * have left. Times worked out by hand, in ms; capacities in bytes/ms.
 */
describe("maxmin with a solve interval", () => {
  it("solves once per step, however many transfers start within it", () => {
    const h = carrierHarness("maxmin", [100, 1e9, 1e9, 1e9], [1e9, 1e9, 1e9, 1e9], 0, 10);
    h.sim.at(1, () => h.send(0, 1, 1000));
    h.sim.at(3, () => h.send(0, 2, 1000));
    h.sim.at(7, () => h.send(0, 3, 1000));
    h.sim.run({ until: 10 });
    expect(h.flows.solves).toBe(1);
    // Exact: a solve at each of the three starts.
    const exact = carrierHarness("maxmin", [100, 1e9, 1e9, 1e9], [1e9, 1e9, 1e9, 1e9], 0, 0);
    exact.sim.at(1, () => exact.send(0, 1, 1000));
    exact.sim.at(3, () => exact.send(0, 2, 1000));
    exact.sim.at(7, () => exact.send(0, 3, 1000));
    exact.sim.run({ until: 10 });
    expect(exact.flows.solves).toBe(3);
  });

  it("a share freed between steps waits for the step", () => {
    // Uplink 100. A (1000 B) and B (500 B) start at 0 and get 50 each (the step at 0); B ends at 10.
    // Exact: A alone at 100 from 10, ends at 15. Steps of 20: A keeps 50 until the step at 20, when it ends.
    const run = (step: number) => {
      const h = carrierHarness("maxmin", [100, 1e9, 1e9], [1e9, 1e9, 1e9], 0, step);
      h.send(0, 1, 1000, "A");
      h.send(0, 2, 500, "B");
      h.sim.run();
      return h.arrivals.map((a) => [a.tag, a.at]);
    };
    expect(run(0)).toEqual([["B", 10], ["A", 15]]);
    expect(run(20)).toEqual([["B", 10], ["A", 20]]);
  });

  it("a transfer starting between steps takes the capacity its links have left", () => {
    // Uplink 100, steps of 20. A (2000 B) and B (500 B) from 0 at 50 each; B ends at 10.
    // C (250 B) starts at 12 and takes the 50 B/ms left: it ends at 17. At the step at 20, A
    // (1000 B left) is alone: 100 B/ms, it ends at 30.
    // Exact: C shares with A at 50 from 12 and ends at 17 too; A, alone from 10 but for C, ends at 27.5.
    const run = (step: number) => {
      const h = carrierHarness("maxmin", [100, 1e9, 1e9, 1e9], [1e9, 1e9, 1e9, 1e9], 0, step);
      h.send(0, 1, 2000, "A");
      h.send(0, 2, 500, "B");
      h.sim.at(12, () => h.send(0, 3, 250, "C"));
      h.sim.run();
      return h.arrivals.map((a) => [a.tag, a.at]);
    };
    expect(run(0)).toEqual([["B", 10], ["C", 17], ["A", 27.5]]);
    expect(run(20)).toEqual([["B", 10], ["C", 17], ["A", 30]]);
  });

  it("a transfer starting on a full link waits for the step, then gets its fair share", () => {
    // Uplink 100, steps of 20: A (3000 B) has it all from 0; B (1000 B) starts at 5 with nothing left.
    // At the step at 20 both get 50: B ends at 20 + 1000/50 = 40; A, with 1000 B left at 20, also at 40.
    const h = carrierHarness("maxmin", [100, 1e9, 1e9], [1e9, 1e9, 1e9], 0, 20);
    h.send(0, 1, 3000, "A");
    h.sim.at(5, () => h.send(0, 2, 1000, "B"));
    h.sim.run();
    expect(h.arrivals.map((a) => [a.tag, a.at])).toEqual([["A", 40], ["B", 40]]);
  });

  it("the leftover is the tighter of the two links", () => {
    // Peer 0 uploads 100 to peer 1 (downlink 30) from 0: 30 B/ms. Steps of 50. At 10, a transfer
    // from peer 2 (uplink 100) to peer 1 finds 0 left on peer 1's downlink: it waits for the step at
    // 50, where both get 15. One from 0 to peer 3 at 10 takes the 70 left on 0's uplink.
    const h = carrierHarness("maxmin", [100, 1e9, 100, 1e9], [1e9, 30, 1e9, 1e9], 0, 50);
    h.send(0, 1, 3000, "first");
    h.sim.at(10, () => {
      h.send(2, 1, 300, "blocked");
      h.send(0, 3, 700, "leftover");
    });
    h.sim.run({ until: 11 });
    const rates = [...Array(h.flows.slotCount).keys()].filter((f) => h.flows.live[f]).map((f) => h.flows.rate[f]);
    expect(rates).toEqual([30, 0, 70]);
    h.sim.run();
    // "leftover" ends at 10 + 700/70 = 20. At 50, "first" (1500 B left) and "blocked" get 15 each:
    // blocked ends at 70; first, with 1200 B left then, keeps 15 until the step at 100 (750 B left)
    // and 30 after: it ends at 125.
    expect(h.arrivals.map((a) => [a.tag, a.at])).toEqual([["leftover", 20], ["blocked", 70], ["first", 125]]);
  });

  it("never fills a link past its capacity, and every byte arrives (random plans)", () => {
    const rng = new Rng(7);
    for (let plan = 0; plan < 20; plan++) {
      const peers = 6;
      const up = Array.from({ length: peers }, () => 10 + Math.floor(rng.next() * 90));
      const down = Array.from({ length: peers }, () => 20 + Math.floor(rng.next() * 200));
      const h = carrierHarness("maxmin", up, down, 3, 25);
      let sent = 0;
      for (let i = 0; i < 40; i++) {
        const from = Math.floor(rng.next() * peers);
        const to = (from + 1 + Math.floor(rng.next() * (peers - 1))) % peers;
        const bytes = 100 + Math.floor(rng.next() * 5000);
        sent += bytes;
        h.sim.at(Math.floor(rng.next() * 500), () => h.send(from, to, bytes));
      }
      // The fullest any link gets, as a fraction of its capacity, checked after every event.
      let fullest = 0;
      while (h.sim.step()) {
        const f = h.flows;
        const upLoad = new Array<number>(peers).fill(0);
        const downLoad = new Array<number>(peers).fill(0);
        for (let s = 0; s < f.slotCount; s++) {
          if (!f.live[s]) continue;
          upLoad[f.from[s]!]! += f.rate[s]!;
          downLoad[f.to[s]!]! += f.rate[s]!;
        }
        for (let p = 0; p < peers; p++) fullest = Math.max(fullest, upLoad[p]! / up[p]!, downLoad[p]! / down[p]!);
      }
      expect(fullest).toBeLessThanOrEqual(1 + 1e-9);
      expect(fullest).toBeGreaterThan(0.99);
      expect(h.arrivals.reduce((a, x) => a + x.bytes, 0)).toBe(sent);
    }
  });
});
