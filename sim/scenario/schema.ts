import { z } from "zod";
import { formatDuration } from "../core/units.js";
import type { ChurnTrace } from "../churn/trace.js";
import { findOverlay, overlayDefinitions, registryGeneration } from "../overlays/registry.js";
import type { OverlayDefinition } from "../core/protocol.js";
import { faultsSchema } from "../churn/faults/registry.js";
import { checkFaults } from "../churn/faults/timeline.js";
import { churnSchema } from "../churn/churn.js";
import { adversariesSchema } from "../peers/adversaries-schema.js";
import { bandwidthSchema, checkBandwidth } from "../network/bandwidth-schema.js";
import { latencySchema } from "../network/latency-models.js";
import { checkWorkloads, workloadSchema } from "../workload/registry.js";
import { checkObservers, metricsSchema } from "../metrics/observers/registry.js";
import {
  describeValue,
  duration,
  durationHint,
  durationDistribution,
  integer,
  oneOf,
  positiveNumber,
  coordinate,
  probability,
  rate,
  strict,
} from "../core/fields.js";

/**
 * The scenario file: what to simulate, for how long, and what to measure.
 * docs/scenarios.md is the reference; scenarios/schema.json is generated from
 * this file (`npm run schema`) so editors can autocomplete scenario files.
 * Every default is declared here, next to its field. The `.meta({ description })`
 * texts are only editor hints: they go into scenarios/schema.json and change no
 * validation.
 */


const bootstrap = strict({
  /** How many known peers the host cache hands a joining peer. */
  contacts: integer(1, 100).default(3).meta({ description: "How many known peers the host cache hands a joining peer." }),
  /** How many recently joined peers the host cache remembers. */
  cacheSize: integer(1, 100_000)
    .default(32)
    .meta({ description: "How many recently joined peers the host cache remembers (it is never told about departures)." }),
});

const peers = strict({
  /** Target number of peers online (with churn, the mean). */
  count: integer(1, 10_000_000).meta({ description: "Target number of peers online (with churn, the mean)." }),
  /** The initial peers join one by one, evenly spread over this window. */
  joinOver: duration({ positive: false, example: "30s" })
    .prefault("30s")
    .meta({
      description: `The initial peers join one by one, evenly spread over this window (not used with the oracle bootstrap). ${durationHint("30s", false)}`,
    }),
  bootstrap: bootstrap.prefault({}).meta({ description: "The host cache that gives a joining peer its first contacts." }),
});

const network = strict({
  latency: latencySchema.prefault({ model: "lognormal", median: "50ms", sigma: 0.5 }).meta({
    description: 'One-way message latency, chosen by `model`: "constant", "uniform", "lognormal", "exponential", "plane", "regions" or "matrix".',
  }),
  /** Probability that any single message is lost. */
  loss: probability().default(0).meta({ description: "Probability that any single message is lost." }),
  bandwidth: bandwidthSchema
    .optional()
    .meta({ description: 'Upload and download capacities and how transfers share them (model "none", "serial", "share" or "maxmin"); omitted: latency only.' }),
});

const churn = churnSchema;

/** `overlay:` — one of the registered overlays (built in, or plug-ins a scenario named with `module`), by `type`. */
function overlayUnion() {
  const definitions = overlayDefinitions();
  return z.discriminatedUnion("type", definitions.map((o) => o.schema) as unknown as [z.ZodObject, ...z.ZodObject[]], {
    error: (issue) =>
      `expected an overlay type: one of ${definitions.map((o) => JSON.stringify(o.name)).join(", ")}, or a plug-in named with module: (docs/writing-an-overlay.md), got ${describeValue(
        (issue.input as { type?: unknown } | undefined)?.type,
      )}`,
  });
}

/** True when `definition` declares message types of `category`: that is how an overlay says which operations it supports. */
function supports(definition: OverlayDefinition, category: "lookup" | "broadcast"): boolean {
  return Object.values(definition.messageTypes).some((t) => (t as { category: string }).category === category);
}

/** A dotted path of scenario fields, as `--set` takes it: "overlay.degree", "churn.session.mean". */
const fieldPath = z.string().regex(/^[A-Za-z$][A-Za-z0-9_$]*(\.[A-Za-z$][A-Za-z0-9_$]*)*$/);
const badPath = (issue: { code?: string; key?: unknown; message?: string }) =>
  issue.code === "invalid_key" ? `expected a dotted path of field names, like "overlay.degree", got ${JSON.stringify(issue.key)}` : undefined;

/** Names become folder names; most file systems allow 255 bytes, and ".partial-<pid>" and shard suffixes need room. */
export const MAX_NAME_LENGTH = 100;

/** `variants:` — named changes to the scenario, all run on the same seed (sim/run/experiment.ts applies them). */
export const variantSchema = strict({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "expected a variant name of letters, digits, '.', '_' and '-' (it names a results folder)" })
    .max(MAX_NAME_LENGTH, { error: `expected a variant name of at most ${MAX_NAME_LENGTH} characters (it names a results folder)` })
    .meta({ description: "Names the variant's row in comparison.csv and its results folder: letters, digits, '.', '_' and '-'." }),
  description: z.string().optional().meta({ description: "What the variant changes; free text." }),
  overlay: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: "Replaces the scenario's whole overlay: section (type and options); checked like any overlay." }),
  set: z
    .record(fieldPath, z.unknown(), { error: badPath })
    .optional()
    .meta({ description: 'Fields to change, by dotted path, like --set: { "churn.session.mean": "10m", "overlay.degree": 6 }. Applied after overlay:.' }),
});

/** `sweep:` — a grid of values over scenario paths, each grid point run `replications` times. */
export const sweepSchema = strict({
  grid: z
    .record(fieldPath, z.array(z.unknown()).min(1, { error: "expected a non-empty list of values" }), { error: badPath })
    .refine((g) => Object.keys(g).length > 0, { error: 'expected at least one path, like { "churn.session.mean": ["5m", "30m"] }' })
    .meta({ description: 'Values to try, by dotted path: { "churn.session.mean": ["5m", "30m"], "overlay.degree": [4, 8] }; every combination is a grid point.' }),
  replications: integer(1, 100_000)
    .default(1)
    .meta({ description: "Runs per grid point, each with its own seed; replication 0 uses the scenario's seed, the others seeds derived from it." }),
});

function buildScenarioSchema(overlay: ReturnType<typeof overlayUnion>) {
  return strict({
  /** Lets a JSON scenario name its JSON Schema for editors; ignored by peerlab. */
  $schema: z.string().optional().meta({ description: "The JSON Schema of this file, for editors (e.g. ./schema.json); ignored by peerlab." }),
  /** Names the results folder; defaults to the scenario file's name. */
  name: z
    .string()
    .regex(/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u, { error: "expected a name of letters (any script, Korean included), digits, '.', '_' and '-'" })
    .max(MAX_NAME_LENGTH, { error: `expected a name of at most ${MAX_NAME_LENGTH} characters (it names a results folder)` })
    .optional()
    .meta({
      description: "Names the results folder (results/<name>/seed-<seed>/): letters (any script), digits, '.', '_' and '-'. Defaults to the scenario file's name, with spaces and other signs turned into '-'.",
    }),
  description: z.string().default("").meta({ description: "What the scenario is about; `peerlab list` shows it." }),
  title: z.string().optional().meta({ description: "A short human title the viewer puts at the head of the page (defaults to the name)." }),
  title_ko: z.string().optional().meta({ description: "The title in Korean, shown when the viewer is in Korean." }),
  description_ko: z.string().optional().meta({ description: "The description in Korean, shown when the viewer is in Korean." }),
  /** Seed of every random stream in the run. */
  seed: integer(0, 2 ** 32 - 1)
    .default(1)
    .meta({ description: "Seed of every random stream in the run (0 to 4294967295); `peerlab run --seed N` overrides it." }),
  /** Simulated time the run covers, warm-up included. */
  duration: duration({ example: "10m" }).meta({ description: `Simulated time the run covers, warm-up included. ${durationHint("10m")}` }),
  peers: peers.meta({ description: "How many peers, and how they first join." }),
  network: network.prefault({}).meta({ description: "The underlay: message latency and loss." }),
  churn: churn.prefault({ model: "none" }).meta({ description: 'When peers come and go, chosen by `model`: "none", "sessions" or "trace".' }),
  faults: faultsSchema,
  adversaries: adversariesSchema.optional(),
  overlay: overlay.meta({ description: "The overlay the peers run, chosen by `type`, with its options." }),
  workload: workloadSchema.prefault({}).meta({ description: "The lookups peers make: which keys, how often, how long they may take." }),
  metrics: metricsSchema.prefault({}).meta({ description: "What is measured: the time-series interval, the warm-up kept out of summary.json, and optional snapshots and lookup traces for the viewer." }),
  variants: z
    .array(variantSchema)
    .min(1)
    .optional()
    .meta({ description: "Named variants of this scenario (most often other overlays), all run on the same seed; results/<name>/seed-<seed>/comparison.csv compares them." }),
  sweep: sweepSchema
    .optional()
    .meta({ description: "A grid of values over scenario paths, each point run `replications` times; results/<name>/runs.csv and aggregate.csv." }),
}).superRefine((s, ctx) => {
  checkObservers(s.metrics, { durationMs: s.duration }, (path, message) => ctx.addIssue({ code: "custom", path, message }));
  const lat = s.network.latency;
  const overlayType = (s.overlay as { type: string }).type;
  const definition = findOverlay(overlayType);
  const services = definition?.services?.(s.overlay as never) ?? [];
  checkFaults(s.faults, { durationMs: s.duration, latencyModel: lat.model, overlayType, services }, (path, message) => ctx.addIssue({ code: "custom", path, message }));
  if (s.network.bandwidth) {
    const roles = services.map((x) => x.role);
    const regionNames = lat.model === "regions" ? lat.regions.map((r) => r.name) : undefined;
    checkBandwidth(s.network.bandwidth, regionNames, roles, (path, message) => ctx.addIssue({ code: "custom", path, message }));
  }
  if (definition) {
    checkWorkloads(
      s.workload,
      {
        overlayType,
        overlaySupports: (category) => supports(definition, category),
        overlaysThatSupport: (category) => overlayDefinitions().filter((o) => supports(o, category)).map((o) => o.name),
      },
      (path, message) => ctx.addIssue({ code: "custom", path, message }),
    );
  }
  for (const problem of definition?.checkScenario?.(s.overlay as never, { peers: s.peers.count, bandwidth: s.network.bandwidth !== undefined, bandwidthModel: s.network.bandwidth?.model, loss: s.network.loss, faultKinds: s.faults.map((f) => f.kind) }) ?? []) {
    ctx.addIssue({ code: "custom", path: ["overlay", ...problem.path], message: problem.message });
  }
  if (s.churn.model === "trace" && (s.overlay as { bootstrap?: string }).bootstrap === "oracle") {
    ctx.addIssue({ code: "custom", path: ["overlay", "bootstrap"], message: 'expected "join" with a churn trace (the trace says when each peer joins), got "oracle"' });
  }
  if (lat.model === "uniform" && lat.min > lat.max) {
    ctx.addIssue({ code: "custom", path: ["network", "latency", "min"], message: `expected min ≤ max, got min ${formatDuration(lat.min)} > max ${formatDuration(lat.max)}` });
  }
  if (lat.model === "regions") {
    const total = lat.regions.reduce((a, r) => a + r.share, 0);
    if (Math.abs(total - 1) > 1e-9) {
      ctx.addIssue({ code: "custom", path: ["network", "latency", "regions"], message: `expected region shares that sum to 1, got ${total}` });
    }
    const names = lat.regions.map((r) => r.name);
    const repeated = names.filter((n, i) => names.indexOf(n) !== i);
    if (repeated.length > 0) {
      ctx.addIssue({ code: "custom", path: ["network", "latency", "regions"], message: `expected each region name once, got ${JSON.stringify(repeated[0])} more than once` });
    }
  }
  if (s.churn.model === "sessions") {
    for (const which of ["session", "offline"] as const) {
      const d = s.churn[which];
      if ((d.distribution === "pareto" || d.distribution === "weibull") && (d.scale === undefined) === (d.mean === undefined)) {
        ctx.addIssue({ code: "custom", path: ["churn", which], message: `expected exactly one of "scale" or "mean" for a ${d.distribution} distribution` });
      }
      if (d.distribution === "pareto" && d.shape <= 1) {
        ctx.addIssue({ code: "custom", path: ["churn", which, "shape"], message: `expected shape > 1: with shape ≤ 1 a Pareto distribution has an infinite mean, so no pool of peers keeps a target population online; got ${d.shape}` });
      }
      if (d.distribution === "uniform" && d.min > d.max) {
        ctx.addIssue({ code: "custom", path: ["churn", which, "min"], message: `expected min ≤ max, got min ${formatDuration(d.min)} > max ${formatDuration(d.max)}` });
      }
    }
  }
  const o = s.overlay as { type: string; degree?: number; maxDegree?: number };
  if (o.maxDegree !== undefined && o.degree !== undefined && o.maxDegree < o.degree) {
    ctx.addIssue({ code: "custom", path: ["overlay", "maxDegree"], message: `expected maxDegree ≥ degree (${o.degree}), got ${o.maxDegree}` });
  }
});
}

/** The scenario schema with the built-in overlays: the JSON Schema and the types come from it. */
export const scenarioSchema = buildScenarioSchema(overlayUnion());
let current = { generation: registryGeneration(), schema: scenarioSchema };

/**
 * The scenario schema with every overlay registered now: plug-ins a scenario
 * names (sim/scenario/plugins.ts) join the `overlay:` union. Rebuilt only when
 * a plug-in registers.
 */
export function scenarioSchemaNow(): typeof scenarioSchema {
  if (current.generation !== registryGeneration()) current = { generation: registryGeneration(), schema: buildScenarioSchema(overlayUnion()) };
  return current.schema;
}

/** A validated scenario: every default filled in, durations in ms, rates per second. */
export type Scenario = Omit<z.output<typeof scenarioSchema>, "name" | "overlay" | "variants" | "sweep" | "churn"> & {
  name: string;
  /** With model "trace", the loader has read the trace file into `trace` (sim/scenario/load.ts). */
  churn: z.output<typeof scenarioSchema>["churn"] & { trace?: ChurnTrace };
  /** Validated by the overlay's own schema (see sim/overlays/registry.ts). */
  overlay: { type: string; [option: string]: unknown };
};
export type ScenarioInput = z.input<typeof scenarioSchema>;
