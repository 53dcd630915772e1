import { describe, expect, it } from "vitest";
import { installChurn, poolSize, type ChurnSpec } from "../../sim/churn/churn.js";
import { Rng } from "../../sim/engine/rng.js";
import { Simulator } from "../../sim/engine/simulator.js";

/** Runs churn alone, with a lifecycle that only counts, and samples the online population. */
function simulateChurn(spec: ChurnSpec, count: number, hours: number) {
  const sim = new Simulator();
  const online = new Set<number>();
  let created = 0;
  const events = { join: 0, leave: 0, crash: 0 };
  const sessions: number[] = [];
  const startedAt = new Map<number, number>();
  const { pool } = installChurn({
    spec,
    sim,
    rng: new Rng(3).fork("churn"),
    count,
    joinOverMs: 60_000,
    initialPeersOnline: undefined,
    lifecycle: {
      create: () => created++,
      join: (p) => {
        expect(online.has(p)).toBe(false);
        online.add(p);
        startedAt.set(p, sim.now);
        events.join++;
      },
      leave: (p) => {
        online.delete(p);
        sessions.push(sim.now - startedAt.get(p)!);
        events.leave++;
      },
      crash: (p) => {
        online.delete(p);
        sessions.push(sim.now - startedAt.get(p)!);
        events.crash++;
      },
    },
  });
  const samples: number[] = [];
  for (let h = 1; h <= hours; h++) {
    sim.run({ until: h * 3_600_000 });
    samples.push(online.size);
  }
  return { pool, samples, events, sessions };
}

describe("churn", () => {
  it("keeps everyone online without churn", () => {
    const { pool, samples, events } = simulateChurn({ model: "none" }, 100, 2);
    expect(pool).toHaveLength(100);
    expect(samples).toEqual([100, 100]);
    expect(events).toEqual({ join: 100, leave: 0, crash: 0 });
  });

  it("sizes the pool so the target is online on average", () => {
    const spec: ChurnSpec = {
      model: "sessions",
      session: { distribution: "exponential", mean: 3_600_000 },
      offline: { distribution: "exponential", mean: 1_800_000 },
      gracefulLeave: 0.5,
    };
    expect(poolSize(spec, 400)).toBe(600);
    const { samples, events, sessions } = simulateChurn(spec, 400, 40);
    const late = samples.slice(5);
    const mean = late.reduce((a, b) => a + b, 0) / late.length;
    expect(Math.abs(mean - 400)).toBeLessThan(15); // binomial(600, 2/3) has sd ≈ 11.5 per sample
    // Session lengths follow the scenario's distribution: mean 1 h (sd of the mean ≈ 1 h / √n).
    const meanSession = sessions.reduce((a, b) => a + b, 0) / sessions.length;
    expect(sessions.length).toBeGreaterThan(5000);
    expect(Math.abs(meanSession / 3_600_000 - 1)).toBeLessThan(5 / Math.sqrt(sessions.length));
    // Graceful and crash departures split by gracefulLeave.
    const share = events.leave / (events.leave + events.crash);
    expect(Math.abs(share - 0.5)).toBeLessThan(0.03);
  });

  it("supports heavy-tailed sessions (Pareto) around the same target", () => {
    const spec: ChurnSpec = {
      model: "sessions",
      session: { distribution: "pareto", shape: 2.5, mean: 1_800_000 },
      offline: { distribution: "weibull", shape: 0.8, mean: 1_800_000 },
      gracefulLeave: 0,
    };
    expect(poolSize(spec, 300)).toBe(600);
    const { samples, events } = simulateChurn(spec, 300, 60);
    const late = samples.slice(10);
    const mean = late.reduce((a, b) => a + b, 0) / late.length;
    expect(Math.abs(mean - 300)).toBeLessThan(20);
    expect(events.leave).toBe(0);
  });

  it("starts in equilibrium: no sag at the start, even with heavy-tailed sessions", () => {
    const spec: ChurnSpec = {
      model: "sessions",
      session: { distribution: "weibull", shape: 0.5, mean: 3_600_000 },
      offline: { distribution: "fixed", value: 1_800_000 },
      gracefulLeave: 0.5,
    };
    const { samples } = simulateChurn(spec, 400, 6);
    // Fresh (not residual) first sessions would leave ~250 online after one hour: most Weibull(0.5) sessions are short.
    for (const online of samples) expect(Math.abs(online - 400)).toBeLessThan(40);
  });
});
