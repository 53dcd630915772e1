import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/**
 * The central index is a single-server FIFO queue. With Poisson lookups and
 * no other work at the index (static network, constant latency, keep-alives
 * slower than the run), its measured mean wait in queue must match queueing
 * theory:
 *   M/M/1 (exponential service): Wq = ρ / (μ − λ)
 *   M/D/1 (deterministic):       Wq = ρ / (2μ(1 − ρ))
 * λ is the measured arrival rate at the index (lookups whose requester holds
 * the key never reach it, a random thinning that keeps the process Poisson).
 */
function runQueue(service: "exponential" | "deterministic", seed: number) {
  const simulation = new Simulation(
    validateScenario(
      {
        seed,
        duration: "410s",
        peers: { count: 20, joinOver: "0s" },
        network: { latency: { model: "constant", delay: "1ms" } },
        overlay: {
          type: "hybrid",
          keepAliveInterval: "1h",
          keepAliveTimeout: "2h",
          replication: { replicas: 1 },
          index: { serviceRate: "1000/s", service },
        },
        workload: { keys: 1000, popularity: { distribution: "uniform" }, lookups: { rate: "700/s" }, timeout: "30s" },
        metrics: { warmup: "10s", interval: "100s" },
      },
      "queue.yaml",
    ),
  );
  simulation.runToEnd();
  const { summary } = simulation.finish();
  const c = summary.counters;
  const seconds = summary.measuredSeconds;
  const mu = 1000; // per second
  const lambda = c.indexQueries! / seconds;
  const rho = lambda / mu;
  return {
    lambda,
    rho,
    utilisation: c.indexBusyMs! / (seconds * 1000),
    waitMs: c.indexWaitMs! / c.indexServed!,
    queueMean: c.indexQueueMs! / (seconds * 1000),
    mm1Ms: (rho / (mu - lambda)) * 1000,
    md1Ms: (rho / (2 * mu * (1 - rho))) * 1000,
    successRatio: summary.lookups.successRatio,
    overlay: summary.overlay!,
  };
}

describe("the central index as a queue", () => {
  it("matches M/M/1 with exponential service (Wq = ρ/(μ−λ)) within 5 %", () => {
    const r = runQueue("exponential", 1);
    expect(r.rho).toBeGreaterThan(0.6);
    expect(r.rho).toBeLessThan(0.7);
    expect(r.utilisation).toBeCloseTo(r.rho, 2);
    expect(Math.abs(r.waitMs / r.mm1Ms - 1)).toBeLessThan(0.05);
    // Little's law for the queue: Lq = λ·Wq.
    expect(Math.abs(r.queueMean / ((r.lambda * r.waitMs) / 1000) - 1)).toBeLessThan(0.01);
    expect(r.successRatio).toBe(1);
    // summary.json's derived figures are the same numbers.
    expect(r.overlay.indexUtilisation).toBeCloseTo(r.utilisation, 5);
    expect(r.overlay.indexWaitMeanMs).toBeCloseTo(r.waitMs, 5);
    expect(r.overlay.indexQueueMean).toBeCloseTo(r.queueMean, 5);
    expect(r.overlay.indexRejectedRatio).toBe(0);
  });

  it("matches M/D/1 with deterministic service (Wq = ρ/(2μ(1−ρ))) within 5 %", () => {
    const r = runQueue("deterministic", 1);
    expect(r.utilisation).toBeCloseTo(r.rho, 2);
    expect(Math.abs(r.waitMs / r.md1Ms - 1)).toBeLessThan(0.05);
    // Deterministic service halves the wait of exponential service at the same load.
    expect(r.waitMs).toBeLessThan(0.6 * r.mm1Ms);
  });
});
