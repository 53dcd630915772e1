import { z } from "zod";
import { describeValue, integer, strict } from "../core/fields.js";
import { ZipfSampler } from "../engine/distributions.js";

/**
 * The key space every workload draws from (workload.keys, workload.popularity):
 * the objects peers look up, and how popular each is. Overlays see it too
 * (OverlayWorld.keyCount, keyPopularity), to place replicas.
 */

const popularity = z.discriminatedUnion(
  "distribution",
  [
    strict({ distribution: z.literal("uniform") }).meta({ description: "Every key is equally likely." }),
    strict({
      distribution: z.literal("zipf"),
      s: z.number().min(0).max(100).default(0.8).meta({ description: "Zipf exponent: key k is asked with probability ∝ 1/(k+1)^s; 0 is uniform." }),
    }).meta({ description: "Key 0 is the most popular: P(key k) ∝ 1/(k+1)^s." }),
  ],
  {
    error: (issue) =>
      `expected a popularity distribution: "uniform" or "zipf", got ${describeValue(
        (issue.input as { distribution?: unknown } | undefined)?.distribution,
      )}`,
  },
);

export const keySpaceFields = {
  /** Number of distinct keys (objects); keys are 0 .. keys-1. */
  keys: integer(1, 100_000_000).default(1000).meta({ description: "Number of distinct keys (objects); keys are 0 .. keys-1." }),
  popularity: popularity
    .prefault({ distribution: "zipf" })
    .meta({ description: 'Which keys lookups ask for, chosen by `distribution`: "uniform" or "zipf".' }),
};

export type Popularity = z.output<typeof popularity>;

/** Key popularity: Zipf with exponent s (s = 0 is uniform). */
export function keyPopularity(keys: number, popularity: Popularity): ZipfSampler {
  return new ZipfSampler(keys, popularity.distribution === "zipf" ? popularity.s : 0);
}
