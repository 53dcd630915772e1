import { describe, expect, it } from "vitest";
import type { ItemLedger } from "../../../sim/overlays/shared/item-ledger.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** A static hybrid network of 200 peers (central index or super-peers), constant latency; the arguments override the defaults here. */
function hybridRun(overlay: object, extra: { adversaries?: object; faults?: object[]; duration?: string; lookups?: number; churn?: object; replicas?: number } = {}) {
  const scenario = validateScenario(
    {
      seed: 6,
      duration: extra.duration ?? "2m",
      peers: { count: 200, joinOver: "10s" },
      network: { latency: { model: "constant", delay: "20ms" } },
      churn: extra.churn ?? { model: "none" },
      overlay: { type: "hybrid", keepAliveInterval: "10s", replication: { replicas: extra.replicas ?? 3 }, ...overlay },
      workload: { keys: 300, popularity: { distribution: "uniform" }, lookups: { count: extra.lookups ?? 600 }, timeout: "10s" },
      metrics: { warmup: "30s", interval: "10s" },
      ...(extra.adversaries ? { adversaries: extra.adversaries } : {}),
      ...(extra.faults ? { faults: extra.faults } : {}),
    },
    "hybrid-adversaries.yaml",
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  return { simulation, ...simulation.finish() };
}

const counter = (summary: { counters: Record<string, number> }, name: string) => summary.counters[name] ?? 0;

const CENTRAL = { mode: "central" } as const;
const SUPER = { mode: "super-peer", superPeers: { fraction: 0.1, degree: 4, ttl: 4 } } as const;

describe("hybrid: index poisoning (misroute)", () => {
  it("central: poisoners registered for every key crowd out the true holders in index answers", () => {
    const honest = hybridRun(CENTRAL).summary;
    const poisoned = hybridRun(CENTRAL, { adversaries: { fraction: 0.1, behaviours: ["misroute"] } }).summary;
    expect(honest.lookups.successRatio).toBe(1);
    expect(counter(poisoned, "adversary_misroutes")).toBeGreaterThan(500);
    expect(counter(poisoned, "lookups_ended_malicious")).toBeGreaterThan(100);
    expect(poisoned.lookups.successRatio).toBeLessThan(0.8);
    // Decoy fetches cost hops: each one the requester tries is one more.
    expect(poisoned.lookups.hops.mean).toBeGreaterThan(honest.lookups.hops.mean + 1);
  });

  it("central: poisoners that also tamper hand out decoys, accepted without verification", () => {
    const trusting = hybridRun(CENTRAL, { adversaries: { fraction: 0.1, behaviours: ["misroute", "tamper"] } }).summary;
    const verifying = hybridRun(CENTRAL, { adversaries: { fraction: 0.1, behaviours: ["misroute", "tamper"], verify: true } }).summary;
    expect(counter(trusting, "tampered_accepted")).toBeGreaterThan(300);
    expect(trusting.lookups.successRatio).toBeLessThan(0.3);
    expect(counter(verifying, "tampered_accepted")).toBe(0);
    expect(counter(verifying, "tampered_detected")).toBeGreaterThan(300);
    expect(verifying.lookups.successRatio).toBeGreaterThan(trusting.lookups.successRatio + 0.2);
  });

  it("super-peers: malicious super-peers answer with malicious holders only and pass no query on", () => {
    const honest = hybridRun(SUPER).summary;
    // A fifth of the pool poisons: 3 of the 20 super-peers, with 19 leaves between them, and 37 leaves registering every key.
    const poisoned = hybridRun(SUPER, { adversaries: { fraction: 0.2, behaviours: ["misroute"] } }).summary;
    expect(honest.lookups.successRatio).toBeGreaterThan(0.98);
    expect(counter(poisoned, "adversary_misroutes")).toBeGreaterThan(1000);
    // Leaves of malicious super-peers see only decoys; the others wade through decoy fetches.
    expect(poisoned.lookups.successRatio).toBeLessThan(honest.lookups.successRatio - 0.04);
    expect(poisoned.lookups.hops.mean).toBeGreaterThan(honest.lookups.hops.mean + 3);
  });

  it("is deterministic", () => {
    const run = () => JSON.stringify(hybridRun(SUPER, { lookups: 200, adversaries: { fraction: 0.1, behaviours: ["misroute", "tamper"], verify: true } }).summary);
    expect(run()).toBe(run());
  });
});

describe("hybrid: tampering holders", () => {
  for (const [name, overlay] of [
    ["central", CENTRAL],
    ["super-peer", SUPER],
  ] as const) {
    it(`${name}: corrupted files are accepted without verification; with it the next holder serves the file`, () => {
      const trusting = hybridRun(overlay, { adversaries: { fraction: 0.3, behaviours: ["tamper"] } }).summary;
      const verifying = hybridRun(overlay, { adversaries: { fraction: 0.3, behaviours: ["tamper"], verify: true } }).summary;
      expect(counter(trusting, "tampered_accepted")).toBeGreaterThan(50);
      expect(counter(trusting, "tampered_detected")).toBe(0);
      expect(counter(trusting, "lookups_ended_malicious")).toBeGreaterThanOrEqual(counter(trusting, "tampered_accepted"));
      expect(counter(verifying, "tampered_detected")).toBeGreaterThan(50);
      expect(counter(verifying, "tampered_accepted")).toBe(0);
      expect(verifying.lookups.successRatio).toBeGreaterThan(trusting.lookups.successRatio + 0.1);
    });
  }
});

describe("hybrid: frozen maintenance", () => {
  for (const [name, overlay] of [
    ["central", CENTRAL],
    ["super-peer", SUPER],
  ] as const) {
    it(`${name}: keep-alives, pings and sweeps stop in the frozen window and resume after it`, () => {
      const { timeSeries, summary } = hybridRun(overlay, { duration: "3m", faults: [{ kind: "freeze", at: "60s", until: "120s" }] });
      const at = (s: number) => timeSeries.find((row) => row.time_s === s)!;
      for (const s of [50, 60, 140, 150, 180]) expect(at(s).messages_maintenance as number).toBeGreaterThan(100);
      for (const s of [80, 90, 100, 110, 120]) {
        expect(at(s).messages_maintenance).toBe(0);
        expect(at(s).lookups_succeeded as number).toBeGreaterThan(0);
      }
      // Nobody was purged for the silence of the frozen window: lookups went on succeeding after it.
      expect(summary.counters.purgedByTimeout).toBe(0);
      for (const s of [150, 160, 170, 180]) expect(at(s).success_ratio as number).toBeGreaterThan(0.95);
    });
  }
});

describe("hybrid: availability", () => {
  it("a key is available while one of its holders is online; holders keep their files, so none is lost", () => {
    const churn = { model: "sessions", session: { distribution: "exponential", mean: "2m" }, offline: { distribution: "exponential", mean: "2m" } };
    const { simulation, timeSeries } = hybridRun(CENTRAL, { churn, duration: "4m", lookups: 200, replicas: 1 });
    const ledger = (simulation.overlay as unknown as { ledger: ItemLedger }).ledger;
    const available = new Set<number>();
    for (const peer of simulation.population.livePeers()) for (const key of ledger.itemsOf(peer)) available.add(key);
    const last = timeSeries[timeSeries.length - 1]!;
    expect(last.items_stored).toBe(300);
    expect(last.items_available).toBe(available.size);
    expect(last.items_lost).toBe(0);
    // One copy per key and half the pool offline: about half the keys are out of reach.
    expect(available.size).toBeGreaterThan(90);
    expect(available.size).toBeLessThan(210);
    for (const row of timeSeries) expect(row.items_available as number).toBeLessThanOrEqual(300);
  });
});
