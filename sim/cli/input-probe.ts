import { InputError } from "../core/errors.js";
import { loadExperiment } from "../run/experiment.js";
import { estimateRun } from "../run/preflight.js";
import { Simulation } from "../run/simulation.js";
import { preflight } from "./preflight-check.js";

/**
 * What `peerlab run` would make of a scenario file, decided in-process and
 * quickly: the exit code (0 accepted, 2 bad input, 1 an internal failure) and
 * the message. Accepted runs are started and run for `events` events, since
 * some bad values only fail once the simulator schedules with them. The fuzz
 * test (test/cli/fuzz.test.ts) and `npm run fuzz` (sim/bench/fuzz.ts) use it.
 */

export interface ProbeOutcome {
  code: 0 | 1 | 2;
  message: string;
  /** True if the run was accepted but too large to try here (its estimate is above `maxBytes`). */
  skippedRun?: boolean;
}

export function probeInput(file: string, overrides: readonly string[] = [], options: { events?: number; maxBytes?: number } = {}): ProbeOutcome {
  const events = options.events ?? 20_000;
  const maxBytes = options.maxBytes ?? 256 * 2 ** 20;
  try {
    const experiment = loadExperiment(file, overrides);
    const runs = experiment.kind === "single" ? [experiment.scenario] : experiment.runs.slice(0, 2).map((r) => r.scenario);
    preflight(runs, { file, yes: true, interactive: false, warn: () => {} });
    let skipped = false;
    for (const scenario of runs) {
      if (estimateRun(scenario).bytes > maxBytes) {
        skipped = true;
        continue;
      }
      const simulation = new Simulation(scenario);
      simulation.runSlice(events);
      simulation.finish();
    }
    return { code: 0, message: "", ...(skipped ? { skippedRun: true } : {}) };
  } catch (error) {
    if (error instanceof InputError) return { code: 2, message: error.message };
    return { code: 1, message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };
  }
}
