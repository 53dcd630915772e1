import { timedRun } from "./timed-run.js";

/**
 * The unstructured overlay under load: 10,000 peers in a random graph of
 * degree 8 (oracle bootstrap), 100,000 flooding lookups with TTL 4 spread
 * over one simulated hour (or `duration`), neighbour maintenance running as usual.
 */
export function benchFlooding(opts: { peers?: number; lookups?: number; seed?: number; name?: string; duration?: string } = {}) {
  const peers = opts.peers ?? 10_000;
  const lookups = opts.lookups ?? 100_000;
  const { summary, timing } = timedRun(
    {
      name: "bench-flooding",
      seed: opts.seed ?? 1,
      duration: opts.duration ?? "1h",
      peers: { count: peers },
      network: { latency: { model: "lognormal", median: "50ms", sigma: 0.5, min: "5ms" } },
      overlay: { type: "unstructured", bootstrap: "oracle", degree: 8, search: { method: "flood", ttl: 4 } },
      workload: { keys: 10_000, popularity: { distribution: "zipf", s: 0.8 }, lookups: { count: lookups }, timeout: "30s" },
      metrics: { warmup: "0s", interval: "5m" },
    },
    "bench-flooding",
  );
  return {
    name: opts.name ?? "flooding",
    peers,
    lookups,
    ...timing,
    successRatio: summary.lookups.successRatio,
    messagesPerLookup: summary.lookups.messagesPerLookup,
    hopsMean: summary.lookups.hops.mean,
    messages: summary.traffic.messages,
  };
}
