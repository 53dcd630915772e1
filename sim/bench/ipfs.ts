import { timedRun } from "./timed-run.js";

/**
 * IPFS at scale (issue 21): `peers` peers with oracle-built DHT tables and
 * connections, `files` files of 1 MB (four 256 KiB blocks under a root)
 * published at time 0 by their creators, then `retrievals` retrievals
 * with Zipf popularity (s = 0.8) spread over one simulated hour, every block
 * moved over max-min fair links (fibre, cable and DSL presets), fetched
 * files announced in the DHT. Constant 50 ms latency, no churn; the
 * default Kubo parameters otherwise (k = 20, α = 10, 1 s provider-search
 * delay, 32–96 connections).
 *   Target: 10,000 peers, 100,000 retrievals in ≤ 60 s of wall clock and ≤ 2 GB.
 */
export function benchIpfs(opts: { peers?: number; retrievals?: number; files?: number; seed?: number; name?: string } = {}) {
  const peers = opts.peers ?? 10_000;
  const retrievals = opts.retrievals ?? 100_000;
  const files = opts.files ?? 10_000;
  const { summary, timing } = timedRun(
    {
      name: "bench-ipfs",
      seed: opts.seed ?? 1,
      duration: "70m",
      peers: { count: peers },
      network: {
        latency: { model: "constant", delay: "50ms" },
        bandwidth: { model: "maxmin", links: { classes: [{ preset: "fibre", share: 0.3 }, { preset: "cable", share: 0.4 }, { preset: "dsl", share: 0.3 }] } },
      },
      churn: { model: "none" },
      overlay: { type: "ipfs", bootstrap: "oracle", dht: { refreshInterval: "1d" } },
      workload: { keys: files, fileSize: "1MB", popularity: { distribution: "zipf", s: 0.8 }, lookups: { count: retrievals }, timeout: "2m" },
      metrics: { warmup: "10m", interval: "10m" },
    },
    "bench-ipfs",
  );
  const c = summary.counters;
  // timedRun types the shared summary; downloads is the section the downloads operation kind adds.
  const downloads = (summary as { downloads?: { timeMs: { mean: number; p90: number } } }).downloads;
  const done = (c.retrievalsViaBroadcast ?? 0) + (c.retrievalsViaDht ?? 0);
  return {
    name: opts.name ?? "ipfs",
    peers,
    retrievals,
    files,
    ...timing,
    successRatio: summary.lookups.successRatio,
    wholeFileMsMean: downloads?.timeMs.mean,
    wholeFileMsP90: downloads?.timeMs.p90,
    viaDhtShare: done > 0 ? Math.round(((c.retrievalsViaDht ?? 0) / done) * 1000) / 1000 : 0,
    messagesPerLookup: summary.lookups.messagesPerLookup,
  };
}
