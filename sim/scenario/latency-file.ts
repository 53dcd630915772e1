import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { parseLatencyMatrix, type LatencySpec } from "../network/latency.js";
import { makeLatencyModel } from "../network/latency-models.js";
import { InputError } from "../core/errors.js";
import type { Scenario } from "./schema.js";

/**
 * With latency model "matrix", reads the CSV the scenario names (relative to
 * `file`) into `network.latency.sites` and `.delays`, like a churn trace: the
 * resolved scenario then carries the matrix, so worker threads and the
 * manifest need no file. Bad files and shares are reported as input errors.
 */
export function withLatencyMatrix(scenario: Scenario, file: string): Scenario {
  const latency = scenario.network.latency as LatencySpec;
  if (latency.model !== "matrix" || latency.delays !== undefined) return scenario;
  const where = "network.latency.file";
  const path = isAbsolute(latency.file!) ? latency.file! : join(dirname(file), latency.file!);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder, not a file" : String((err as Error).message);
    throw new InputError(`${file} is not a valid scenario (1 problem; see docs/scenarios.md):\n  ${where}: cannot read the latency matrix ${path}: ${why}.`);
  }
  let matrix: { sites: string[]; delays: number[] };
  try {
    matrix = parseLatencyMatrix(text, latency.values ?? "rtt");
  } catch (err) {
    throw new InputError(`${path} is not a valid latency matrix (named by ${where} in ${file}; see docs/scenarios.md): ${(err as Error).message}.`);
  }
  const resolved = { ...latency, ...matrix };
  try {
    makeLatencyModel(resolved);
  } catch (err) {
    throw new InputError(`${file} is not a valid scenario (1 problem; see docs/scenarios.md):\n  network.latency.shares: ${(err as Error).message}.`);
  }
  return { ...scenario, network: { ...scenario.network, latency: resolved } } as Scenario;
}
