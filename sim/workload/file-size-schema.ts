import { z } from "zod";
import { describeValue, positiveNumber, strict } from "../core/fields.js";
import { parseSize } from "../core/units.js";

/**
 * `workload.fileSize:` — how big the object behind each key is, for overlays
 * that move data over links (network.bandwidth). Sizes stay as written
 * ("4MB"); sim/workload/file-sizes.ts parses them.
 */

export function byteSize(example = "4MB") {
  const expected = `expected a size > 0 like "${example}" (units B, kB, MB, GB, KiB, MiB, GiB)`;
  return z
    .union([z.string(), z.number()], { error: (issue) => `${expected}, got ${describeValue(issue.input)}` })
    .refine((v) => {
      const bytes = typeof v === "number" ? v : parseSize(v);
      return bytes !== undefined && Number.isFinite(bytes) && bytes > 0;
    }, { error: (issue) => `${expected}, got ${describeValue(issue.input)}` })
    .meta({ description: `A size, e.g. "${example}"; a plain number is bytes.` });
}

export const fileSizeSchema = z.union(
  [
    byteSize("4MB"),
    strict({ distribution: z.literal("exponential"), mean: byteSize("4MB") }),
    strict({ distribution: z.literal("uniform"), min: byteSize("1MB"), max: byteSize("8MB") }),
    strict({ distribution: z.literal("lognormal"), median: byteSize("4MB"), sigma: positiveNumber() }),
    strict({ distribution: z.literal("pareto"), scale: byteSize("1MB"), shape: positiveNumber() }),
  ],
  { error: (issue) => `expected a size like "4MB" or { distribution: "exponential" | "uniform" | "lognormal" | "pareto", ... }, got ${describeValue(issue.input)}` },
);

export type FileSizeSpec = z.output<typeof fileSizeSchema>;
