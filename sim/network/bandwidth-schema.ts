import { z } from "zod";
import { LINK_PRESETS } from "./presets.js";
import { CARRIERS, type CarrierName } from "./carriers/carrier.js";
import { describeValue, duration, oneOf, positiveNumber, probability, strict } from "../core/fields.js";
import { BANDWIDTH_UNITS, parseBandwidth } from "../core/units.js";

/**
 * `network.bandwidth:` — per-peer upload and download capacity and the
 * carrier that shares them (docs/scenarios.md, "Bandwidth"). Link rates stay
 * the strings the user wrote ("20Mbit/s"): sim/network/links.ts parses them,
 * so a resolved scenario in a manifest validates again unchanged.
 */

const UNITS_HINT = `units: ${BANDWIDTH_UNITS.filter((u) => !u.endsWith("bps")).join(", ")}`;

/** A link rate with a unit, like "20Mbit/s" or "800kB/s"; unit-less numbers are refused (bits or bytes?). */
export function linkRate(example = "20Mbit/s") {
  const expected = `expected a link rate ≥ 0 with a unit like "${example}" (${UNITS_HINT})`;
  return z
    .string({ error: (issue) => `${expected}, got ${describeValue(issue.input)}${typeof issue.input === "number" ? " (a plain number is ambiguous: say bits or bytes)" : ""}` })
    .refine((text) => {
      const value = parseBandwidth(text);
      return value !== undefined && Number.isFinite(value) && value >= 0;
    }, { error: (issue) => `${expected}, got ${describeValue(issue.input)}` })
    .meta({ description: `A link rate with a unit, e.g. "${example}" (${UNITS_HINT}).` });
}

/**
 * Picks the schema for a value by its shape and reports that schema's own
 * problems, so a mistake gets one precise message instead of a union's
 * "none of these matched". The JSON Schema (io: "input") still lists every
 * form through the union given for it.
 */
function byShape<T extends z.ZodType>(union: T, pick: (value: unknown) => z.ZodType | string) {
  return z
    .unknown()
    .transform((value, ctx): z.output<T> => {
      const schema = pick(value);
      if (typeof schema === "string") {
        ctx.addIssue({ code: "custom", message: schema });
        return z.NEVER;
      }
      const parsed = schema.safeParse(value);
      if (parsed.success) return parsed.data as z.output<T>;
      for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as (string | number)[] });
      return z.NEVER;
    })
    .meta(inputSchemaOf(union));
}

/** The JSON Schema of what `union` accepts, without its own "$schema" header, as editor hints for a byShape field. */
function inputSchemaOf(union: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(union, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/** A constant rate, or a distribution of rates drawn once per peer. */
const rateValue = (example: string) => {
  const forms = {
    uniform: strict({ distribution: z.literal("uniform"), min: linkRate(example), max: linkRate(example) }).meta({ description: "Uniform between min and max, drawn once per peer." }),
    lognormal: strict({ distribution: z.literal("lognormal"), median: linkRate(example), sigma: positiveNumber() }).meta({ description: "median·e^(sigma·Z), drawn once per peer." }),
    pareto: strict({ distribution: z.literal("pareto"), scale: linkRate(example), shape: positiveNumber() }).meta({ description: "Pareto with minimum `scale` and tail index `shape`, drawn once per peer." }),
  };
  const union = z.union([linkRate(example), forms.uniform, forms.lognormal, forms.pareto]);
  return byShape(union, (value) => {
    if (typeof value === "string") return linkRate(example);
    if (typeof value === "number") return `expected a link rate with a unit like "${example}", got ${value} (a plain number is ambiguous: say bits or bytes, e.g. "${value}Mbit/s" or "${value}kB/s")`;
    const kind = (value as { distribution?: unknown } | null)?.distribution;
    if (value !== null && typeof value === "object" && typeof kind === "string" && kind in forms) return forms[kind as keyof typeof forms];
    return `expected a link rate with a unit like "${example}" or { distribution: "uniform" | "lognormal" | "pareto", ... }, got ${describeValue(kind ?? value)}`;
  });
};

const presetNames = Object.keys(LINK_PRESETS) as [string, ...string[]];

const linkClass = strict({
  preset: oneOf(presetNames).optional().meta({ description: `A named access technology (${presetNames.join(", ")}; numbers and sources in docs/scenarios.md).` }),
  name: z.string().min(1).optional().meta({ description: "A name for a class without a preset." }),
  upload: rateValue("1Mbit/s").optional().meta({ description: "Upload capacity (overrides the preset's)." }),
  download: rateValue("8Mbit/s").optional().meta({ description: "Download capacity (overrides the preset's); omitted without a preset: unlimited." }),
  share: probability().meta({ description: "Fraction of peers in this class; the shares sum to 1." }),
});

const uploadForm = strict({
  upload: rateValue("20Mbit/s").meta({ description: "Upload capacity: a rate, or a distribution drawn once per peer." }),
  download: rateValue("100Mbit/s").optional().meta({ description: "Download capacity; omitted: unlimited." }),
});
const presetForm = strict({ preset: oneOf(presetNames).meta({ description: `A named access technology: ${presetNames.join(", ")}.` }) });
const classesForm = strict({ classes: z.array(linkClass).min(1).meta({ description: "Classes of peers by share, each with a preset or its own rates." }) });

/** The links of a group of peers: one upload (and optional download) for all, a preset, or classes with shares. */
export const linkSpec = byShape(z.union([uploadForm, presetForm, classesForm]), (value) => {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    if ("classes" in value) return classesForm;
    if ("preset" in value) return presetForm;
    if ("upload" in value || "download" in value) return uploadForm;
  }
  return `expected links: { upload: "20Mbit/s", download: "100Mbit/s" }, { preset: ${presetNames.map((p) => JSON.stringify(p)).join(" | ")} } or { classes: [...] }, got ${describeValue(value)}`;
});

export const CARRIER_NAMES = CARRIERS.map((c) => c.name) as [CarrierName, ...CarrierName[]];

export const bandwidthSchema = strict({
  model: oneOf(CARRIER_NAMES)
    .default("none")
    .meta({ description: `How bytes share links: ${CARRIERS.map((c) => `"${c.name}" (${c.description})`).join(", ")}.` }),
  links: linkSpec.optional().meta({ description: "Every churn peer's upload and download capacity (required by serial, share and maxmin unless regions cover every peer)." }),
  regions: z
    .record(z.string(), linkSpec)
    .optional()
    .meta({ description: "Links by region of the regions latency model (a region not listed uses `links`)." }),
  services: z
    .record(z.string(), linkSpec)
    .optional()
    .meta({ description: "Links of the overlay's service peers by role (e.g. index); a role not listed uses `links`." }),
  messages: oneOf(["latency", "carried"])
    .default("latency")
    .meta({ description: 'Overlay messages: "latency" (small control messages take their latency only, the default) or "carried" (every message also queues on the links by its size).' }),
  solveInterval: duration({ positive: false, example: "100ms" })
    .optional()
    .meta({
      description:
        'maxmin only. Absent or 0 (exact): rates are solved again at every instant a transfer starts or ends. Above 0: once per step of this length; in between a starting transfer takes the capacity its links have left (fewer solves for large swarms; docs/bittorrent.md, "Performance", says what it approximates) (units ms, s, m, h, d; a plain number is ms).',
    }),
});

export type BandwidthSpec = z.output<typeof bandwidthSchema>;
export type LinkSpec = z.output<typeof linkSpec>;
export type RateValue = z.output<ReturnType<typeof rateValue>>;

/** Checks a bandwidth section against the rest of the scenario: capacities where the carrier needs them, known regions and roles. */
export function checkBandwidth(
  b: BandwidthSpec,
  regionNames: readonly string[] | undefined,
  roles: readonly string[],
  addIssue: (path: (string | number)[], message: string) => void,
): void {
  const at = (...p: (string | number)[]) => ["network", "bandwidth", ...p];
  if (b.model !== "none" && b.links === undefined) {
    const covered = regionNames !== undefined && b.regions !== undefined && regionNames.every((r) => b.regions![r] !== undefined);
    if (!covered) addIssue(at("links"), `expected links (upload and download capacities) for model "${b.model}": it needs a capacity for every peer; give links, or regions for every region`);
  }
  if ((b.solveInterval ?? 0) > 0 && b.model !== "maxmin") {
    addIssue(at("solveInterval"), `expected solveInterval only with model "maxmin" (it batches max-min solves into steps), got model "${b.model}"`);
  }
  for (const name of Object.keys(b.regions ?? {})) {
    if (regionNames === undefined) addIssue(at("regions", name), `expected regions only with the "regions" latency model, got region ${JSON.stringify(name)}`);
    else if (!regionNames.includes(name)) addIssue(at("regions", name), `expected a region of network.latency.regions (${regionNames.map((r) => JSON.stringify(r)).join(", ")}), got ${JSON.stringify(name)}`);
  }
  for (const role of Object.keys(b.services ?? {})) {
    if (!roles.includes(role)) addIssue(at("services", role), `expected a service role of the overlay (${roles.length ? roles.map((r) => JSON.stringify(r)).join(", ") : "it has none"}), got ${JSON.stringify(role)}`);
  }
  const checkClasses = (spec: LinkSpec | undefined, path: (string | number)[]) => {
    if (!spec || !("classes" in spec)) return;
    const total = spec.classes.reduce((a, c) => a + c.share, 0);
    if (Math.abs(total - 1) > 1e-9) addIssue([...path, "classes"], `expected class shares that sum to 1, got ${total}`);
    spec.classes.forEach((c, i) => {
      if (c.preset === undefined && c.upload === undefined) addIssue([...path, "classes", i], "expected a preset or an upload rate for this class");
    });
  };
  checkClasses(b.links, at("links"));
  for (const [name, spec] of Object.entries(b.regions ?? {})) checkClasses(spec, at("regions", name));
  for (const [name, spec] of Object.entries(b.services ?? {})) checkClasses(spec, at("services", name));
}
