import fc from "fast-check";
import YAML from "yaml";

/**
 * Malformed and extreme scenario files, for the fuzz test and `npm run fuzz`:
 * a valid base scenario with one field replaced by an absurd value, or its
 * text damaged (a bracket lost, a line repeated, an alias added), or a
 * document built to hurt the parser (aliases that multiply, deep nesting).
 */

export interface FuzzCase {
  /** What was done, for a failing case's report. */
  what: string;
  text: string;
  /** The field the case changed, when there is one: a message about it should name it. */
  field?: string;
}

/** A small valid scenario every mutation starts from; runs in milliseconds. */
export const BASE_SCENARIO: Record<string, unknown> = {
  name: "fuzz",
  duration: "2m",
  peers: { count: 40, joinOver: "10s" },
  network: { latency: { model: "lognormal", median: "50ms", sigma: 0.5 } },
  churn: { model: "sessions", session: { distribution: "exponential", mean: "5m" }, offline: { distribution: "exponential", mean: "5m" } },
  overlay: { type: "unstructured", degree: 4 },
  workload: { keys: 50, lookups: { rate: "2/s" }, timeout: "5s" },
  metrics: { warmup: "30s", interval: "30s" },
  faults: [{ kind: "degrade", at: "1m", until: "90s", latencyFactor: 2 }],
};

/** Every leaf path of `data` ("peers.count", "faults[0].at" as ["faults", 0, "at"]). */
export function leafPaths(data: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (data === null || typeof data !== "object") return [path];
  const entries = Array.isArray(data) ? data.map((v, i) => [i, v] as const) : Object.entries(data);
  return entries.flatMap(([k, v]) => leafPaths(v, [...path, k]));
}

export function formatFieldPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

const absurdValues = fc.oneof(
  fc.constantFrom<unknown>(
    1e308, -1e308, 1e-308, 0, -1, 1e12, 2 ** 53, -0.5, 1.5,
    "1e308ms", "1e308s", "-5s", "0s", "1e-6ms", "1e9/s", "1e300/s", "5 parsecs", "", " ", "NaN", "Infinity",
    "x".repeat(300), "../../etc", "a/b", "\u0000", "é", null, true, [], {}, [1, 2, 3], { a: { b: { c: 1 } } },
  ),
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.string({ maxLength: 12 }),
);

/** One field replaced by an absurd value. */
export function fieldCase(base: Record<string, unknown> = BASE_SCENARIO): fc.Arbitrary<FuzzCase> {
  const paths = leafPaths(base).filter((p) => p.length > 0);
  return fc.tuple(fc.constantFrom(...paths), absurdValues).map(([path, value]) => {
    const data = structuredClone(base) as Record<string | number, unknown>;
    let node: Record<string | number, unknown> = data;
    for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
    node[path[path.length - 1]!] = value;
    return { what: `${formatFieldPath(path)} = ${JSON.stringify(value)?.slice(0, 40)}`, text: YAML.stringify(data), field: formatFieldPath(path) };
  });
}

/** The base's YAML text damaged in one place. */
export function textCase(base: Record<string, unknown> = BASE_SCENARIO): fc.Arbitrary<FuzzCase> {
  const text = YAML.stringify(base);
  const lines = text.split("\n");
  return fc.oneof(
    fc.nat({ max: text.length - 1 }).map((i) => ({ what: `character ${i} deleted`, text: text.slice(0, i) + text.slice(i + 1) })),
    fc.tuple(fc.nat({ max: text.length }), fc.constantFrom("{", "}", "[", "]", ":", "&a ", "*a", "*nope", "- ", "\t", '"', "'", "#", "!!binary ", "? ", "<<: *a")).map(([i, s]) => ({
      what: `${JSON.stringify(s)} inserted at ${i}`,
      text: text.slice(0, i) + s + text.slice(i),
    })),
    fc.nat({ max: lines.length - 1 }).map((i) => ({ what: `line ${i + 1} repeated`, text: [...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)].join("\n") })),
  );
}

/** Documents built to hurt a parser. */
export function hostileCase(): fc.Arbitrary<FuzzCase> {
  return fc.oneof(
    fc.integer({ min: 3, max: 12 }).map((levels) => {
      const out = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i < levels; i++) out.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(", ")}]`);
      return { what: `alias bomb of ${levels} levels`, text: out.join("\n") + "\n" };
    }),
    fc.integer({ min: 10, max: 20_000 }).map((depth) => ({ what: `flow nesting ${depth} deep`, text: `name: deep\nduration: ${"[".repeat(depth)}${"]".repeat(depth)}\n` })),
    fc.integer({ min: 10, max: 200 }).map((depth) => {
      let text = "overlay:\n";
      for (let i = 1; i <= depth; i++) text += `${"  ".repeat(i)}x:\n`;
      return { what: `block nesting ${depth} deep`, text: text + `${"  ".repeat(depth + 1)}y: 1\n`, field: "overlay" };
    }),
    fc.constantFrom("duration", "peers", "overlay", "name").map((key) => ({
      what: `${key} written twice`,
      text: YAML.stringify(BASE_SCENARIO) + `${key}: ${key === "name" ? "again" : "{}"}\n`,
      field: key,
    })),
    fc.constant({ what: "JSON with a duplicate key", text: '{"name": "j", "duration": "2m", "peers": {"count": 5, "count": 6}, "overlay": {"type": "unstructured"}}', field: "peers.count" }),
  );
}

export function anyCase(): fc.Arbitrary<FuzzCase> {
  return fc.oneof({ weight: 5, arbitrary: fieldCase() }, { weight: 3, arbitrary: textCase() }, { weight: 2, arbitrary: hostileCase() });
}
