import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

type Summary = {
  overlay: Record<string, number>;
  counters: Record<string, number>;
  broadcasts: { coverage: { mean: number }; messagesPerPeer: number; timeToMs: { p100: { mean: number } } };
  traffic: { messages: number; undelivered: number; byType: Record<string, { messages: number; bytes: number }> };
};

/** `peers` sites gossiping `items` items in rounds of 1 s (10 ms messages), event- or cycle-driven. */
function run(overlay: Record<string, unknown>, options: { peers?: number; items?: number; seed?: number; churn?: boolean; scenario?: Record<string, unknown> } = {}) {
  const scenario = validateScenario(
    {
      seed: options.seed ?? 3,
      duration: "400s",
      peers: { count: options.peers ?? 300 },
      network: { latency: { model: "constant", delay: "10ms" } },
      ...(options.churn
        ? { churn: { model: "sessions", session: { distribution: "exponential", mean: "5m" }, offline: { distribution: "exponential", mean: "2m" } } }
        : {}),
      overlay: { type: "gossip", round: "1s", memory: "1m", ...overlay },
      workload: { lookups: { count: 0 }, broadcasts: { count: options.items ?? 10, window: "60s", bytes: 100 } },
      metrics: { warmup: "5s", interval: "50s" },
      ...options.scenario,
    },
    "gossip-cycles-test.yaml",
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  return { summary: simulation.finish().summary as unknown as Summary, events: simulation.sim.eventsRun };
}

const both = (overlay: Record<string, unknown>, options: Parameters<typeof run>[1] = {}) => ({
  events: run({ ...overlay, execution: "events" }, options),
  cycles: run({ ...overlay, execution: "cycles" }, options),
});

describe("gossip overlay, execution: cycles", () => {
  it("reaches the partner in the cycle after publication: a broadcast at 0.5 s reaches the other site at the 1 s cycle", () => {
    const { summary } = run({ algorithm: "rumour", execution: "cycles" }, { peers: 2, items: 1, scenario: { workload: { lookups: { count: 0 }, broadcasts: { count: 1, window: "60s", bytes: 100 } } } });
    expect(summary.overlay.residue).toBe(0);
    expect(summary.overlay.roundsLast).toBe(1);
    // Reached at the cycle's time: 100 % is reached at the first cycle after publication.
    const t = summary.broadcasts.timeToMs.p100.mean;
    expect(t).toBeGreaterThan(0);
    expect(t).toBeLessThanOrEqual(1000);
  });

  it("runs one engine event per round, not one per peer and message", () => {
    const { events, cycles } = both({ algorithm: "rumour", k: 2 });
    // 400 cycles plus the workload's and the metrics' own events.
    expect(cycles.events).toBeLessThan(500);
    expect(events.events).toBeGreaterThan(100_000);
  });

  it("gives exactly the same numbers for the same seed", () => {
    const a = run({ algorithm: "rumour", k: 2, execution: "cycles" });
    const b = run({ algorithm: "rumour", k: 2, execution: "cycles" });
    expect(a.summary).toEqual(b.summary);
    expect(a.summary.overlay).toEqual({ itemsEnded: 10, residue: 0.051, trafficPerPeer: 3.0263, roundsMean: 8.092, roundsLast: 13.4 });
  });

  it("agrees with the event mode on residue and traffic: push rumour, feedback and counter", () => {
    const { events, cycles } = both({ algorithm: "rumour", direction: "push", k: 2 }, { peers: 1000, items: 20 });
    expect(Math.abs(cycles.summary.overlay.residue! - events.summary.overlay.residue!)).toBeLessThan(0.02);
    expect(cycles.summary.overlay.trafficPerPeer! / events.summary.overlay.trafficPerPeer!).toBeCloseTo(1, 1);
    expect(Math.abs(cycles.summary.overlay.roundsLast! - events.summary.overlay.roundsLast!)).toBeLessThan(1.5);
  });

  it("agrees with the event mode: blind and coin, pull, and push with fan-out 2", () => {
    for (const overlay of [
      { algorithm: "rumour", direction: "push", feedback: false, loseInterest: "coin", k: 3 },
      { algorithm: "rumour", direction: "pull", k: 1 },
      { algorithm: "rumour", direction: "push", k: 1, fanout: 2 },
    ]) {
      const { events, cycles } = both(overlay, { peers: 1000, items: 20 });
      expect(Math.abs(cycles.summary.overlay.residue! - events.summary.overlay.residue!)).toBeLessThan(0.03);
      expect(cycles.summary.overlay.trafficPerPeer! / events.summary.overlay.trafficPerPeer!).toBeCloseTo(1, 1);
    }
  });

  it("pull anti-entropy gives the event mode's figures exactly, seed for seed", () => {
    // Pull draws the same partners in the same order in both modes, and 10 ms messages finish every exchange inside its round.
    const { events, cycles } = both({ algorithm: "anti-entropy", direction: "pull" });
    expect(cycles.summary.overlay).toEqual(events.summary.overlay);
    expect(cycles.summary.overlay).toEqual({ itemsEnded: 10, residue: 0, trafficPerPeer: 0.9967, roundsMean: 8.528, roundsLast: 11.9 });
  });

  it("agrees with the event mode on anti-entropy rounds: push, pull, push-pull", () => {
    for (const direction of ["push", "pull", "push-pull"]) {
      const { events, cycles } = both({ algorithm: "anti-entropy", direction });
      expect(cycles.summary.overlay.residue).toBe(0);
      expect(Math.abs(cycles.summary.overlay.roundsLast! - events.summary.overlay.roundsLast!)).toBeLessThan(1.5);
      expect(cycles.summary.overlay.trafficPerPeer! / events.summary.overlay.trafficPerPeer!).toBeCloseTo(1, 1);
    }
  });

  it("push-pull rumours: both modes give the same run, and pulling beats pushing alone", () => {
    // A site infected by a push does not count the digest of the same exchange as a contact of its own,
    // and interest lost in a round takes effect once the round's exchanges are done (events: after the
    // instant's other digests; cycles: when the cycle ends), so neither mode depends on arrival order.
    const { events, cycles } = both({ algorithm: "rumour", direction: "push-pull", k: 1 }, { peers: 1000, items: 20 });
    const push = run({ algorithm: "rumour", direction: "push", k: 1, execution: "cycles" }, { peers: 1000, items: 20 });
    expect(events.summary.overlay.residue).toBe(0.05045);
    expect(cycles.summary.overlay.residue).toBe(events.summary.overlay.residue);
    expect(cycles.summary.overlay.trafficPerPeer).toBe(events.summary.overlay.trafficPerPeer);
    expect(cycles.summary.overlay.roundsLast).toBe(events.summary.overlay.roundsLast);
    expect(push.summary.overlay.residue).toBe(0.17295);
    expect(events.summary.overlay.residue).toBeLessThan(push.summary.overlay.residue! / 3);
  });

  it("counts the messages it carries inline as the event mode counts sent ones", () => {
    const { events, cycles } = both({ algorithm: "rumour", direction: "push", feedback: false, loseInterest: "counter", k: 2 });
    for (const s of [events.summary, cycles.summary]) {
      const t = s.traffic.byType;
      // Every update is counted, and answered by one ack (nobody leaves); only updates are charged to broadcasts.
      expect(t.update!.messages).toBe(s.counters.updatesSent);
      expect(t.ack!.messages).toBe(t.update!.messages);
      expect(t.update!.bytes).toBe(t.update!.messages * (40 + 16 + 100));
      expect(t.ack!.bytes).toBe(t.ack!.messages * 49);
      expect(s.broadcasts.messagesPerPeer).toBeCloseTo(s.overlay.trafficPerPeer!, 1);
    }
    // Anti-entropy: digests and wants are counted too.
    const ae = run({ algorithm: "anti-entropy", direction: "push-pull", execution: "cycles" }).summary.traffic.byType;
    expect(ae.digest!.messages).toBeGreaterThan(0);
    expect(ae.want!.messages).toBeGreaterThan(0);
  });

  it("under churn, pushes to offline sites go undelivered and coverage matches the event mode", () => {
    const { events, cycles } = both({ algorithm: "rumour", direction: "push", k: 2 }, { peers: 500, items: 20, churn: true });
    expect(cycles.summary.traffic.undelivered).toBeGreaterThan(0);
    const ratio = cycles.summary.traffic.undelivered / cycles.summary.traffic.byType.update!.messages;
    const eventRatio = events.summary.traffic.undelivered / events.summary.traffic.byType.update!.messages;
    expect(Math.abs(ratio - eventRatio)).toBeLessThan(0.05);
    expect(Math.abs(cycles.summary.broadcasts.coverage.mean - events.summary.broadcasts.coverage.mean)).toBeLessThan(0.05);
  });

  it("rejects what it cannot run, naming the field", () => {
    const scenario = (overlay: Record<string, unknown>, network: Record<string, unknown> = {}) => ({
      duration: "60s",
      peers: { count: 20 },
      network,
      overlay: { type: "gossip", execution: "cycles", ...overlay },
      workload: { lookups: { count: 0 }, broadcasts: { count: 1, window: "10s" } },
      metrics: { warmup: "0s" },
    });
    expect(() => validateScenario(scenario({ membership: { kind: "partial" } }), "c.yaml")).toThrow(
      /overlay\.membership\.kind: expected "full" with execution: cycles .*got "partial"/,
    );
    expect(() => validateScenario(scenario({ timing: "random-phase" }), "c.yaml")).toThrow(/overlay\.timing: expected "synchronous" with execution: cycles/);
    expect(() => validateScenario(scenario({}, { loss: 0.01 }), "c.yaml")).toThrow(/overlay\.execution: expected "events" with network\.loss 0\.01/);
    expect(() => validateScenario(scenario({ execution: "cycle" }), "c.yaml")).toThrow(/overlay\.execution: expected one of "events", "cycles", got "cycle"/);
    expect(() => validateScenario(scenario({}), "c.yaml")).not.toThrow();
  });
});
