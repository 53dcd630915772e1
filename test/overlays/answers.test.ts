import { afterEach, describe, expect, it, vi } from "vitest";
import { contentHash } from "../../sim/core/content-hash.js";
import { Adversaries } from "../../sim/peers/adversaries.js";
import { Simulation } from "../../sim/run/simulation.js";
import { validateScenario } from "../../sim/scenario/load.js";
import { testbed } from "../helpers/testbed.js";

/**
 * The runtime's answer service (sim/overlays/answers.ts): what a requester
 * got becomes a verified success, a tampered value caught or accepted, and
 * a lookup ended at a malicious peer, the same way for every overlay. The
 * testbed logs each lookup end and counter increment in order.
 */

const KEY = 7;

afterEach(() => {
  vi.restoreAllMocks();
});

/** Four peers; with `behaviours`, half of them malicious: peers 0 and 3 (seed 1). */
function bed(behaviours?: ("tamper" | "misroute")[], verify = false) {
  const b = testbed({ peers: 4, ...(behaviours ? { adversaries: { fraction: 0.5, behaviours, verify } } : {}) });
  return { ...b, bad: 0, good: 1 };
}

describe("ctx.answer", () => {
  it("the malicious peers of these tests are fixed by the seed", () => {
    expect(bed(["tamper"]).adversaries.accomplices).toEqual([0, 3]);
    expect(bed().adversaries.accomplices).toEqual([]);
  });

  it("an honest holder's value is a verified success at its hops, without asking the adversary model", () => {
    const { ctx, log, good } = bed();
    const asked = [vi.spyOn(Adversaries.prototype, "isMalicious"), vi.spyOn(Adversaries.prototype, "tampers")];
    const value = ctx.valueFrom(good, KEY);
    expect(value).toBe(1655559385); // contentHash(7)
    expect(ctx.answer(1, KEY, good, value, 3)).toBe("verified");
    ctx.lookupSucceeded(2, 0);
    ctx.lookupSucceeded(3, 4, good);
    ctx.lookupFailed(4, good);
    expect(log).toEqual(["lookup 1 succeeded at 3 hops", "lookup 2 succeeded at 0 hops", "lookup 3 succeeded at 4 hops", "lookup 4 failed"]);
    for (const spy of asked) expect(spy).not.toHaveBeenCalled();
  });

  it("a tampering holder's value, with verification: detected, and the lookup goes on", () => {
    const { ctx, log, bad } = bed(["tamper"], true);
    const value = ctx.valueFrom(bad, KEY);
    expect([value, contentHash(KEY)]).toEqual([964443468, 1655559385]);
    expect(ctx.answer(5, KEY, bad, value, 2)).toBe("rejected");
    expect(log).toEqual(["count tampered_received", "count tampered_detected"]);
  });

  it("a tampering holder's value, without verification: accepted, the lookup fails and ended at a malicious peer", () => {
    const { ctx, log, bad } = bed(["tamper"], false);
    expect(ctx.answer(6, KEY, bad, ctx.valueFrom(bad, KEY), 2)).toBe("accepted");
    expect(log).toEqual(["count tampered_received", "count tampered_accepted", "lookup 6 failed", "count lookups_ended_malicious"]);
  });

  it("an honest peer of a run with tamperers hands out the true value", () => {
    const { ctx, log, good } = bed(["tamper"], false);
    expect(ctx.answer(7, KEY, good, ctx.valueFrom(good, KEY), 1)).toBe("verified");
    expect(log).toEqual(["lookup 7 succeeded at 1 hops"]);
  });

  it("a lookup that ends at a malicious peer counts, whatever its outcome; one that ends at an honest peer or none does not", () => {
    const { ctx, log, bad, good } = bed(["misroute"]);
    // A misrouting peer that holds the key hands out the true value: a success, ended at a malicious peer.
    expect(ctx.answer(8, KEY, bad, ctx.valueFrom(bad, KEY), 2)).toBe("verified");
    ctx.lookupSucceeded(9, 3, bad);
    ctx.lookupFailed(10, bad);
    ctx.lookupFailed(11, good);
    ctx.lookupFailed(12);
    ctx.lookupSucceeded(13, 0);
    expect(log).toEqual([
      "lookup 8 succeeded at 2 hops",
      "count lookups_ended_malicious",
      "lookup 9 succeeded at 3 hops",
      "count lookups_ended_malicious",
      "lookup 10 failed",
      "count lookups_ended_malicious",
      "lookup 11 failed",
      "lookup 12 failed",
      "lookup 13 succeeded at 0 hops",
    ]);
  });
});

const LOOKUP_OVERLAYS: Record<string, Record<string, unknown>> = {
  flooding: { type: "unstructured", degree: 6, search: { method: "flood", ttl: 4 }, replication: { replicas: 3, onSuccess: "owner" } },
  "central-index": { type: "hybrid", mode: "central", replication: { replicas: 3 } },
  "super-peers": { type: "hybrid", mode: "super-peer", replication: { replicas: 3 } },
  chord: { type: "chord", bootstrap: "oracle" },
  "chord-storage": { type: "chord", bootstrap: "oracle", storage: { replicas: 2 } },
  "kademlia-node": { type: "kademlia", bootstrap: "oracle" },
  "kademlia-value": { type: "kademlia", bootstrap: "oracle", lookups: "value" },
};

describe.each(Object.entries(LOOKUP_OVERLAYS))("an honest run of %s", (_name, overlay) => {
  it("answers its lookups without asking the adversary model anything", () => {
    const asked = (["isMalicious", "drops", "misroutes", "tampers", "misrouted", "dropped"] as const).map((m) => vi.spyOn(Adversaries.prototype, m));
    const simulation = new Simulation(
      validateScenario(
        {
          seed: 3,
          duration: "2m",
          peers: { count: 60 },
          network: { latency: { model: "constant", delay: "20ms" } },
          churn: { model: "none" },
          overlay,
          workload: { keys: 50, popularity: { distribution: "uniform" }, lookups: { count: 100 }, timeout: "10s" },
          metrics: { warmup: "30s", interval: "30s" },
        },
        "honest-answers.yaml",
      ),
    );
    simulation.runToEnd();
    const { summary } = simulation.finish();
    expect(summary.lookups.succeeded).toBeGreaterThan(50);
    for (const spy of asked) expect(spy).not.toHaveBeenCalled();
  });
});
