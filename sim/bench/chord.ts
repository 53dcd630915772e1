import { performance } from "node:perf_hooks";
import { Simulation } from "../run/simulation.js";
import { validateScenario } from "../scenario/load.js";

/**
 * Chord side by side with PeerSim's Chord module, on the workload it was
 * measured with: oracle bootstrap, 128-bit ids, successor lists of 12,
 * recursive routing, lookups of uniformly random keys from random peers, no
 * churn. With no churn the ring never changes, so maintenance is frozen
 * from the start (freezeMaintenanceAt 0s) and only lookups run.
 *   (a) 100,000 peers, 1,000,000 lookups;  (b) 1,000,000 peers, 10,000 lookups.
 */
export function benchChord(opts: { peers?: number; lookups?: number; seed?: number; name?: string } = {}) {
  const peers = opts.peers ?? 100_000;
  const lookups = opts.lookups ?? 1_000_000;
  const scenario = validateScenario(
    {
      name: "bench-chord",
      seed: opts.seed ?? 1,
      duration: "1h",
      peers: { count: peers },
      network: { latency: { model: "constant", delay: "50ms" } },
      overlay: { type: "chord", bootstrap: "oracle", idBits: 128, successors: 12, routing: "recursive", freezeMaintenanceAt: "0s", healthSample: 0 },
      workload: { keys: 1_000_000, popularity: { distribution: "uniform" }, lookups: { count: lookups }, timeout: "30s" },
      metrics: { warmup: "0s", interval: "1h" },
    },
    "bench-chord",
  );
  const t0 = performance.now();
  const simulation = new Simulation(scenario);
  const t1 = performance.now();
  simulation.runToEnd();
  const t2 = performance.now();
  const { summary } = simulation.finish();
  const events = simulation.sim.eventsRun;
  return {
    name: opts.name ?? ("chord" as const),
    peers,
    lookups,
    events,
    setupSeconds: round((t1 - t0) / 1000),
    runSeconds: round((t2 - t1) / 1000),
    eventsPerSecond: Math.round(events / ((t2 - t1) / 1000)),
    successRatio: summary.lookups.successRatio,
    hopsMean: summary.lookups.hops.mean,
    messagesPerLookup: summary.lookups.messagesPerLookup,
    wrongOwner: summary.counters.wrongOwner,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
