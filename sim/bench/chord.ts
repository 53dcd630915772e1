import { timedRun } from "./timed-run.js";

/**
 * Chord side by side with PeerSim's Chord module, on the workload it was
 * measured with: oracle bootstrap, 128-bit ids, successor lists of 12,
 * recursive routing, lookups of uniformly random keys from random peers, no
 * churn. With no churn the ring never changes, so maintenance is frozen
 * from the start (a freeze fault at 0 s) and only lookups run. Hops are
 * forwarded without acknowledgements, as PeerSim's module forwards them
 * (`hopAcks: true` doubles the messages; the "chord-acks" entry measures it).
 *   (a) 100,000 peers, 1,000,000 lookups;  (b) 1,000,000 peers, 10,000 lookups.
 */
export function benchChord(opts: { peers?: number; lookups?: number; seed?: number; name?: string; hopAcks?: boolean } = {}) {
  const hopAcks = opts.hopAcks ?? false;
  const peers = opts.peers ?? 100_000;
  const lookups = opts.lookups ?? 1_000_000;
  const { summary, timing } = timedRun(
    {
      name: "bench-chord",
      seed: opts.seed ?? 1,
      duration: "1h",
      peers: { count: peers },
      network: { latency: { model: "constant", delay: "50ms" } },
      overlay: { type: "chord", bootstrap: "oracle", idBits: 128, successors: 12, routing: "recursive", hopAcks, healthSample: 0 },
      faults: [{ kind: "freeze", at: "0s" }],
      workload: { keys: 1_000_000, popularity: { distribution: "uniform" }, lookups: { count: lookups }, timeout: "30s" },
      metrics: { warmup: "0s", interval: "1h" },
    },
    "bench-chord",
  );
  return {
    name: opts.name ?? ("chord" as const),
    peers,
    lookups,
    hopAcks,
    ...timing,
    successRatio: summary.lookups.successRatio,
    hopsMean: summary.lookups.hops.mean,
    messagesPerLookup: summary.lookups.messagesPerLookup,
    wrongOwner: summary.counters.wrongOwner,
  };
}
