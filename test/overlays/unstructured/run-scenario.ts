import type { OverlaySnapshot } from "../../../sim/core/protocol.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** Options of one small unstructured run for the tests in this folder. */
export interface SmallRun {
  overlay?: Record<string, unknown>;
  seed?: number;
  peers?: number;
  duration?: string;
  warmup?: string;
  keys?: number;
  popularity?: Record<string, unknown>;
  rate?: string;
  churn?: Record<string, unknown>;
  adversaries?: Record<string, unknown>;
  faults?: Record<string, unknown>[];
}

/** Session churn with exponential sessions and offline periods of `mean`; crashes only unless told otherwise. */
export function sessions(mean: string, gracefulLeave = 0) {
  return { model: "sessions", session: { distribution: "exponential", mean }, offline: { distribution: "exponential", mean }, gracefulLeave };
}

/**
 * Runs a small unstructured network (peers join through the host cache over
 * the first minute; constant 20 ms latency) to its end, and returns the
 * simulation, its graph at the end and its results.
 */
export function runSmall(o: SmallRun) {
  const scenario = validateScenario(
    {
      seed: o.seed ?? 3,
      duration: o.duration ?? "4m",
      peers: { count: o.peers ?? 300, joinOver: "1m" },
      network: { latency: { model: "constant", delay: "20ms" } },
      ...(o.churn ? { churn: o.churn } : {}),
      overlay: { type: "unstructured", degree: 6, maintenanceInterval: "15s", ...o.overlay },
      workload: {
        keys: o.keys ?? 200,
        popularity: o.popularity ?? { distribution: "uniform" },
        lookups: { rate: o.rate ?? "4/s" },
        timeout: "20s",
      },
      ...(o.adversaries ? { adversaries: o.adversaries } : {}),
      ...(o.faults ? { faults: o.faults } : {}),
      metrics: { warmup: o.warmup ?? "1m", interval: "30s" },
    },
    "unstructured-test.yaml",
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  const snapshot: OverlaySnapshot = simulation.overlay.snapshot!();
  const result = simulation.finish();
  return { simulation, snapshot, result, summary: result.summary, counters: result.summary.counters as Record<string, number> };
}

/** Of the links honest peers keep, the share that point to malicious peers. */
export function maliciousLinkShare(simulation: Simulation, snapshot: OverlaySnapshot): number {
  const adversaries = simulation.adversaries;
  let links = 0;
  let malicious = 0;
  for (const p of snapshot.peers) {
    if (adversaries.isMalicious(p.peer)) continue;
    for (const l of p.links) {
      links++;
      if (adversaries.isMalicious(l)) malicious++;
    }
  }
  return malicious / links;
}

/** Computes `make()` the first time it is called and returns the same value after: runs shared by several tests start inside the first of them. */
export function once<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}
