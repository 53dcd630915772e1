import { timedRun } from "./timed-run.js";

/**
 * scenarios/chord-churn.yaml scaled to `peers` peers and 10 simulated
 * minutes: the real join protocol (peers join over the first 5 minutes),
 * exponential sessions of 30 minutes and offline periods of 10, half of the
 * departures crashes, stabilize / fix_fingers / check_predecessor every 15 s,
 * iterative lookups at 5/s, no snapshots or traces. Run at 10^4 and 10^6
 * peers, its events per CPU second show whether anything costs O(N) per event.
 */
export function benchChordChurn(opts: { peers: number; name: string; seed?: number; duration?: string }) {
  const { summary, timing } = timedRun(
    {
      name: "bench-chord-churn",
      seed: opts.seed ?? 1,
      duration: opts.duration ?? "10m",
      peers: { count: opts.peers, joinOver: "5m" },
      network: { latency: { model: "lognormal", median: "40ms", sigma: 0.5, min: "5ms" } },
      churn: { model: "sessions", session: { distribution: "exponential", mean: "30m" }, offline: { distribution: "exponential", mean: "10m" }, gracefulLeave: 0.5 },
      overlay: {
        type: "chord",
        bootstrap: "join",
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
    ...timing,
    successRatio: summary.lookups.successRatio,
    hopsMean: summary.lookups.hops.mean,
    wrongOwner: summary.counters.wrongOwner,
  };
}
