import YAML from "yaml";
import { loadExperiment } from "../run/experiment.js";
import { scenarioSchema, type Scenario } from "../scenario/schema.js";
import { formatDuration } from "../core/units.js";

/**
 * `peerlab validate`: checks a scenario file and prints what would run, as
 * YAML with units ("30s", "10/s") the way a user writes it, every default
 * filled in. Which numbers are durations or rates is asked of the schema
 * itself: a number is printed with a unit only if the schema reads that text
 * back as the same number, so the printed scenario validates again unchanged.
 */
export function validateCommand(file: string, overrides: readonly string[]): string {
  const experiment = loadExperiment(file, overrides);
  if (experiment.kind === "single") return `${file} is valid. Resolved, with every default:\n${scenarioYaml(experiment.scenario)}`;
  if (experiment.kind === "variants") {
    const names = experiment.runs.map((r) => `${r.dir} (${r.scenario.overlay.type})`).join(", ");
    const body = YAML.stringify(Object.fromEntries(experiment.runs.map((r) => [r.dir, withUnits(r.scenario)])), { lineWidth: 0 });
    return `${file} is valid: ${experiment.runs.length} variants, ${names}. Resolved variants, with every default:\n${body}`;
  }
  return `${file} is valid: a sweep of ${experiment.points.length} grid points × ${experiment.replications} replications = ${experiment.runs.length} runs (seeds ${experiment.seeds.join(", ")}). Resolved scenario before the grid's changes, with every default:\n${scenarioYaml(experiment.base)}`;
}

export function scenarioYaml(scenario: Scenario): string {
  return YAML.stringify(withUnits(scenario), { lineWidth: 0 });
}

/** The scenario with durations and rates written with units; a loaded churn trace shown by its size. */
export function withUnits(scenario: Scenario): Record<string, unknown> {
  const data = structuredClone(scenario) as unknown as Record<string, unknown>;
  const churn = data.churn as { trace?: { timeMs: unknown[]; peers: number } };
  if (churn.trace) delete churn.trace; // read from churn.file again when the printed scenario is loaded
  const probe = structuredClone(data);
  const visit = (node: Record<string, unknown> | unknown[], path: (string | number)[]) => {
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, Array.isArray(node) ? Number(key) : key];
      if (value && typeof value === "object") visit(value as Record<string, unknown>, at);
      else if (typeof value === "number" && at[0] !== "seed") {
        const asText = readsBackAs(probe, at, value);
        if (asText !== undefined) (node as Record<string, unknown>)[key] = asText;
      }
    }
  };
  visit(data, []);
  return data;
}

/** A duration or rate text for `value` at `path` if the schema reads it back as exactly `value`, else undefined. */
function readsBackAs(probe: Record<string, unknown>, path: (string | number)[], value: number): string | undefined {
  for (const text of [formatDuration(value), `${value}/s`]) {
    const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((n, k) => n[k] as Record<string | number, unknown>, probe as Record<string | number, unknown>);
    const last = path[path.length - 1]!;
    parent[last] = text;
    const parsed = scenarioSchema.safeParse(probe);
    parent[last] = value;
    if (!parsed.success) continue;
    const back = path.reduce<unknown>((n, k) => (n as Record<string | number, unknown> | undefined)?.[k], parsed.data);
    if (back === value) return text;
  }
  return undefined;
}
