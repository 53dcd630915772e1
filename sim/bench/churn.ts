import { timedRun } from "./timed-run.js";

/**
 * scenarios/chord-churn.yaml scaled to `peers` peers and 10 simulated
 * minutes: the real join protocol (peers join over the first 5 minutes),
 * exponential sessions of 30 minutes and offline periods of 10, half of the
 * departures crashes, stabilize / fix_fingers / check_predecessor every 15 s,
 * iterative lookups at 5/s, no snapshots or traces. Run at 10^4 and 10^6
 * peers, its events per CPU second show whether anything costs O(N) per event.
 *
 * The join phase does not scale like the rest: peers join at N/300 a second
 * through a 32-entry host cache, so at 10^6 the cache names peers that are
 * still joining and join lookups wander (6.1 M events in the first 15
 * simulated seconds at 10^6, 0.25 M at 10^5). `bootstrap: "oracle"` starts
 * from a built ring instead (the "steady" workloads): every peer maintains
 * from the start, so the mix of work per event is the same at every N and
 * only the cost of reaching a peer's state changes with N.
 */
export function benchChordChurn(opts: { peers: number; name: string; seed?: number; duration?: string; bootstrap?: "join" | "oracle" }) {
  // An oracle-built ring starts in its steady state: all peers in the ring, no joins but those of returning peers.
  const oracle = opts.bootstrap === "oracle";
  const { summary, timing } = timedRun(
    {
      name: "bench-chord-churn",
      seed: opts.seed ?? 1,
      duration: opts.duration ?? "10m",
      peers: oracle ? { count: opts.peers } : { count: opts.peers, joinOver: "5m" },
      network: { latency: { model: "lognormal", median: "40ms", sigma: 0.5, min: "5ms" } },
      churn: { model: "sessions", session: { distribution: "exponential", mean: "30m" }, offline: { distribution: "exponential", mean: "10m" }, gracefulLeave: 0.5 },
      overlay: {
        type: "chord",
        bootstrap: opts.bootstrap ?? "join",
        successors: 8,
        routing: "iterative",
        stabilizeInterval: "15s",
        fixFingersInterval: "15s",
        checkPredecessorInterval: "15s",
        requestTimeout: "1s",
      },
      workload: { keys: 10_000, popularity: { distribution: "uniform" }, lookups: { rate: "5/s" }, timeout: "30s" },
      metrics: { warmup: "0s", interval: "1m" },
    },
    "bench-chord-churn",
  );
  return {
    name: opts.name,
    peers: opts.peers,
    simulated: opts.duration ?? "10m",
    ...timing,
    successRatio: summary.lookups.successRatio,
    hopsMean: summary.lookups.hops.mean,
    wrongOwner: summary.counters.wrongOwner,
  };
}
