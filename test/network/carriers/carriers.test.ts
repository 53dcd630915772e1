import { describe, expect, it } from "vitest";
import { carrierHarness } from "./harness.js";

/**
 * The closed forms every carrier must reproduce exactly: one transfer, k
 * equal transfers from one uplink, and staggered starts worked out by hand.
 * Capacities in bytes/ms, sizes in bytes, times in ms.
 */
describe("carriers: exact transfer times", () => {
  it("one transfer takes latency + size / min(up, down) on serial and maxmin", () => {
    for (const model of ["serial", "maxmin"] as const) {
      const h = carrierHarness(model, [250, 1000], [1000, 125], 40);
      h.send(0, 1, 1_000_000);
      h.sim.run();
      expect(h.arrivals).toEqual([{ from: 0, to: 1, bytes: 1_000_000, at: 40 + 1_000_000 / 125, tag: "" }]);
    }
  });

  it("share leaves downlinks unlimited: one transfer takes latency + size / up", () => {
    const h = carrierHarness("share", [250, 1000], [1000, 125], 40);
    h.send(0, 1, 1_000_000);
    h.sim.run();
    expect(h.arrivals[0]!.at).toBe(40 + 1_000_000 / 250);
  });

  it("none takes the latency only", () => {
    const h = carrierHarness("none", [250, 1000], [1000, 125], 40);
    h.send(0, 1, 1_000_000);
    h.sim.run();
    expect(h.arrivals[0]!.at).toBe(40);
  });

  it("k equal transfers from one uplink finish together at latency + k·size/up (share, maxmin)", () => {
    for (const model of ["share", "maxmin"] as const) {
      const k = 8;
      const h = carrierHarness(model, [100, ...Array(k).fill(1e9)], [1e9, ...Array(k).fill(1e9)], 10);
      for (let i = 1; i <= k; i++) h.send(0, i, 50_000);
      h.sim.run();
      expect(h.arrivals.map((a) => a.at)).toEqual(Array(k).fill(10 + (k * 50_000) / 100));
    }
  });

  it("serial sends k transfers one after another", () => {
    const h = carrierHarness("serial", [100, 1e9, 1e9, 1e9], [1e9, 1e9, 1e9, 1e9], 10);
    for (let i = 1; i <= 3; i++) h.send(0, i, 1000);
    h.sim.run();
    expect(h.arrivals.map((a) => [a.to, a.at])).toEqual([[1, 20], [2, 30], [3, 40]]);
  });

  it("staggered starts give the piecewise times worked out by hand", () => {
    // Uplink 100 B/ms. A (1000 B) starts at 0 and has 500 B left at 5, when B (1000 B) starts;
    // both then move at 50 B/ms, so A ends at 5 + 500/50 = 15 with B half done; B alone at 100 B/ms
    // ends at 15 + 500/100 = 20. Latency 10 on top.
    for (const model of ["share", "maxmin"] as const) {
      const h = carrierHarness(model, [100, 1e9, 1e9], [1e9, 1e9, 1e9], 10);
      h.send(0, 1, 1000, "A");
      h.sim.at(5, () => h.send(0, 2, 1000, "B"));
      h.sim.run();
      expect(h.arrivals.map((a) => [a.tag, a.at])).toEqual([["A", 25], ["B", 30]]);
    }
  });

  it("maxmin: a downlink bottleneck frees uplink capacity for the other transfer", () => {
    // Peer 0 uploads 100 B/ms to peers 1 and 2; peer 1 downloads only 20 B/ms, so 1 gets 20 and 2 gets 80.
    const h = carrierHarness("maxmin", [100, 1e9, 1e9], [1e9, 20, 1e9], 0);
    h.send(0, 1, 2000, "slow");
    h.send(0, 2, 8000, "fast");
    h.sim.run();
    expect(h.arrivals.map((a) => [a.tag, a.at])).toEqual([["slow", 100], ["fast", 100]]);
  });

  it("changes at one instant are solved once", () => {
    const h = carrierHarness("maxmin", [100, 1e9, 1e9, 1e9], [1e9, 1e9, 1e9, 1e9], 0);
    for (let i = 1; i <= 3; i++) h.send(0, i, 1000);
    h.sim.run();
    // One solve for the three starts; one for the three ends (they finish together).
    expect(h.flows.solves).toBe(2);
  });

  it("a sender leaving cuts its transfers; the receiver hears what moved", () => {
    const h = carrierHarness("share", [100, 1e9], [1e9, 1e9], 0);
    h.send(0, 1, 1000, "A");
    h.sim.at(4, () => {
      h.online.delete(0);
      h.flows.peerDown(0);
    });
    h.sim.run();
    expect(h.arrivals).toEqual([]);
    expect(h.losses).toEqual([{ tag: "A", moved: 400, at: 4 }]);
  });

  it("a capacity change re-rates transfers in flight", () => {
    const h = carrierHarness("maxmin", [100, 1e9], [1e9, 1e9], 0);
    h.send(0, 1, 1000);
    h.sim.at(5, () => h.flows.setCapacityFactor(0.5)); // 500 B left at 50 B/ms
    h.sim.run();
    expect(h.arrivals[0]!.at).toBe(15);
  });

  it("deliveries between one pair keep their order despite latency", () => {
    const h = carrierHarness("maxmin", [100, 1e9], [1e9, 1e9], 0);
    let latency = 50;
    (h.carrier as unknown as { o: { propagation: () => number } }).o.propagation = () => (latency -= 20);
    h.send(0, 1, 100, "first");
    h.sim.at(1, () => h.send(0, 1, 100, "second"));
    h.sim.run();
    // first: sent by 1, latency 30 → 31; second: sent by 2, latency 10 → 12, held until 31.
    expect(h.arrivals.map((a) => [a.tag, a.at])).toEqual([["first", 31], ["second", 31]]);
  });
});
