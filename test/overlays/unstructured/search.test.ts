import { describe, expect, it } from "vitest";
import { LookupState } from "../../../sim/metrics/lookups.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/**
 * A static random graph built by the oracle, constant latency, maintenance
 * slower than the run so the graph does not change: the first hit of a flood
 * must then come from the nearest holder, by a shortest path.
 */
function staticNetwork(search: object, extra: { replicas?: number; lookups?: number } = {}) {
  const scenario = validateScenario(
    {
      seed: 7,
      duration: "2m",
      peers: { count: 300 },
      network: { latency: { model: "constant", delay: "10ms" } },
      overlay: {
        type: "unstructured",
        bootstrap: "oracle",
        degree: 4,
        maintenanceInterval: "1h",
        replication: { replicas: extra.replicas ?? 1 },
        search,
      },
      workload: { keys: 200, popularity: { distribution: "uniform" }, lookups: { count: extra.lookups ?? 400 }, timeout: "20s" },
      metrics: { warmup: "0s", interval: "30s" },
    },
    "static.yaml",
  );
  const simulation = new Simulation(scenario);
  const snapshot = simulation.overlay.snapshot!();
  simulation.runToEnd();
  return { simulation, snapshot, result: simulation.finish() };
}

/** Hop distance from `origin` to the nearest peer that stores `key`, by breadth-first search. */
function distanceToKey(snapshot: ReturnType<typeof staticNetwork>["snapshot"], origin: number, key: number): number {
  const links = new Map(snapshot.peers.map((p) => [p.peer, p.links]));
  const holds = new Set(snapshot.peers.filter((p) => p.keys.includes(key)).map((p) => p.peer));
  const dist = new Map([[origin, 0]]);
  const queue = [origin];
  while (queue.length > 0) {
    const peer = queue.shift()!;
    if (holds.has(peer)) return dist.get(peer)!;
    for (const next of links.get(peer) ?? []) {
      if (!dist.has(next)) {
        dist.set(next, dist.get(peer)! + 1);
        queue.push(next);
      }
    }
  }
  return Infinity;
}

describe("flooding", () => {
  it("finds every key within the TTL, by a shortest path, on a connected graph", () => {
    const { simulation, snapshot, result } = staticNetwork({ method: "flood", ttl: 12 });
    expect(result.summary.lookups.completed).toBe(400);
    expect(result.summary.lookups.successRatio).toBe(1);
    const t = simulation.lookups;
    for (let id = 0; id < t.size; id++) {
      expect(t.state[id]).toBe(LookupState.Succeeded);
      expect(t.hops[id]).toBe(distanceToKey(snapshot, t.origin[id]!, t.key[id]!));
    }
  });

  it("fails exactly the lookups whose nearest copy lies beyond the TTL", () => {
    const ttl = 2;
    const { simulation, snapshot, result } = staticNetwork({ method: "flood", ttl });
    const t = simulation.lookups;
    let beyond = 0;
    for (let id = 0; id < t.size; id++) {
      const distance = distanceToKey(snapshot, t.origin[id]!, t.key[id]!);
      if (t.state[id] === LookupState.Pending) {
        expect(t.startMs[id]).toBeGreaterThan(120_000 - 20_000); // its deadline lies beyond the end of the run
      } else if (distance > ttl) {
        beyond++;
        expect(t.state[id]).toBe(LookupState.Failed);
      } else {
        expect(t.state[id]).toBe(LookupState.Succeeded);
        expect(t.hops[id]).toBe(distance);
      }
    }
    expect(beyond).toBeGreaterThan(100); // a TTL of 2 on degree 4 misses most of 300 peers
    expect(result.summary.lookups.failed).toBe(beyond);
  });

  it("suppresses duplicates: each peer forwards a query at most once", () => {
    const { result, snapshot } = staticNetwork({ method: "flood", ttl: 12 }, { lookups: 50 });
    const links = snapshot.peers.reduce((sum, p) => sum + p.links.length, 0); // directed links
    // Each peer sends one copy over each of its links except the one the query came by (the origin sends on all).
    const queries = result.summary.traffic.byType.query!.messages;
    expect(queries).toBeLessThanOrEqual(50 * links);
    expect(queries).toBeGreaterThanOrEqual(50 * (links - snapshot.peers.length));
    expect(result.summary.counters.duplicateQueries).toBe(queries - 50 * (snapshot.peers.length - 1));
  });
});

describe("expanding ring", () => {
  it("finds what a flood finds, with fewer messages when copies are near", () => {
    const flood = staticNetwork({ method: "flood", ttl: 8 }, { replicas: 20 }).result.summary;
    const ring = staticNetwork({ method: "expanding-ring", ttls: [1, 2, 4, 8] }, { replicas: 20 }).result.summary;
    expect(ring.lookups.successRatio).toBe(1);
    expect(flood.lookups.successRatio).toBe(1);
    expect(ring.lookups.messagesPerLookup).toBeLessThan(flood.lookups.messagesPerLookup / 3);
    expect(ring.lookups.latencyMs.mean).toBeGreaterThan(flood.lookups.latencyMs.mean);
  });
});

describe("random walks", () => {
  it("succeed more often with more walkers", () => {
    const ratios = [1, 4, 16].map(
      (walkers) => staticNetwork({ method: "random-walk", walkers, ttl: 30, checkEvery: 4 }).result.summary.lookups.successRatio,
    );
    expect(ratios[0]).toBeLessThan(ratios[1]!);
    expect(ratios[1]).toBeLessThan(ratios[2]!);
    expect(ratios[2]! - ratios[0]!).toBeGreaterThan(0.3);
  });

  it("stop walking once the requester has its answer", () => {
    const checking = staticNetwork({ method: "random-walk", walkers: 16, ttl: 200, checkEvery: 4 }, { replicas: 10 }).result.summary;
    const blind = staticNetwork({ method: "random-walk", walkers: 16, ttl: 200, checkEvery: 0 }, { replicas: 10 }).result.summary;
    expect(checking.lookups.successRatio).toBe(1);
    expect(blind.traffic.byType.walk!.messages).toBeGreaterThan(3 * checking.traffic.byType.walk!.messages);
  });
});
