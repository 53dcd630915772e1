import { timedRun } from "./timed-run.js";

/**
 * The gossip overlay under load: `peers` sites (10,000 by default) spreading
 * `broadcasts` items (10,000) by push rumour mongering with feedback and a
 * counter (k = 2) over full membership, in 1 s rounds. Every item reaches
 * about 95 % of the sites, so the work grows as peers × broadcasts.
 * `execution` is the overlay's: "cycles" runs a round of every peer as one
 * engine event, "events" gives every peer its timer and every message its event.
 */
export function benchGossip(opts: { peers?: number; broadcasts?: number; seed?: number; name?: string; execution?: "events" | "cycles" } = {}) {
  const peers = opts.peers ?? 10_000;
  const broadcasts = opts.broadcasts ?? 10_000;
  const execution = opts.execution ?? "events";
  // One item every 2 rounds on average, so about 15 are spreading at any time.
  const durationS = Math.max(60, 2 * broadcasts + 60);
  const { summary, timing } = timedRun(
    {
      name: "bench-gossip",
      seed: opts.seed ?? 1,
      duration: `${durationS}s`,
      peers: { count: peers },
      network: { latency: { model: "lognormal", median: "40ms", sigma: 0.5, min: "5ms" } },
      overlay: { type: "gossip", algorithm: "rumour", direction: "push", k: 2, round: "1s", memory: "1m", execution },
      workload: { lookups: { count: 0 }, broadcasts: { count: broadcasts, window: "50s", bytes: 256 } },
      metrics: { warmup: "0s", interval: `${Math.ceil(durationS / 10)}s` },
    },
    "bench-gossip",
  );
  const s = summary as unknown as { broadcasts: { started: number; coverage: { mean: number }; messagesPerPeer: number } };
  return {
    name: opts.name ?? ("gossip" as const),
    execution,
    peers,
    broadcasts,
    ...timing,
    coverageMean: s.broadcasts.coverage.mean,
    messagesPerPeer: s.broadcasts.messagesPerPeer,
  };
}
