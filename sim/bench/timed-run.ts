import { performance } from "node:perf_hooks";
import type { Summary } from "../metrics/recorder.js";
import { Simulation } from "../run/simulation.js";
import { validateScenario } from "../scenario/load.js";

/** Builds and runs a scenario, timing setup and the event loop apart (wall clock: benchmarks only). */
export function timedRun(raw: object, name: string) {
  const scenario = validateScenario(raw, name);
  const t0 = performance.now();
  const simulation = new Simulation(scenario);
  const t1 = performance.now();
  simulation.runToEnd();
  const t2 = performance.now();
  const { summary } = simulation.finish();
  const events = simulation.sim.eventsRun;
  const runSeconds = (t2 - t1) / 1000;
  return {
    simulation,
    summary: summary as Summary,
    timing: {
      events,
      setupSeconds: round((t1 - t0) / 1000),
      runSeconds: round(runSeconds),
      eventsPerSecond: Math.round(events / runSeconds),
    },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
