import { performance } from "node:perf_hooks";
import { Simulation } from "../run/simulation.js";
import { validateScenario } from "../scenario/load.js";

/**
 * The unstructured overlay under load: 10,000 peers in a random graph of
 * degree 8 (oracle bootstrap), 100,000 flooding lookups with TTL 4 spread
 * over one simulated hour, neighbour maintenance running as usual.
 */
export function benchFlooding(opts: { peers?: number; lookups?: number; seed?: number } = {}) {
  const peers = opts.peers ?? 10_000;
  const lookups = opts.lookups ?? 100_000;
  const scenario = validateScenario(
    {
      name: "bench-flooding",
      seed: opts.seed ?? 1,
      duration: "1h",
      peers: { count: peers },
      network: { latency: { model: "lognormal", median: "50ms", sigma: 0.5, min: "5ms" } },
      overlay: { type: "unstructured", bootstrap: "oracle", degree: 8, search: { method: "flood", ttl: 4 } },
      workload: { keys: 10_000, popularity: { distribution: "zipf", s: 0.8 }, lookups: { count: lookups }, timeout: "30s" },
      metrics: { warmup: "0s", interval: "5m" },
    },
    "bench-flooding",
  );
  const t0 = performance.now();
  const simulation = new Simulation(scenario);
  const t1 = performance.now();
  simulation.runToEnd();
  const t2 = performance.now();
  const { summary } = simulation.finish();
  const events = simulation.sim.eventsRun;
  return {
    name: "unstructured-flooding" as const,
    peers,
    lookups,
    events,
    setupSeconds: round((t1 - t0) / 1000),
    runSeconds: round((t2 - t1) / 1000),
    eventsPerSecond: Math.round(events / ((t2 - t1) / 1000)),
    successRatio: summary.lookups.successRatio,
    messagesPerLookup: summary.lookups.messagesPerLookup,
    hopsMean: summary.lookups.hops.mean,
    messages: summary.traffic.messages,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
