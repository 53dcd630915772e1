import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

export interface FlashCrowdExtra {
  peers?: number;
  adversaries?: object;
  duration?: string;
  churn?: object;
  faults?: object[];
  solveInterval?: string;
}

/**
 * The BitTorrent tests' small flash crowd, run to its end: `peers` leechers (12) at time 0, one
 * seed, a 1 MB file in 16 pieces, constant latency, maxmin links; `overlay` adds to the overlay's
 * options (e.g. `execution: rounds`). Seed 3, so tests can pin exact values.
 */
export function flashCrowd(overlay: object, extra: FlashCrowdExtra = {}) {
  const scenario = validateScenario(
    {
      seed: 3,
      duration: extra.duration ?? "10m",
      peers: { count: extra.peers ?? 12, joinOver: "0s" },
      network: {
        latency: { model: "constant", delay: "20ms" },
        bandwidth: {
          model: "maxmin",
          ...(extra.solveInterval ? { solveInterval: extra.solveInterval } : {}),
          links: { upload: "40kB/s", download: "400kB/s" },
          services: { seed: { upload: "100kB/s", download: "1MB/s" }, server: { upload: "100kB/s", download: "1MB/s" }, tracker: { upload: "1MB/s" } },
        },
      },
      overlay: { type: "bittorrent", torrent: { size: "1MB", pieceSize: "64KiB" }, ...overlay },
      workload: { lookups: { count: 0 } },
      metrics: { interval: "30s", warmup: "0s" },
      ...(extra.adversaries ? { adversaries: extra.adversaries } : {}),
      ...(extra.churn ? { churn: extra.churn } : {}),
      ...(extra.faults ? { faults: extra.faults } : {}),
    },
    "bittorrent-test.yaml",
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  const { summary } = simulation.finish();
  return { simulation, summary: summary as any, results: simulation.overlay.results!() as any };
}
