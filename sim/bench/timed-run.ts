import type { Summary } from "../metrics/recorder.js";
import { Simulation } from "../run/simulation.js";
import { validateScenario } from "../scenario/load.js";
import { timePhases } from "./measure.js";

/** Builds and runs a scenario, timing setup (building the world, the oracle included) and the event loop apart. */
export function timedRun(raw: object, name: string) {
  const scenario = validateScenario(raw, name);
  const { state: simulation, timing } = timePhases(
    scenario.peers.count,
    () => new Simulation(scenario),
    (s) => {
      s.runToEnd();
      return s.sim.eventsRun;
    },
  );
  const { summary } = simulation.finish();
  return { simulation, summary: summary as Summary, timing };
}
