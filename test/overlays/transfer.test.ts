import { describe, expect, it } from "vitest";
import { testbed } from "../helpers/testbed.js";

/**
 * ctx.transfer: data over links (network.bandwidth), bound to the
 * receiver's session, cut when an end goes away or a partition separates
 * them, re-rated by a capacity change.
 */
function world(bandwidth = true) {
  // Three peers, 10 ms apart, each with 100 bytes/ms up and 1,000 down, on maxmin.
  const bed = testbed({ peers: 3, ...(bandwidth ? { carrier: "maxmin" as const } : {}) });
  const transfer = (from: number, to: number, bytes: number, tag: string) =>
    bed.ctx.transfer(from, to, bytes, () => bed.log.push(`${tag} done ${bed.sim.now}`), () => bed.log.push(`${tag} aborted ${bed.sim.now}`));
  return { ...bed, meter: bed.meter!, transfer };
}

describe("ctx.transfer", () => {
  it("arrives after size / rate + latency, and says bandwidth is on", () => {
    const w = world();
    expect(w.ctx.bandwidth).toBe(true);
    w.transfer(0, 1, 10_000, "a");
    w.sim.run();
    expect(w.log).toEqual(["a done 110"]);
  });

  it("without network.bandwidth takes the latency only", () => {
    const w = world(false);
    expect(w.ctx.bandwidth).toBe(false);
    w.transfer(0, 1, 10_000, "a");
    w.sim.run();
    expect(w.log).toEqual(["a done 10"]);
  });

  it("is aborted when the sender crashes; the receiver hears it and the meter counts what moved", () => {
    const w = world();
    w.transfer(0, 1, 10_000, "a");
    w.sim.at(40, () => w.down(0));
    w.sim.run();
    expect(w.log).toEqual(["a aborted 40"]);
    expect(w.meter.summary(w.sim.now, () => 100)).toMatchObject({ bytesDelivered: 4000, transfersAborted: 1, transfersCompleted: 0 });
  });

  it("is silent when the receiver goes away (its session is over)", () => {
    const w = world();
    w.transfer(0, 1, 10_000, "a");
    w.sim.at(40, () => w.down(1));
    w.sim.run();
    expect(w.log).toEqual([]);
  });

  it("a partition cuts transfers between groups and refuses new ones", () => {
    const w = world();
    w.transfer(0, 1, 10_000, "cross");
    w.transfer(0, 2, 10_000, "same");
    w.sim.at(20, () => {
      w.network.conditions.group = (p) => (p === 1 ? 1 : 0);
      w.network.partitionChanged();
      w.transfer(2, 1, 10, "refused");
    });
    w.sim.run();
    // "same" had 50 B/ms until 20 (1,000 moved), then 100 B/ms: 9,000 / 100 = 90 more, + 10 latency.
    expect(w.log).toEqual(["cross aborted 20", "refused aborted 20", "same done 120"]);
  });

  it("a capacity change (degrade bandwidthFactor) re-rates transfers in flight", () => {
    const w = world();
    w.transfer(0, 1, 10_000, "a");
    w.sim.at(50, () => w.network.setCapacityFactor(0.5));
    w.sim.run();
    // 5,000 moved by 50, then 50 B/ms: 100 more, + 10 latency.
    expect(w.log).toEqual(["a done 160"]);
  });
});
