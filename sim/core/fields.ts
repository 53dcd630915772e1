import { z } from "zod";
import { parseDuration, parseRate } from "./units.js";

/**
 * Field types shared by every part of the scenario schema. Each one says in
 * its error message what is allowed, and each accepts the form it produces
 * (milliseconds, events per second), so a resolved scenario written into a
 * manifest can be run again as it is.
 */

export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "a list" : "an object";
}

/**
 * The longest duration a scenario may name: 100 years. Longer values are
 * mistakes, and bounding them keeps every sum and product of times finite
 * (a latency of 1e308 ms times a factor overflows to Infinity mid-run).
 */
export const MAX_DURATION_MS = 36_500 * 86_400_000;
/** The highest rate a scenario may name, per second; far more than any run could hold (the pre-flight estimate refuses much less). */
export const MAX_RATE_PER_S = 1e9;

/** A duration like "30s" → milliseconds. Plain numbers are milliseconds. */
export function duration(options: { positive?: boolean; example?: string } = {}) {
  const positive = options.positive ?? true;
  const example = options.example ?? "30s";
  const kind = positive ? "a positive duration" : "a duration ≥ 0";
  const expected = `expected ${kind} like "${example}" (units: ms, s, m, h, d)`;
  return z
    .union([z.string(), z.number()], { error: (issue) => `${expected}, got ${describeValue(issue.input)}` })
    .transform((value, ctx) => {
      const ms = typeof value === "number" ? value : parseDuration(value);
      if (ms === undefined || !Number.isFinite(ms) || ms < 0 || (positive && ms === 0)) {
        ctx.addIssue({ code: "custom", message: `${expected}, got ${describeValue(value)}` });
        return z.NEVER;
      }
      if (ms > MAX_DURATION_MS) {
        ctx.addIssue({ code: "custom", message: `${expected}, at most 100 years ("36500d"), got ${describeValue(value)}` });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ description: `${kind}, e.g. "${example}"` });
}

/** A rate like "10/s" → events per second. Plain numbers are per second. */
export function rate(example = "10/s") {
  const expected = `expected a positive rate like "${example}" (per ms, s, m, h or d)`;
  return z
    .union([z.string(), z.number()], { error: (issue) => `${expected}, got ${describeValue(issue.input)}` })
    .transform((value, ctx) => {
      const perMs = typeof value === "number" ? value / 1000 : parseRate(value);
      if (perMs === undefined || !(perMs > 0) || !Number.isFinite(perMs)) {
        ctx.addIssue({ code: "custom", message: `${expected}, got ${describeValue(value)}` });
        return z.NEVER;
      }
      if (perMs * 1000 > MAX_RATE_PER_S) {
        ctx.addIssue({ code: "custom", message: `${expected}, at most 1e9/s, got ${describeValue(value)}` });
        return z.NEVER;
      }
      return perMs * 1000;
    })
    .meta({ description: `a rate, e.g. "${example}"` });
}

/**
 * An object that rejects unknown keys, naming the keys it does allow, so a
 * typo ("degre") is caught before a run instead of silently ignored.
 * `retired` names keys an older peerlab had, each with what to write now:
 * a scenario that still has one is told so instead of just "unknown key".
 */
export function strict<S extends z.core.$ZodLooseShape>(shape: S, retired: Readonly<Record<string, string>> = {}) {
  const allowed = Object.keys(shape).map((k) => JSON.stringify(k)).join(", ");
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") {
        const unknown = (issue as { keys: string[] }).keys;
        const old = unknown.find((k) => Object.hasOwn(retired, k));
        if (old !== undefined) return `${JSON.stringify(old)} is no longer an option: ${retired[old]}`;
        const keys = unknown.map((k) => JSON.stringify(k)).join(", ");
        return `unknown key ${keys}; allowed here: ${allowed}`;
      }
      return `expected an object with keys ${allowed}, got ${describeValue(issue.input)}`;
    },
  });
}

export function probability() {
  return z
    .number({ error: (issue) => `expected a probability between 0 and 1, got ${describeValue(issue.input)}` })
    .min(0, { error: (issue) => `expected a probability between 0 and 1, got ${describeValue(issue.input)}` })
    .max(1, { error: (issue) => `expected a probability between 0 and 1, got ${describeValue(issue.input)}` });
}

export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  const error = (issue: { input?: unknown }) => `expected ${expected}, got ${describeValue(issue.input)}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/**
 * A positive number, bounded so that what the simulator computes from it
 * stays finite (sigma 1000 makes e^(sigma·Z) overflow). `min` is exclusive
 * when 0, inclusive otherwise; `max` inclusive.
 */
export function positiveNumber(options: { min?: number; max?: number } = {}) {
  const min = options.min ?? 0;
  const max = options.max ?? 1e9;
  const expected = min > 0 ? `a number from ${min} to ${formatBound(max)}` : `a positive number up to ${formatBound(max)}`;
  const error = (issue: { input?: unknown }) => `expected ${expected}, got ${describeValue(issue.input)}`;
  const base = z.number({ error });
  return (min > 0 ? base.min(min, { error }) : base.positive({ error })).max(max, { error });
}

/** A coordinate on the latency plane, in ms: bounded so that distances between peers stay finite. */
export function coordinate() {
  const error = (issue: { input?: unknown }) => `expected a number from -1e7 to 1e7 (ms of latency), got ${describeValue(issue.input)}`;
  return z.number({ error }).min(-1e7, { error }).max(1e7, { error });
}

function formatBound(x: number): string {
  return x >= 1e6 ? x.toExponential().replace("e+", "e") : String(x);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => `expected one of ${values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(issue.input)}`,
  });
}

/**
 * A distribution of durations (session lengths, offline times). Parameters
 * that are times take units; shapes are plain numbers.
 */
export function durationDistribution(example = "30m") {
  const d = () => duration({ example });
  // Bounds keep draws finite: x_m·U^(−1/α), λ·(−ln U)^(1/k) and e^(σ·Z) overflow for tiny α, k or huge σ.
  const shape = (what: string, bounds: { min?: number; max?: number }) => positiveNumber(bounds).meta({ description: what });
  return z.discriminatedUnion(
    "distribution",
    [
      strict({ distribution: z.literal("fixed"), value: d().meta({ description: `Every draw is this long, e.g. "${example}".` }) }),
      strict({ distribution: z.literal("exponential"), mean: d().meta({ description: `The mean, e.g. "${example}".` }) }),
      strict({
        distribution: z.literal("uniform"),
        min: duration({ positive: false, example }).meta({ description: "Shortest draw." }),
        max: d().meta({ description: "Longest draw." }),
      }),
      strict({
        distribution: z.literal("pareto"),
        shape: shape("Tail index α (> 1 for churn: the mean must be finite); smaller is heavier-tailed.", { min: 0.1, max: 1000 }),
        scale: d().optional().meta({ description: "x_m, the shortest possible draw. Give scale or mean, not both." }),
        mean: d().optional().meta({ description: "The mean, α·x_m/(α−1). Give scale or mean, not both." }),
      }),
      strict({
        distribution: z.literal("weibull"),
        shape: shape("Shape k; k < 1 gives many short and a few very long draws, k = 1 is exponential.", { min: 0.05, max: 1000 }),
        scale: d().optional().meta({ description: "Scale λ. Give scale or mean, not both." }),
        mean: d().optional().meta({ description: "The mean, λ·Γ(1+1/k). Give scale or mean, not both." }),
      }),
      strict({
        distribution: z.literal("lognormal"),
        median: d().meta({ description: "The median, e^μ." }),
        sigma: shape("σ of the underlying normal distribution.", { max: 10 }),
      }),
    ],
    {
      error: (issue) =>
        `expected a distribution: one of "fixed", "exponential", "uniform", "pareto", "weibull", "lognormal", got ${describeValue(
          (issue.input as { distribution?: unknown } | undefined)?.distribution,
        )}`,
    },
  );
}

/** Editor hint for what a duration field accepts. */
export function durationHint(example: string, positive = true): string {
  return `${positive ? "A positive duration" : "A duration ≥ 0"} like "${example}" (units ms, s, m, h, d; a plain number is ms).`;
}
