import { describe, expect, it } from "vitest";
import { Rng } from "../../sim/engine/rng.js";
import { Simulator } from "../../sim/engine/simulator.js";
import { LookupTable } from "../../sim/metrics/lookups.js";
import { Recorder } from "../../sim/metrics/recorder.js";
import { makePolicy } from "../../sim/network/carriers/carrier.js";
import { makeLatencyModel } from "../../sim/network/latency-models.js";
import { Links } from "../../sim/network/links.js";
import { Meter } from "../../sim/network/meter.js";
import { Network } from "../../sim/network/network.js";
import { OverlayRuntime } from "../../sim/overlays/context.js";
import type { Message, MessageTypes } from "../../sim/core/protocol.js";
import { HostCache } from "../../sim/peers/bootstrap.js";
import { Population } from "../../sim/peers/population.js";

/**
 * ctx.transfer: data over links (network.bandwidth), bound to the
 * receiver's session, cut when an end goes away or a partition separates
 * them, re-rated by a capacity change.
 */
function world(bandwidth = true) {
  const sim = new Simulator();
  const population = new Population();
  const latency = makeLatencyModel({ model: "constant", delay: 10 });
  const recorder = new Recorder({ warmupMs: 0, intervalMs: 1000, messageTypes: [{ name: "ping", category: "maintenance" }] });
  const links = new Links({}, new Rng(1), () => undefined);
  const meter = new Meter(0);
  const network: Network = new Network({
    sim,
    rng: new Rng(1),
    latency,
    loss: 0,
    population,
    recorder,
    lookups: new LookupTable(),
    messageTypes: { ping: { category: "maintenance", bytes: 10 } } as MessageTypes<Message>,
    deliver: () => {},
    ...(bandwidth ? { bandwidth: { links, meter, policy: makePolicy("maxmin"), carryMessages: false } } : {}),
  });
  const runtime = new OverlayRuntime<Message>({
    sim,
    rng: new Rng(1),
    network,
    population,
    hostCache: new HostCache(4, 2, new Rng(1)),
    recorder,
    lookupTypes: new Set(),
    lookupSucceeded: () => {},
    lookupFailed: () => {},
  });
  for (let i = 0; i < 3; i++) {
    latency.place(population.create(), new Rng(1));
    population.markOnline(i);
    network.peerUp(i);
    links.set(i, 100, 1000); // bytes per ms
  }
  const log: string[] = [];
  const transfer = (from: number, to: number, bytes: number, tag: string) =>
    runtime.context.transfer(from, to, bytes, () => log.push(`${tag} done ${sim.now}`), () => log.push(`${tag} aborted ${sim.now}`));
  const down = (peer: number) => {
    population.markOffline(peer);
    network.peerDown(peer);
  };
  return { sim, population, network, meter, ctx: runtime.context, log, transfer, down };
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
