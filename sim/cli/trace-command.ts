import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { generateTrace } from "../run/trace-generate.js";
import { InputError } from "../core/errors.js";
import { loadScenario } from "../scenario/load.js";

/**
 * `peerlab trace generate <scenario>`: writes the churn of a scenario as a
 * trace file (docs/faults.md), to replay the same churn under other overlays.
 * The file is written next to its final name and renamed into place, so an
 * existing trace is never left half-overwritten.
 */
export function traceGenerateCommand(args: { scenario: string; out?: string; seed?: number; set?: string[]; force: boolean; quiet: boolean }): number {
  const overrides = [...(args.set ?? []), ...(args.seed !== undefined ? [`seed=${args.seed}`] : [])];
  const scenario = loadScenario(args.scenario, overrides);
  if (scenario.churn.model === "trace") {
    throw new InputError(`${args.scenario}: churn.model is already "trace"; generate a trace from a scenario with churn model "none" or "sessions".`);
  }
  const out = args.out ?? join("results", "traces", `${scenario.name}-seed-${scenario.seed}.csv`);
  if (existsSync(out) && !args.force) throw new InputError(`${out} already exists; pass --force to replace it, or --out another file.`);
  const trace = generateTrace(scenario, args.scenario);
  mkdirSync(dirname(out), { recursive: true });
  const temp = `${out}.partial`;
  writeFileSync(temp, trace.text);
  renameSync(temp, out);
  if (!args.quiet) process.stdout.write(`wrote ${out}: ${trace.events} events, ${trace.peers} peers over ${scenario.duration / 1000} s\nreplay it with  churn: { model: trace, file: <path relative to the scenario> }\n`);
  return 0;
}
