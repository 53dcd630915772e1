import { describe, expect, it } from "vitest";
import type { Message, MessageTypes } from "../../sim/core/protocol.js";
import { Rng } from "../../sim/engine/rng.js";
import { Simulator } from "../../sim/engine/simulator.js";
import { LookupTable } from "../../sim/metrics/lookups.js";
import { Recorder } from "../../sim/metrics/recorder.js";
import { makePolicy } from "../../sim/network/carriers/carrier.js";
import { makeLatencyModel } from "../../sim/network/latency-models.js";
import { Links } from "../../sim/network/links.js";
import { Meter } from "../../sim/network/meter.js";
import { Network } from "../../sim/network/network.js";
import { Population } from "../../sim/peers/population.js";

/** network.bandwidth.messages: "carried" — overlay messages queue on the links by their size. */
function world(carryMessages: boolean) {
  const sim = new Simulator();
  const population = new Population();
  const latency = makeLatencyModel({ model: "constant", delay: 10 });
  const links = new Links({}, new Rng(1), () => undefined);
  const received: string[] = [];
  const network = new Network({
    sim,
    rng: new Rng(1),
    latency,
    loss: 0,
    population,
    recorder: new Recorder({ warmupMs: 0, intervalMs: 1000, messageTypes: [{ name: "blob", category: "maintenance" }] }),
    lookups: new LookupTable(),
    messageTypes: { blob: { category: "maintenance", bytes: (m: Message & { size?: number }) => m.size ?? 0 } } as MessageTypes<Message>,
    deliver: (to, _from, msg) => received.push(`${(msg as { tag?: string }).tag} at ${sim.now}`),
    bandwidth: { links, meter: new Meter(0), policy: makePolicy("serial"), carryMessages },
  });
  for (let i = 0; i < 2; i++) {
    latency.place(population.create(), new Rng(1));
    population.markOnline(i);
    links.set(i, 100, 100);
  }
  return { sim, network, received };
}

describe("carried messages", () => {
  it("queue on the sender's link one after another (serial) and then take their latency", () => {
    const w = world(true);
    w.network.send(0, 1, { type: "blob", size: 1000, tag: "a" } as Message);
    w.network.send(0, 1, { type: "blob", size: 500, tag: "b" } as Message);
    w.sim.run();
    expect(w.received).toEqual(["a at 20", "b at 25"]);
  });

  it("take their latency only by default", () => {
    const w = world(false);
    w.network.send(0, 1, { type: "blob", size: 1000, tag: "a" } as Message);
    w.sim.run();
    expect(w.received).toEqual(["a at 10"]);
  });
});
