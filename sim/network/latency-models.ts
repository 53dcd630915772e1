import { z } from "zod";
import type { ComponentDefinition } from "../core/component.js";
import { familyUnion } from "../core/component.js";
import { coordinate, duration, durationHint, oneOf, positiveNumber, probability, strict } from "../core/fields.js";
import { makeSampler } from "../engine/distributions.js";
import { nonNegative, positive } from "../engine/param-checks.js";
import { DrawnLatency, MatrixLatency, PlaneLatency, RegionsLatency, type LatencyModel, type LatencySpec } from "./latency.js";

/**
 * The latency models a scenario can name in network.latency.model, each with
 * its schema and how it is built (the family shape of sim/core/component.ts).
 * The scenario schema, `peerlab list` and scenarios/schema.json come from
 * this list: a new model is one entry here and its class in latency.ts.
 */

const region = strict({
  name: z.string().min(1).meta({ description: "The region's name." }),
  /** Fraction of peers placed in this region; shares must sum to 1. */
  share: probability().meta({ description: "Fraction of peers placed in this region; the shares of all regions must sum to 1." }),
  /** Centre of the region in a plane whose units are milliseconds of latency. */
  x: coordinate().meta({ description: "x of the region's centre, in ms of latency." }),
  y: coordinate().meta({ description: "y of the region's centre, in ms of latency." }),
  /** Peers are spread uniformly over a disc of this radius (ms) around the centre. */
  radius: duration({ positive: false, example: "5ms" })
    .prefault("5ms")
    .meta({ description: `Peers are spread uniformly over a disc of this radius around the centre. ${durationHint("5ms", false)}` }),
});

const baseMeta = { description: `Fixed part of every delay. ${durationHint("5ms", false)}` };
const jitterMeta = { description: `Each delay adds a uniform random amount in [0, jitter). ${durationHint("5ms", false)}` };


/** The name of a model in error messages of its parameters. */
const ctx = (model: string) => `${model} latency model`;

type Spec<M extends LatencySpec["model"]> = Extract<LatencySpec, { model: M }>;

function model<M extends LatencySpec["model"], S extends z.ZodObject>(
  name: M,
  description: string,
  schema: S,
  create: (spec: Spec<M>) => LatencyModel,
): ComponentDefinition<LatencyModel, Spec<M>, S> {
  return { name, description, schema, create };
}

export const LATENCY_MODELS = [
  model(
    "constant",
    "every message takes exactly `delay` ms",
    strict({
        model: z.literal("constant"),
        delay: duration({ positive: false, example: "50ms" }).meta({ description: `One-way delay of every message. ${durationHint("50ms", false)}` }),
      }).meta({ description: "Every message takes exactly `delay`." }),
    (spec) => {
      const delay = nonNegative(ctx("constant"), "delay", spec.delay);
      return new DrawnLatency(makeSampler({ distribution: "fixed", value: delay }), 0);
    },
  ),
  model(
    "uniform",
    "each message takes a uniform [min, max) ms, drawn independently",
    strict({
        model: z.literal("uniform"),
        min: duration({ positive: false, example: "10ms" }).meta({ description: `Shortest delay (at most max). ${durationHint("10ms", false)}` }),
        max: duration({ example: "100ms" }).meta({ description: `Longest delay. ${durationHint("100ms")}` }),
      }).meta({ description: "Each message takes a uniform random delay in [min, max), drawn independently." }),
    (spec) => {
      const min = nonNegative(ctx("uniform"), "min", spec.min);
      const max = nonNegative(ctx("uniform"), "max", spec.max);
      if (min > max) throw new Error(`${ctx("uniform")}: "min" (${min}) must be ≤ "max" (${max})`);
      return new DrawnLatency(makeSampler({ distribution: "uniform", min, max }), 0);
    },
  ),
  model(
    "lognormal",
    "each message takes a lognormal(median, sigma) ms, drawn independently, floored at `min` (default 0)",
    strict({
        model: z.literal("lognormal"),
        median: duration({ example: "50ms" }).meta({ description: `Median one-way delay. ${durationHint("50ms")}` }),
        sigma: positiveNumber({ max: 10 }).meta({
          description: "Standard deviation of the underlying normal (> 0); the mean delay is median·e^(sigma²/2).",
        }),
        min: duration({ positive: false, example: "1ms" })
          .prefault("0ms")
          .meta({ description: `Smallest delay: shorter draws are raised to it. ${durationHint("1ms", false)}` }),
      }).meta({ description: "Each message takes median·e^(sigma·Z) with Z standard normal, drawn independently, at least `min`." }),
    (spec) => {
      const median = positive(ctx("lognormal"), "median", spec.median);
      const sigma = nonNegative(ctx("lognormal"), "sigma", spec.sigma);
      const min = spec.min === undefined ? 0 : nonNegative(ctx("lognormal"), "min", spec.min);
      return new DrawnLatency(makeSampler({ distribution: "lognormal", median, sigma }), min);
    },
  ),
  model(
    "exponential",
    "each message takes `min` + an exponential draw, `mean` ms in all, drawn independently",
    strict({
        model: z.literal("exponential"),
        mean: duration({ example: "50ms" }).meta({ description: `Mean one-way delay, the minimum included. ${durationHint("50ms")}` }),
        min: duration({ positive: false, example: "5ms" })
          .prefault("0ms")
          .meta({ description: `Smallest delay: each delay is min plus an exponential draw of mean (mean − min); below mean. ${durationHint("5ms", false)}` }),
      }).meta({ description: "Each message takes min + an exponential draw, mean `mean` in all, drawn independently (the Chord paper's Exp(50 ms) has min 0)." }),
    (spec) => {
      const mean = positive(ctx("exponential"), "mean", spec.mean);
      const min = spec.min === undefined ? 0 : nonNegative(ctx("exponential"), "min", spec.min);
      if (min >= mean) throw new Error(`${ctx("exponential")}: "min" (${min}) must be below "mean" (${mean})`);
      return new DrawnLatency(makeSampler({ distribution: "exponential", mean: mean - min }), 0, min);
    },
  ),
  model(
    "plane",
    "peers uniform in a size×size ms square; latency = base + distance + uniform[0, jitter)",
    strict({
        model: z.literal("plane"),
        /** Side of the square (ms); latency is the distance between two peers. */
        size: duration({ example: "200ms" }).meta({
          description: `Side of the square peers are placed in; latency is the distance between two peers. ${durationHint("200ms")}`,
        }),
        base: duration({ positive: false, example: "5ms" }).prefault("5ms").meta(baseMeta),
        jitter: duration({ positive: false, example: "5ms" }).prefault("0ms").meta(jitterMeta),
      }).meta({ description: "Peers uniform in a size×size square (ms); delay = base + distance + uniform[0, jitter)." }),
    (spec) => new PlaneLatency(positive(ctx("plane"), "size", spec.size), nonNegative(ctx("plane"), "base", spec.base), nonNegative(ctx("plane"), "jitter", spec.jitter)),
  ),
  model(
    "regions",
    "peers in regions (by share), uniform in a disc of `radius` ms around each region's (x, y); latency = base + distance + uniform[0, jitter)",
    strict({
        model: z.literal("regions"),
        regions: z.array(region).min(1).meta({ description: "The regions (at least one); their shares sum to 1." }),
        base: duration({ positive: false, example: "5ms" }).prefault("5ms").meta(baseMeta),
        jitter: duration({ positive: false, example: "5ms" }).prefault("0ms").meta(jitterMeta),
      }).meta({
        description: "Peers placed in regions by share, uniform in each region's disc; delay = base + distance + uniform[0, jitter).",
      }),
    (spec) => new RegionsLatency(spec.regions, nonNegative(ctx("regions"), "base", spec.base), nonNegative(ctx("regions"), "jitter", spec.jitter), ctx("regions")),
  ),
  model(
    "matrix",
    "peers at named sites (by share); latency = the CSV matrix entry between their sites (half, for RTTs) + uniform[0, jitter)",
    strict({
        model: z.literal("matrix"),
        file: z.string().min(1).meta({ description: "CSV of delays between named sites, relative to the scenario file: a header row (a first cell, then the site names) and one row per site in the same order, delays in ms." }),
        values: oneOf(["rtt", "one-way"])
          .default("rtt")
          .meta({ description: '"rtt": the CSV holds round-trip times and a message takes half (measured matrices usually do); "one-way": the CSV holds one-way delays.' }),
        shares: z
          .record(z.string(), z.number().min(0))
          .optional()
          .meta({ description: "Share of peers at each site by name (they sum to 1); without it, every site gets an equal share." }),
        jitter: duration({ positive: false, example: "5ms" }).prefault("0ms").meta(jitterMeta),
        /** Filled in when the scenario is loaded: the sites and the one-way delays (row-major), so worker threads read no files. */
        sites: z.array(z.string()).optional().meta({ description: "Filled in from `file` when the scenario is loaded; leave it out." }),
        delays: z.array(z.number().min(0)).optional().meta({ description: "Filled in from `file` when the scenario is loaded (one-way ms, row-major); leave it out." }),
      }).meta({ description: "Peers assigned to named sites (by share); a message takes the matrix entry between their sites (half of it for RTTs) + uniform[0, jitter)." }),
    (spec) => new MatrixLatency(spec.sites ?? [], spec.delays ?? [], spec.shares, nonNegative(ctx("matrix"), "jitter", spec.jitter), ctx("matrix")),
  ),
] as const;

/** The network.latency section of a scenario: one of the models, by `model`. */
export const latencySchema = familyUnion("model", "a latency model", LATENCY_MODELS);

/** Builds a latency model; throws an Error naming the bad parameter if `spec` is invalid. */
export function makeLatencyModel(spec: LatencySpec): LatencyModel {
  // `spec` may come from parsed YAML, so check the tag at runtime too.
  const kind = (spec as { model?: unknown } | null)?.model;
  const definition = LATENCY_MODELS.find((m) => m.name === kind) as ComponentDefinition<LatencyModel, LatencySpec> | undefined;
  if (!definition) throw new Error(`unknown latency model ${JSON.stringify(kind)}; expected one of ${LATENCY_MODELS.map((m) => m.name).join(", ")}`);
  return definition.create(spec);
}
