import { readFileSync } from "node:fs";
import { withLatencyMatrix } from "./latency-file.js";
import { basename, dirname, isAbsolute, join } from "node:path";
import { parseTrace, TraceError, type ChurnTrace } from "../churn/trace.js";
import YAML from "yaml";
import { parseScenarioText } from "./parse-text.js";
import { InputError, formatPath } from "../core/errors.js";
import { loadPlugins } from "./plugins.js";
import { MAX_NAME_LENGTH, scenarioSchemaNow, type Scenario } from "./schema.js";

/**
 * Reading a scenario: file → plain data (YAML or JSON) → `--set` overrides →
 * validation. Every problem found is reported at once, each with its path and
 * what is allowed, so a user fixes a file in one pass.
 */

export { parseScenarioText } from "./parse-text.js";

export function readScenarioFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder, not a file" : code === "EACCES" ? "permission denied" : String((err as Error).message);
    throw new InputError(`cannot read scenario ${file}: ${why}.`);
  }
  return parseScenarioText(text, file);
}

/**
 * Applies `--set path=value` overrides. The value is read as YAML, so
 * `overlay.degree=6` sets a number, `churn.model=none` a string and
 * `overlay.search={method: random-walk, walkers: 32}` an object.
 */
export function applyOverrides(raw: unknown, overrides: readonly string[], file: string): unknown {
  const root = (raw && typeof raw === "object" && !Array.isArray(raw) ? structuredClone(raw) : {}) as Record<string, unknown>;
  for (const assignment of overrides) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new InputError(`--set ${JSON.stringify(assignment)}: expected path=value, e.g. --set overlay.degree=6`);
    const path = assignment.slice(0, eq).split(".");
    if (path.some((p) => p === "" || p === "__proto__" || p === "constructor" || p === "prototype")) {
      throw new InputError(`--set ${JSON.stringify(assignment)}: expected a dotted path of field names, e.g. churn.session.mean`);
    }
    let value: unknown;
    try {
      value = YAML.parse(assignment.slice(eq + 1));
    } catch {
      value = assignment.slice(eq + 1);
    }
    const blocked = setField(root, path, value);
    if (blocked) throw new InputError(`--set ${assignment}: ${blocked.key} in ${file} is not an object, so it has no field ${blocked.field}`);
  }
  return root;
}

/**
 * Sets the field at `path` in plain scenario data, creating missing objects
 * on the way (also used by variants: and sweep:). Returns the key that is in
 * the way if one on the path is not an object, and changes nothing then.
 */
export function setField(root: Record<string, unknown>, path: readonly string[], value: unknown): { key: string; field: string } | undefined {
  let probe: unknown = root;
  for (let i = 0; i < path.length - 1 && probe !== undefined && probe !== null; i++) {
    probe = (probe as Record<string, unknown>)[path[i]!];
    if (probe !== undefined && probe !== null && (typeof probe !== "object" || Array.isArray(probe))) return { key: path[i]!, field: path[i + 1]! };
  }
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
  return undefined;
}

/**
 * A results-folder name from a file name in any script ("홍수 실험 1" gives
 * "홍수-실험-1"): composed Unicode (NFC, so macOS's decomposed Hangul names
 * give the same folder), every run of other signs turned into one '-'.
 */
export function slugName(stem: string): string {
  return stem
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}._-]+/gu, "-")
    .replace(/^[-._]+|-+$/g, "");
}

/** Validates plain scenario data. Throws an InputError listing every problem. */
export function validateScenario(raw: unknown, file: string): Scenario {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InputError(`${file} is not a valid scenario: expected a mapping of fields (name, duration, peers, overlay, ...) at the top level.`);
  }
  loadPlugins(raw, file);
  const result = scenarioSchemaNow().safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${formatPath(issue.path)}: ${issue.message}${defaultNote(raw, issue.path)}`);
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    throw new InputError(`${file} is not a valid scenario (${count}; see docs/scenarios.md):\n${problems.join("\n")}`);
  }
  const name = result.data.name ?? slugName(basename(file).replace(/\.(ya?ml|json)$/i, ""));
  if (name.length > MAX_NAME_LENGTH) {
    throw new InputError(
      `${file} is not a valid scenario (1 problem; see docs/scenarios.md):\n  name: the file name gives the name ${JSON.stringify(name.slice(0, 40) + "...")} of ${name.length} characters, too long for a results folder; add name: with at most ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u.test(name)) {
    throw new InputError(
      `${file} is not a valid scenario (1 problem; see docs/scenarios.md):\n  name: the file name gives the name ${JSON.stringify(name)}, which cannot name a results folder; add name: with letters (any script), digits, '.', '_' and '-'`,
    );
  }
  // variants: and sweep: describe several runs; sim/run/experiment.ts expands them, and each run's scenario is without them.
  const { $schema: _ignored, variants: _variants, sweep: _sweep, ...scenario } = result.data;
  return withLatencyMatrix(withTrace({ ...scenario, name } as Scenario, file), file);
}

/**
 * " (not in the file: this is its default)" when a problem is about a value
 * the file never wrote, so a user is not left searching the file for it.
 */
export function defaultNote(raw: unknown, path: readonly PropertyKey[]): string {
  let node: unknown = raw;
  for (const key of path) {
    if (node === null || typeof node !== "object") return "";
    node = (node as Record<PropertyKey, unknown>)[key];
    if (node === undefined) return ` (${formatPath(path)} is not in the file: the value is its default; write ${formatPath(path)}: to choose another)`;
  }
  return "";
}

/** With churn model "trace", reads the trace file the scenario names (relative to `file`) into `churn.trace`. */
export function withTrace(scenario: Scenario, file: string): Scenario {
  if (scenario.churn.model !== "trace" || scenario.churn.trace) return scenario;
  return { ...scenario, churn: { ...scenario.churn, trace: readTrace(scenario.churn.file, file) } };
}

/** Reads the churn trace a scenario names, relative to the scenario file. */
function readTrace(traceFile: string, scenarioFile: string): ChurnTrace {
  const path = isAbsolute(traceFile) ? traceFile : join(dirname(scenarioFile), traceFile);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder, not a file" : String((err as Error).message);
    throw new InputError(`${scenarioFile} is not a valid scenario (1 problem; see docs/faults.md):\n  churn.file: cannot read the trace ${path}: ${why}.`);
  }
  try {
    return parseTrace(text);
  } catch (err) {
    if (err instanceof TraceError) throw new InputError(`${path} is not a valid churn trace (named by churn.file in ${scenarioFile}; see docs/faults.md): ${err.message}.`);
    throw err;
  }
}

/** Reads, overrides and validates a scenario file. */
export function loadScenario(file: string, overrides: readonly string[] = []): Scenario {
  return validateScenario(applyOverrides(readScenarioFile(file), overrides, file), file);
}
