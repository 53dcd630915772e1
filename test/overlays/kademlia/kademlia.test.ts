import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { loadScenario, validateScenario } from "../../../sim/scenario/load.js";

/** A Kademlia network with constant latency; `overlay` and the rest override the defaults here. */
function kadRun(overlay: object, extra: { peers?: number; duration?: string; joinOver?: string; lookups?: number; warmup?: string; churn?: object; keys?: number; bandwidth?: object; fileSize?: string } = {}) {
  const scenario = validateScenario(
    {
      seed: 5,
      duration: extra.duration ?? "6m",
      peers: { count: extra.peers ?? 300, joinOver: extra.joinOver ?? "1m" },
      network: { latency: { model: "constant", delay: "20ms" }, ...(extra.bandwidth ? { bandwidth: extra.bandwidth } : {}) },
      ...(extra.churn ? { churn: extra.churn } : {}),
      overlay: { type: "kademlia", ...overlay },
      workload: { keys: extra.keys ?? 600, popularity: { distribution: "uniform" }, lookups: { count: extra.lookups ?? 600 }, timeout: "30s", ...(extra.fileSize ? { fileSize: extra.fileSize } : {}) },
      metrics: { warmup: extra.warmup ?? "4m", interval: "1m" },
    },
    "kademlia.yaml",
  );
  return new Simulation(scenario);
}

describe("kademlia correctness on a static network built by the join protocol", () => {
  it("FIND_NODE returns exactly the k closest live peers for at least 99 % of lookups (scenarios/validation/kademlia-static.yaml)", () => {
    const simulation = new Simulation(loadScenario("scenarios/validation/kademlia-static.yaml"));
    simulation.runToEnd();
    const { summary, timeSeries } = simulation.finish();
    const c = summary.counters;
    expect(summary.lookups.completed).toBeGreaterThan(1900);
    expect(c.lookupsChecked).toBe(summary.lookups.completed);
    expect(c.lookupsExactKClosest! / c.lookupsChecked!).toBeGreaterThanOrEqual(0.99);
    expect(summary.lookups.successRatio).toBe(1);
    expect(c.lookupTimeouts).toBe(0);
    // log2(1000) ≈ 10 bits to resolve with buckets of 20: a few rounds, never many.
    expect(summary.lookups.hops.mean).toBeGreaterThan(1);
    expect(summary.lookups.hops.max).toBeLessThanOrEqual(5);
    const last = timeSeries[timeSeries.length - 1]!;
    expect(last.stale_contacts).toBe(0);
    expect(Number(last.table_contacts)).toBeGreaterThan(100);
  }, 30_000);

  it("FIND_VALUE finds 100 % of the stored keys", () => {
    const scenario = loadScenario("scenarios/validation/kademlia-static.yaml");
    const simulation = new Simulation({ ...scenario, overlay: { ...scenario.overlay, lookups: "value" } } as typeof scenario);
    simulation.runToEnd();
    const { summary, timeSeries } = simulation.finish();
    expect(summary.lookups.completed).toBeGreaterThan(1900);
    expect(summary.lookups.successRatio).toBe(1);
    expect(summary.counters.valueNotFound).toBe(0);
    const last = timeSeries[timeSeries.length - 1]!;
    // Every key's publisher is online: all 1,000 are stored and available.
    expect(last.items_stored).toBe(1000);
    expect(last.availability).toBe(1);
    // Each value sits on at least its k = 20 closest peers (1,000 keys on 1,000 peers); copies stored
    // while the network was forming stay on peers that are no longer among the closest until they expire.
    expect(Number(last.values_held)).toBeGreaterThanOrEqual(20);
  }, 30_000);

  it("with network.bandwidth a found value moves as a transfer: the lookup ends when its bytes have arrived", () => {
    const value = { bootstrap: "oracle", lookups: "value" };
    const plain = kadRun(value, { peers: 200, keys: 200, lookups: 200, duration: "3m", warmup: "1m" });
    plain.runToEnd();
    const without = plain.finish().summary;
    // 1 MB over 8 Mbit/s links (1,000 bytes/ms up and down): 1,000 ms of transmission, plus 20 ms of latency.
    const links = kadRun(value, { peers: 200, keys: 200, lookups: 200, duration: "3m", warmup: "1m", fileSize: "1MB", bandwidth: { model: "maxmin", links: { upload: "8Mbit/s", download: "8Mbit/s" } } });
    links.runToEnd();
    const { summary } = links.finish();
    expect(summary.lookups.successRatio).toBe(1);
    expect(summary.lookups.completed).toBe(without.lookups.completed);
    // Every lookup whose origin lacked the value (0 hops means its own copy) moved one value.
    const fetched = summary.lookups.completed - (summary.lookups.hops.histogram[0] ?? 0);
    expect(fetched).toBeGreaterThan(150);
    expect(summary.bandwidth!.transfersCompleted).toBe(fetched);
    expect(summary.bandwidth!.bytesDelivered).toBe(fetched * 1_000_000);
    expect(summary.bandwidth!.transferTimeMs.p50).toBe(1020);
    expect(summary.lookups.latencyMs.p50).toBeGreaterThanOrEqual(without.lookups.latencyMs.p50 + 1020);
  }, 30_000);

  it("oracle-built and join-built tables answer alike: exact k closest, same success", () => {
    const results = (["oracle", "join"] as const).map((bootstrap) => {
      const s = kadRun({ bootstrap, lookups: "node" }, { joinOver: bootstrap === "join" ? "1m" : "0s" });
      s.runToEnd();
      return s.finish().summary;
    });
    for (const summary of results) {
      expect(summary.lookups.successRatio).toBe(1);
      expect(summary.counters.lookupsExactKClosest).toBe(summary.counters.lookupsChecked);
    }
    const [oracle, join] = results;
    // Same network size and workload: rounds within one of each other.
    expect(Math.abs(oracle!.overlay!.roundsPerLookup! - join!.overlay!.roundsPerLookup!)).toBeLessThan(1);
    expect(oracle!.overlay!.rpcsPerLookup).toBeGreaterThanOrEqual(20); // the termination rule asks all k closest
  });

  it("b = 3 (accelerated lookups) is as exact with fewer rounds", () => {
    const run = (b: number) => {
      const s = kadRun({ bootstrap: "oracle", lookups: "node", b }, { joinOver: "0s", peers: 600 });
      s.runToEnd();
      return s.finish().summary;
    };
    const plain = run(1);
    const fast = run(3);
    expect(fast.counters.lookupsExactKClosest).toBe(fast.counters.lookupsChecked);
    expect(fast.lookups.successRatio).toBe(1);
    expect(fast.lookups.hops.mean).toBeLessThan(plain.lookups.hops.mean);
  });
});

describe("kademlia under churn", () => {
  it("runs with exponential 1-hour sessions and reports success, latency and availability", () => {
    const simulation = kadRun(
      { lookups: "value" },
      {
        peers: 200,
        duration: "30m",
        lookups: 1000,
        warmup: "10m",
        keys: 300,
        churn: { model: "sessions", session: { distribution: "exponential", mean: "1h" }, offline: { distribution: "exponential", mean: "15m" } },
      },
    );
    simulation.runToEnd();
    const { summary, timeSeries } = simulation.finish();
    const c = summary.counters;
    expect(summary.peers.leaves + summary.peers.crashes).toBeGreaterThan(0);
    expect(c.contactsDropped).toBeGreaterThan(0);
    expect(c.maintenanceTimeouts).toBeGreaterThan(0);
    // Failures are values that are gone or never stored, not routing: success ≥ 90 %.
    expect(summary.lookups.successRatio).toBeGreaterThan(0.9);
    expect(summary.lookups.latencyMs.p50).toBeGreaterThan(0);
    const last = timeSeries[timeSeries.length - 1]!;
    expect(Number(last.stale_contacts)).toBeGreaterThan(0);
    expect(Number(last.availability)).toBeGreaterThan(0.9);
  });

  it("is deterministic", () => {
    const run = () => {
      const s = kadRun(
        { lookups: "value", probe: "delayed", cacheOnPath: true },
        { peers: 80, duration: "4m", lookups: 200, warmup: "1m", churn: { model: "sessions", session: { distribution: "exponential", mean: "5m" }, offline: { distribution: "exponential", mean: "2m" } } },
      );
      s.runToEnd();
      return JSON.stringify(s.finish());
    };
    expect(run()).toBe(run());
  });
});

describe("kademlia observers", () => {
  it("snapshot: every online peer with its position and bucket links", () => {
    const s = kadRun({ bootstrap: "oracle", lookups: "node" }, { joinOver: "0s", peers: 100, duration: "1m", lookups: 10, warmup: "0s" });
    s.runToEnd();
    const snap = s.overlay.snapshot!();
    expect(snap.peers.length).toBe(100);
    for (const p of snap.peers) {
      expect(p.position).toBeGreaterThanOrEqual(0);
      expect(p.position).toBeLessThan(1);
      expect(p.links.length).toBeGreaterThan(20);
      expect(p.linkKinds!.every((k) => k === "bucket")).toBe(true);
    }
    const positions = snap.peers.map((p) => p.position!);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});
