import { timedRun } from "./timed-run.js";

/**
 * Kademlia side by side with PeerSim's Kademlia module, on the workload it
 * was measured with: k = 20, α = 3, 160-bit ids, constant 100 ms one-way
 * latency, no loss, oracle-built routing tables, iterative FIND_NODE for the
 * id of a random existing peer from a random source, lookups spread evenly
 * over one simulated hour, no churn. PeerSim's module sends no pings, so
 * probing is "delayed" (§4.1: no ping when a full bucket hears of a
 * newcomer); with a static population nothing would be evicted anyway.
 * Refreshes are pushed past the run (refreshInterval 1 day), as nothing
 * changes in a static network.
 *   (a) 100,000 peers, 10,000 lookups;  (b) 10,000 peers, 100,000 lookups.
 */
export function benchKademlia(opts: { peers?: number; lookups?: number; seed?: number; name?: string } = {}) {
  const peers = opts.peers ?? 100_000;
  const lookups = opts.lookups ?? 10_000;
  const { summary, timing } = timedRun(
    {
      name: "bench-kademlia",
      seed: opts.seed ?? 1,
      duration: "1h",
      peers: { count: peers },
      network: { latency: { model: "constant", delay: "100ms" } },
      churn: { model: "none" },
      overlay: { type: "kademlia", bootstrap: "oracle", idBits: 160, k: 20, alpha: 3, lookups: "node", probe: "delayed", refreshInterval: "1d", statsSample: 0 },
      workload: { keys: 1, popularity: { distribution: "uniform" }, lookups: { count: lookups }, timeout: "30s" },
      metrics: { warmup: "0s", interval: "1h" },
    },
    "bench-kademlia",
  );
  const c = summary.counters;
  return {
    name: opts.name ?? ("kademlia" as const),
    peers,
    lookups,
    ...timing,
    successRatio: summary.lookups.successRatio,
    exactKClosestShare: c.lookupsChecked ? Math.round((c.lookupsExactKClosest! / c.lookupsChecked) * 10000) / 10000 : 0,
    hopsMean: summary.lookups.hops.mean,
    rpcsPerLookup: c.lookupsFinished ? Math.round((c.lookupRpcs! / c.lookupsFinished) * 1000) / 1000 : 0,
    messagesPerLookup: summary.lookups.messagesPerLookup,
    latencyMeanMs: summary.lookups.latencyMs.mean,
  };
}
