import { timedRun } from "./timed-run.js";

/**
 * Oracle construction alone: the routing state of every peer built directly
 * from the sorted population (bootstrap "oracle"), as large static runs do
 * before their first event. The loop that follows runs one simulated second
 * with no lookups and maintenance frozen or pushed past the run, so setup is
 * what is measured (and bytes per peer is the overlay's footprint).
 */
export function benchSetup(opts: { overlay: "chord" | "kademlia" | "unstructured"; peers: number; name: string; seed?: number }) {
  const overlays = {
    chord: { type: "chord", bootstrap: "oracle", idBits: 128, successors: 12, routing: "recursive", hopAcks: false, healthSample: 0 },
    kademlia: { type: "kademlia", bootstrap: "oracle", idBits: 160, k: 20, alpha: 3, lookups: "node", probe: "delayed", refreshInterval: "1d", statsSample: 0 },
    unstructured: { type: "unstructured", bootstrap: "oracle", degree: 8, search: { method: "flood", ttl: 4 } },
  };
  const overlay = overlays[opts.overlay];
  const { timing } = timedRun(
    {
      name: "bench-setup",
      seed: opts.seed ?? 1,
      duration: "1s",
      peers: { count: opts.peers },
      network: { latency: { model: "constant", delay: "50ms" } },
      overlay,
      // Chord's maintenance frozen from the start (the others push theirs past the run).
      ...(opts.overlay === "chord" ? { faults: [{ kind: "freeze", at: "0s" }] } : {}),
      workload: { keys: 1, popularity: { distribution: "uniform" }, lookups: { count: 0 }, timeout: "30s" },
      metrics: { warmup: "0s", interval: "1s" },
    },
    "bench-setup",
  );
  return { name: opts.name, peers: opts.peers, ...timing };
}
