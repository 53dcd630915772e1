import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/**
 * Flooding a published item over a static graph (oracle bootstrap, no churn,
 * no maintenance during the run, constant latency) has closed forms:
 * - every peer within TTL hops gets it, and each peer that gets it first
 *   forwards it to all its neighbours but one, the publisher to all of
 *   them: with a TTL beyond the graph's diameter, a broadcast costs exactly
 *   Σ deg − (N − 1) = 2E − N + 1 messages;
 * - the last peer gets it after eccentricity(publisher) × latency.
 */
function staticFlood(ttl: number) {
  const scenario = validateScenario(
    {
      seed: 11,
      duration: "20s",
      peers: { count: 400 },
      network: { latency: { model: "constant", delay: "25ms" } },
      overlay: { type: "unstructured", bootstrap: "oracle", degree: 5, maintenanceInterval: "1h", broadcastTtl: ttl },
      workload: { lookups: { count: 0 }, broadcasts: { count: 12, window: "3s" } },
      metrics: { warmup: "1s", interval: "5s" },
    },
    "broadcast-test.yaml",
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  const graph = new Map(simulation.overlay.snapshot!().peers.map((p) => [p.peer, p.links]));
  const result = simulation.finish();
  return { simulation, graph, summary: result.summary };
}

/** Hop distances from `origin` by breadth-first search. */
function distances(graph: Map<number, readonly number[]>, origin: number): Map<number, number> {
  const dist = new Map([[origin, 0]]);
  const queue = [origin];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i]!;
    for (const next of graph.get(at) ?? []) {
      if (!dist.has(next)) {
        dist.set(next, dist.get(at)! + 1);
        queue.push(next);
      }
    }
  }
  return dist;
}

describe("unstructured broadcasts (flooding a published item)", () => {
  it("cost exactly 2E − N + 1 messages and reach the last peer after eccentricity × latency", () => {
    const { simulation, graph } = staticFlood(64);
    const table = simulation.broadcasts!.table;
    expect(table.size).toBe(12);
    const degreeSum = [...graph.values()].reduce((sum, links) => sum + links.length, 0);
    for (let id = 0; id < table.size; id++) {
      const dist = distances(graph, table.origin[id]!);
      expect(dist.size).toBe(400); // the oracle graph is connected
      expect(table.reachedCount[id]).toBe(400);
      expect(table.messages[id]).toBe(degreeSum - (400 - 1));
      expect(table.t100[id]).toBeCloseTo(Math.max(...dist.values()) * 25, 9);
    }
  });

  it("with a short TTL reach exactly the peers within TTL hops", () => {
    const { simulation, graph, summary } = staticFlood(2);
    const table = simulation.broadcasts!.table;
    for (let id = 0; id < table.size; id++) {
      const within = [...distances(graph, table.origin[id]!).values()].filter((d) => d <= 2).length;
      expect(table.reachedCount[id]).toBe(within);
    }
    expect(summary.broadcasts!.completed).toBe(12);
    expect(summary.broadcasts!.coverage.mean).toBeLessThan(0.5);
    expect(summary.broadcasts!.timeToMs.p100.share).toBe(0);
  });
});
