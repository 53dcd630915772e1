import { describe, expect, it } from "vitest";
import { Rng } from "../../sim/engine/rng.js";
import { Simulator } from "../../sim/engine/simulator.js";
import { LookupTable } from "../../sim/metrics/lookups.js";
import { Recorder } from "../../sim/metrics/recorder.js";
import { makeLatencyModel } from "../../sim/network/latency-models.js";
import { Network } from "../../sim/network/network.js";
import type { Message, MessageTypes } from "../../sim/core/protocol.js";
import { Population } from "../../sim/peers/population.js";

type TestMessage = { type: "hello"; lookup?: number } | { type: "bulk"; items: number[] };
const types: MessageTypes<TestMessage> = {
  hello: { category: "maintenance", bytes: 60 },
  bulk: { category: "lookup", bytes: (m) => 40 + 10 * m.items.length },
};

function setup(loss = 0, countLoad?: boolean) {
  const sim = new Simulator();
  const population = new Population();
  const latency = makeLatencyModel({ model: "constant", delay: 25 });
  const recorder = new Recorder({
    warmupMs: 0,
    intervalMs: 1000,
    messageTypes: [
      { name: "hello", category: "maintenance" },
      { name: "bulk", category: "lookup" },
    ],
  });
  const lookups = new LookupTable();
  const received: { to: number; from: number; msg: Message; at: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const p = population.create();
    latency.place(p, new Rng(1));
    population.markOnline(p);
  }
  const network = new Network({
    sim,
    rng: new Rng(1).fork("network"),
    latency,
    loss,
    population,
    recorder,
    lookups,
    messageTypes: types as MessageTypes<Message>,
    deliver: (to, from, msg) => received.push({ to, from, msg, at: sim.now }),
    ...(countLoad !== undefined ? { countLoad } : {}),
  });
  return { sim, population, recorder, lookups, network, received };
}

describe("Network", () => {
  it("delivers after the latency and counts messages and bytes by type", () => {
    const { sim, network, received, recorder } = setup();
    network.send(0, 1, { type: "hello" });
    network.send(1, 2, { type: "bulk", items: [1, 2, 3] } as Message);
    sim.run();
    expect(received.map((r) => [r.from, r.to, r.msg.type, r.at])).toEqual([
      [0, 1, "hello", 25],
      [1, 2, "bulk", 25],
    ]);
    const s = recorder.at(sim.now).summary({ endMs: 1000, unfinishedLookups: 0, perLookupMessages: [], perLookupBytes: [] });
    expect(s.traffic.byType).toEqual({
      hello: { category: "maintenance", messages: 1, bytes: 60 },
      bulk: { category: "lookup", messages: 1, bytes: 70 },
    });
    expect(s.traffic.maintenanceBytes).toBe(60);
    expect(s.traffic.lookupBytes).toBe(70);
  });

  it("drops messages to a peer that is offline when they arrive; the sender is not told", () => {
    const { sim, network, received, population, recorder } = setup();
    network.send(0, 1, { type: "hello" });
    sim.schedule(10, () => population.markOffline(1)); // goes offline while the message travels
    sim.run();
    expect(received).toEqual([]);
    const s = recorder.at(sim.now).summary({ endMs: 100, unfinishedLookups: 0, perLookupMessages: [], perLookupBytes: [] });
    expect(s.traffic.undelivered).toBe(1);
    expect(s.traffic.messages).toBe(1); // it was sent, and counted as sent
  });

  it("loses messages with the configured probability", () => {
    const { sim, network, received, recorder } = setup(0.2);
    for (let i = 0; i < 20_000; i++) network.send(0, 1, { type: "hello" });
    sim.run();
    const lost = 20_000 - received.length;
    expect(Math.abs(lost - 4000)).toBeLessThan(5 * Math.sqrt(20_000 * 0.2 * 0.8));
    const s = recorder.at(sim.now).summary({ endMs: 100, unfinishedLookups: 0, perLookupMessages: [], perLookupBytes: [] });
    expect(s.traffic.lost).toBe(lost);
  });

  it("charges a message that works for a lookup to that lookup", () => {
    const { sim, network, lookups } = setup();
    const id = lookups.open(0, 0, 5);
    network.send(0, 1, { type: "hello", lookup: id });
    network.send(1, 2, { type: "hello", lookup: id });
    network.send(1, 2, { type: "hello" });
    sim.run();
    expect(lookups.messages[id]).toBe(2);
    expect(lookups.bytes[id]).toBe(120);
  });

  it("refuses a message type the overlay did not declare", () => {
    const { network } = setup();
    expect(() => network.send(0, 1, { type: "mystery" } as unknown as TestMessage)).toThrow('message type "mystery" is not declared');
  });

  it("counts messages an overlay carried inside a cycle as sent ones, delivering nothing", () => {
    const { sim, network, received, recorder } = setup();
    network.carried("hello", 3, 180, undefined, 1);
    network.carried("bulk", 0, 0, undefined, 0);
    sim.run();
    expect(received).toEqual([]);
    const s = recorder.at(sim.now).summary({ endMs: 1000, unfinishedLookups: 0, perLookupMessages: [], perLookupBytes: [] });
    expect(s.traffic.byType).toEqual({
      hello: { category: "maintenance", messages: 3, bytes: 180 },
      bulk: { category: "lookup", messages: 0, bytes: 0 },
    });
    expect(s.traffic.undelivered).toBe(1);
    expect(() => network.carried("mystery", 1, 10, undefined, 0)).toThrow('message type "mystery" is not declared');
  });

  it("counts messages delivered per peer unless built with countLoad: false, and then says so when asked", () => {
    for (const countLoad of [undefined, true, false]) {
      const { sim, network, received } = setup(0, countLoad);
      network.send(0, 1, { type: "hello" });
      network.send(2, 1, { type: "hello" });
      network.send(1, 2, { type: "hello" });
      sim.run();
      expect(received.length).toBe(3);
      if (countLoad === false) {
        expect(() => network.receivedBy(1)).toThrow(/not counted in this run/);
      } else {
        expect([0, 1, 2, 7].map((p) => network.receivedBy(p))).toEqual([0, 2, 1, 0]);
      }
    }
  });
});
