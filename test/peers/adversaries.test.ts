import { describe, expect, it } from "vitest";
import { Rng } from "../../sim/engine/rng.js";
import { contentHash } from "../../sim/core/content-hash.js";
import { Adversaries, corrupted } from "../../sim/peers/adversaries.js";
import { Simulation } from "../../sim/run/simulation.js";
import { validateScenario } from "../../sim/scenario/load.js";

/**
 * The adversary model itself: who is malicious and how, and what a tamperer
 * hands out; and the one behaviour that needs no overlay code, dropping, on
 * every overlay. Judging answers is the runtime's (test/overlays/answers.test.ts);
 * misrouting and tampering are each overlay's (tests under test/overlays/).
 */

function adversaries(spec: ConstructorParameters<typeof Adversaries>[0], pool = 100) {
  const log: string[] = [];
  const a = new Adversaries(spec, Array.from({ length: pool }, (_, i) => i), new Rng(5).fork("adversaries"), {
    count: (name) => log.push(name),
  });
  return { a, log };
}

describe("the adversary model", () => {
  it("picks round(fraction · pool) malicious peers, fixed by the seed, with the chosen behaviours", () => {
    const { a } = adversaries({ fraction: 0.25, behaviours: ["misroute", "tamper"], verify: false });
    expect(a.active).toBe(true);
    expect(a.accomplices).toHaveLength(25);
    expect([...a.accomplices]).toEqual([...a.accomplices].sort((x, y) => x - y));
    expect(adversaries({ fraction: 0.25, behaviours: ["drop"], verify: false }).a.accomplices).toEqual(a.accomplices);
    const bad = a.accomplices[0]!;
    const good = Array.from({ length: 100 }, (_, i) => i).find((p) => !a.isMalicious(p))!;
    expect([a.misroutes(bad), a.tampers(bad), a.drops(bad)]).toEqual([true, true, false]);
    expect([a.misroutes(good), a.tampers(good), a.isMalicious(good)]).toEqual([false, false, false]);
    expect(a.isMalicious(10_000)).toBe(false); // a peer created after the pool (a flash crowd) is honest
  });

  it("is inactive without adversaries or with fraction 0", () => {
    expect(adversaries(undefined).a.active).toBe(false);
    expect(adversaries({ fraction: 0, behaviours: ["drop"], verify: false }).a.active).toBe(false);
  });

  it("a tamperer's value is never the content hash", () => {
    for (let k = 0; k < 1000; k++) expect(corrupted(k)).not.toBe(contentHash(k));
    expect([contentHash(42), corrupted(42)]).toEqual([2599351197, 3242138120]);
  });

  it("counts what malicious peers do", () => {
    const { a, log } = adversaries({ fraction: 0.5, behaviours: ["misroute", "drop"], verify: false });
    a.misrouted();
    a.dropped();
    expect(log).toEqual(["adversary_misroutes", "adversary_dropped"]);
  });
});

const OVERLAYS: Record<string, Record<string, unknown>> = {
  flooding: { type: "unstructured", degree: 6, search: { method: "flood", ttl: 4 }, replication: { replicas: 3 } },
  "random-walk": { type: "unstructured", degree: 6, search: { method: "random-walk", walkers: 4, ttl: 64 }, replication: { replicas: 3 } },
  "central-index": { type: "hybrid", mode: "central", replication: { replicas: 3 } },
  "super-peers": { type: "hybrid", mode: "super-peer", replication: { replicas: 3 } },
  chord: { type: "chord", stabilizeInterval: "5s", fixFingersInterval: "5s", checkPredecessorInterval: "5s" },
  kademlia: { type: "kademlia" },
};

function run(overlay: Record<string, unknown>, adversaries?: Record<string, unknown>) {
  const simulation = new Simulation(
    validateScenario(
      {
        name: "adversaries",
        seed: 2,
        duration: "6m",
        peers: { count: 150, joinOver: "20s" },
        network: { latency: { model: "constant", delay: "40ms" } },
        overlay,
        workload: { keys: 200, popularity: { distribution: "uniform" }, lookups: { rate: "4/s" }, timeout: "10s" },
        metrics: { warmup: "2m", interval: "30s" },
        ...(adversaries ? { adversaries } : {}),
      },
      "adversaries-test.yaml",
    ),
  );
  simulation.runToEnd();
  return simulation.finish().summary as { counters: Record<string, number>; lookups: { successRatio: number; latencyMs: { mean: number } } };
}

describe.each(Object.entries(OVERLAYS))("dropping peers on %s", (_name, overlay) => {
  it("swallow lookup traffic: adversary_dropped counts it, and lookups get slower or fail", () => {
    const honest = run(overlay);
    const dropped = run(overlay, { fraction: 0.3, behaviours: ["drop"] });
    expect(honest.counters.adversary_dropped).toBeUndefined();
    expect(dropped.counters.adversary_dropped).toBeGreaterThan(100);
    const worse = dropped.lookups.successRatio < honest.lookups.successRatio || dropped.lookups.latencyMs.mean > honest.lookups.latencyMs.mean * 1.2;
    expect(worse).toBe(true);
  });
});
