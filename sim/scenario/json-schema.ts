import { z } from "zod";
import { scenarioSchema } from "./schema.js";

/**
 * The JSON Schema (draft 2020-12) of a scenario file, for editors: it is
 * written to scenarios/schema.json by `npm run schema` (write-schema.ts), and
 * a test checks that the file is current.
 *
 * It describes the *input* side of the zod schema: durations and rates may
 * be strings with units or plain numbers, defaults appear as they would be
 * written in a file ("30s", not 30000), and fields with defaults are not
 * required. What JSON Schema cannot say (units inside strings, min ≤ max,
 * shares summing to 1, warm-up shorter than the run, ...) is checked only by
 * peerlab itself: `peerlab validate` is the authority, the JSON Schema is a
 * hint.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, {
    target: "draft-2020-12",
    io: "input",
    // Transforms (durations, rates) are representable on the input side; this
    // only guards against a future field that is not, instead of throwing.
    unrepresentable: "any",
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: "urn:peerlab:scenario",
    title: "peerlab scenario",
    description:
      "A peerlab scenario file (YAML or JSON): what to simulate, for how long, and what to measure. " +
      "Durations take units (ms, s, m, h, d; plain numbers are ms), rates are per unit of time " +
      '("10/s", "600/min"; plain numbers are per second). Reference: docs/scenarios.md. ' +
      "Generated from sim/scenario/schema.ts by `npm run schema`; `peerlab validate` has the last word.",
    ...rest,
  };
}
