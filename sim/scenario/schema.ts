import { z } from "zod";
import { OVERLAYS } from "../overlays/registry.js";
import {
  describeValue,
  duration,
  durationDistribution,
  integer,
  oneOf,
  positiveNumber,
  probability,
  rate,
  strict,
} from "./fields.js";

/**
 * The scenario file: what to simulate, for how long, and what to measure.
 * docs/scenarios.md is the reference; scenarios/schema.json is generated from
 * this file (`npm run schema`) so editors can autocomplete scenario files.
 * Every default is declared here, next to its field.
 */

const bootstrap = strict({
  /** How many known peers the host cache hands a joining peer. */
  contacts: integer(1, 100).default(3),
  /** How many recently joined peers the host cache remembers. */
  cacheSize: integer(1, 100_000).default(32),
});

const peers = strict({
  /** Target number of peers online (with churn, the mean). */
  count: integer(1, 10_000_000),
  /** The initial peers join one by one, evenly spread over this window. */
  joinOver: duration({ positive: false, example: "30s" }).prefault("30s"),
  bootstrap: bootstrap.prefault({}),
});

const region = strict({
  name: z.string().min(1),
  /** Fraction of peers placed in this region; shares must sum to 1. */
  share: probability(),
  /** Centre of the region in a plane whose units are milliseconds of latency. */
  x: z.number(),
  y: z.number(),
  /** Peers are spread uniformly over a disc of this radius (ms) around the centre. */
  radius: duration({ positive: false, example: "5ms" }).prefault("5ms"),
});

const latency = z.discriminatedUnion(
  "model",
  [
    strict({ model: z.literal("constant"), delay: duration({ positive: false, example: "50ms" }) }),
    strict({
      model: z.literal("uniform"),
      min: duration({ positive: false, example: "10ms" }),
      max: duration({ example: "100ms" }),
    }),
    strict({
      model: z.literal("lognormal"),
      median: duration({ example: "50ms" }),
      sigma: positiveNumber(),
      min: duration({ positive: false, example: "1ms" }).prefault("0ms"),
    }),
    strict({
      model: z.literal("plane"),
      /** Side of the square (ms); latency is the distance between two peers. */
      size: duration({ example: "200ms" }),
      base: duration({ positive: false, example: "5ms" }).prefault("5ms"),
      jitter: duration({ positive: false, example: "5ms" }).prefault("0ms"),
    }),
    strict({
      model: z.literal("regions"),
      regions: z.array(region).min(1),
      base: duration({ positive: false, example: "5ms" }).prefault("5ms"),
      jitter: duration({ positive: false, example: "5ms" }).prefault("0ms"),
    }),
  ],
  {
    error: (issue) =>
      `expected a latency model: one of "constant", "uniform", "lognormal", "plane", "regions", got ${describeValue(
        (issue.input as { model?: unknown } | undefined)?.model,
      )}`,
  },
);

const network = strict({
  latency: latency.prefault({ model: "lognormal", median: "50ms", sigma: 0.5 }),
  /** Probability that any single message is lost. */
  loss: probability().default(0),
});

const churn = z.discriminatedUnion(
  "model",
  [
    strict({ model: z.literal("none") }),
    strict({
      model: z.literal("sessions"),
      /** How long a peer stays online each time. */
      session: durationDistribution("1h"),
      /** How long a peer stays away between sessions. */
      offline: durationDistribution("1h"),
      /** Fraction of departures that are graceful goodbyes; the rest are crashes. */
      gracefulLeave: probability().default(0.5),
    }),
  ],
  {
    error: (issue) =>
      `expected a churn model: "none" or "sessions", got ${describeValue((issue.input as { model?: unknown } | undefined)?.model)}`,
  },
);

const popularity = z.discriminatedUnion(
  "distribution",
  [
    strict({ distribution: z.literal("uniform") }),
    strict({ distribution: z.literal("zipf"), s: z.number().min(0).default(0.8) }),
  ],
  {
    error: (issue) =>
      `expected a popularity distribution: "uniform" or "zipf", got ${describeValue(
        (issue.input as { distribution?: unknown } | undefined)?.distribution,
      )}`,
  },
);

const lookupRate = z.union(
  [
    strict({ rate: rate("10/s") }),
    strict({ perPeer: rate("1/min") }),
    strict({ count: integer(0) }),
  ],
  {
    error: () => `expected exactly one of { rate: "10/s" } (all peers together), { perPeer: "1/min" } or { count: 10000 } (spread over the run)`,
  },
);

const workload = strict({
  /** Number of distinct keys (objects); keys are 0 .. keys-1. */
  keys: integer(1, 100_000_000).default(1000),
  popularity: popularity.prefault({ distribution: "zipf" }),
  lookups: lookupRate.prefault({ rate: "10/s" }),
  /** A lookup without an answer after this long counts as failed. */
  timeout: duration({ example: "30s" }).prefault("30s"),
});

const metrics = strict({
  /** Length of one time-series interval (one row of timeseries.csv). */
  interval: duration({ example: "10s" }).prefault("10s"),
  /** Nothing that happens before this time counts in summary.json. */
  warmup: duration({ positive: false, example: "1m" }).prefault("1m"),
});

const overlay = z.discriminatedUnion(
  "type",
  OVERLAYS.map((o) => o.schema) as unknown as [z.ZodObject, ...z.ZodObject[]],
  {
    error: (issue) =>
      `expected an overlay type: one of ${OVERLAYS.map((o) => JSON.stringify(o.name)).join(", ")}, got ${describeValue(
        (issue.input as { type?: unknown } | undefined)?.type,
      )}`,
  },
);

export const scenarioSchema = strict({
  /** Names the results folder; defaults to the scenario file's name. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "expected a name of letters, digits, '.', '_' and '-'" })
    .optional(),
  description: z.string().default(""),
  /** Seed of every random stream in the run. */
  seed: integer(0, 2 ** 32 - 1).default(1),
  /** Simulated time the run covers, warm-up included. */
  duration: duration({ example: "10m" }),
  peers,
  network: network.prefault({}),
  churn: churn.prefault({ model: "none" }),
  overlay,
  workload: workload.prefault({}),
  metrics: metrics.prefault({}),
}).superRefine((s, ctx) => {
  if (s.metrics.warmup >= s.duration) {
    ctx.addIssue({ code: "custom", path: ["metrics", "warmup"], message: `expected a warm-up shorter than the run's duration (${s.duration} ms), got ${s.metrics.warmup} ms` });
  }
  const lat = s.network.latency;
  if (lat.model === "uniform" && lat.min > lat.max) {
    ctx.addIssue({ code: "custom", path: ["network", "latency", "min"], message: `expected min ≤ max, got min ${lat.min} ms > max ${lat.max} ms` });
  }
  if (lat.model === "regions") {
    const total = lat.regions.reduce((a, r) => a + r.share, 0);
    if (Math.abs(total - 1) > 1e-9) {
      ctx.addIssue({ code: "custom", path: ["network", "latency", "regions"], message: `expected region shares that sum to 1, got ${total}` });
    }
  }
  if (s.churn.model === "sessions") {
    for (const which of ["session", "offline"] as const) {
      const d = s.churn[which];
      if ((d.distribution === "pareto" || d.distribution === "weibull") && (d.scale === undefined) === (d.mean === undefined)) {
        ctx.addIssue({ code: "custom", path: ["churn", which], message: `expected exactly one of "scale" or "mean" for a ${d.distribution} distribution` });
      }
      if (d.distribution === "pareto" && d.mean !== undefined && d.shape <= 1) {
        ctx.addIssue({ code: "custom", path: ["churn", which, "shape"], message: `expected shape > 1 when a Pareto distribution is given by its mean (the mean is infinite otherwise), got ${d.shape}` });
      }
      if (d.distribution === "uniform" && d.min > d.max) {
        ctx.addIssue({ code: "custom", path: ["churn", which, "min"], message: `expected min ≤ max, got min ${d.min} ms > max ${d.max} ms` });
      }
    }
  }
  const o = s.overlay as { type: string; degree?: number; maxDegree?: number };
  if (o.maxDegree !== undefined && o.degree !== undefined && o.maxDegree < o.degree) {
    ctx.addIssue({ code: "custom", path: ["overlay", "maxDegree"], message: `expected maxDegree ≥ degree (${o.degree}), got ${o.maxDegree}` });
  }
});

/** A validated scenario: every default filled in, durations in ms, rates per second. */
export type Scenario = Omit<z.output<typeof scenarioSchema>, "name" | "overlay"> & {
  name: string;
  /** Validated by the overlay's own schema (see sim/overlays/registry.ts). */
  overlay: { type: string; [option: string]: unknown };
};
export type ScenarioInput = z.input<typeof scenarioSchema>;
