import { z } from "zod";
import { describeValue, duration, integer, oneOf, positiveNumber, probability, strict } from "../core/fields.js";
import { familyUnion, type FamilyMember } from "../core/component.js";

/**
 * `faults:`, a timeline of things that go wrong. docs/faults.md shows every
 * kind with an example; sim/churn/faults.ts carries the timeline out. The
 * malicious peers of `adversaries:` have their schema beside their model, in
 * sim/peers/adversaries-schema.ts.
 */

const UNITS = "(units ms, s, m, h, d; a plain number is ms)";
const at = () =>
  duration({ positive: false, example: "10m" }).meta({ description: `When the fault strikes, in simulated time. A duration ≥ 0 like "10m" ${UNITS}.` });
const until = (what: string) =>
  duration({ example: "15m" })
    .optional()
    .meta({ description: `When ${what}, in simulated time (after \`at\`). A duration like "15m" ${UNITS}; without it, never.` });

const crash = strict({
  kind: z.literal("crash"),
  at: at(),
  fraction: probability().optional().meta({ description: "Fraction of the peers online at `at` that crash (0 to 1): exactly round(fraction · online) of them. Give this or `probability`." }),
  probability: probability()
    .optional()
    .meta({ description: "Each peer online at `at` crashes independently with this probability (0 to 1), so the number that crash is binomial, as in the Chord paper's failure experiment. Give this or `fraction`; only with target \"random\"." }),
  target: oneOf(["random", "degree", "load", "storage"])
    .default("random")
    .meta({
      description:
        '"random": any online peers; "degree": those with the most overlay links (in + out); "load": those that received the most messages so far; "storage": those holding the most keys.',
    }),
}).meta({ description: "Crashes a fraction of the online peers at once (chosen at random or by how central they are), or each online peer with a probability." });

const crashRole = strict({
  kind: z.literal("crash-role"),
  at: at(),
  until: until("the crashed servers restart"),
  role: z.string().min(1).meta({ description: 'The role of the service peers to crash, e.g. "index" for the hybrid overlay\'s central server.' }),
  index: integer(0)
    .optional()
    .meta({ description: "Which server of the role (0-based); without it, every server of the role." }),
}).meta({ description: "Crashes the service peers of a role (e.g. the hybrid overlay's index server) and restarts them at `until`." });

const partition = strict({
  kind: z.literal("partition"),
  at: at(),
  until: until("the partition heals"),
  groups: integer(2, 64).default(2).meta({ description: "Number of groups; messages between groups are dropped." }),
  by: oneOf(["random", "region", "id"])
    .default("random")
    .meta({
      description:
        '"random": each peer in a random group; "region": one group per latency region (network.latency.model "regions"); "id": equal ranges of the overlay\'s identifier space (peer numbers for overlays without one).',
    }),
}).meta({ description: "Splits the network into groups that cannot reach each other, until it heals." });

const degrade = strict({
  kind: z.literal("degrade"),
  at: at(),
  until: until("the network recovers"),
  loss: probability().optional().meta({ description: "Probability that a message is lost during the window (replaces network.loss)." }),
  extraLatency: duration({ positive: false, example: "200ms" })
    .optional()
    .meta({ description: `Added to every message's one-way delay during the window. A duration ≥ 0 like "200ms" ${UNITS}.` }),
  latencyFactor: positiveNumber({ max: 1e6 }).optional().meta({ description: "Every one-way delay is multiplied by this during the window (before extraLatency is added)." }),
  bandwidthFactor: positiveNumber({ max: 1e6 })
    .optional()
    .meta({ description: "Every link capacity (network.bandwidth) is multiplied by this during the window; transfers in flight get new rates at once." }),
}).meta({ description: "Raises loss and/or latency, or scales link capacities, for a window." });

const freeze = strict({
  kind: z.literal("freeze"),
  at: at(),
  until: until("maintenance resumes"),
}).meta({ description: "Stops every peer's periodic overlay maintenance (stabilisation, pings, refreshes, repairs); lookups and joins go on." });

const flashCrowd = strict({
  kind: z.literal("flash-crowd"),
  at: at(),
  joins: integer(1, 10_000_000).meta({ description: "Number of new peers that join." }),
  over: duration({ positive: false, example: "1m" })
    .prefault("0ms")
    .meta({ description: `They join evenly spread over this window, starting at \`at\`. A duration ≥ 0 like "1m" ${UNITS}.` }),
  stay: duration({ example: "10m" })
    .optional()
    .meta({ description: `Each newcomer leaves gracefully after this long online; without it, they stay to the end. A duration like "10m" ${UNITS}.` }),
}).meta({ description: "Brings n brand-new peers online over a short window; they take part like any peer (they are never malicious)." });

/**
 * The fault kinds a timeline can name in faults[].kind (the family shape of
 * sim/core/component.ts; what each does when it begins and ends is in
 * faults.ts). The schema and `peerlab list` come from this list.
 */
export const FAULT_KINDS = [
  { name: "crash", description: "a fraction of the online peers crash at once (random, or by degree, load or storage), or each with a probability", schema: crash },
  { name: "crash-role", description: "the service peers of a role (the hybrid index) crash, and restart at `until`", schema: crashRole },
  { name: "partition", description: "the network splits into groups (random, region, id range) until it heals", schema: partition },
  { name: "degrade", description: "loss and/or latency raised for a window", schema: degrade },
  { name: "freeze", description: "every peer's periodic maintenance stops until `until`", schema: freeze },
  { name: "flash-crowd", description: "n new peers join over a window", schema: flashCrowd },
] as const satisfies readonly FamilyMember[];

export const faultSchema = familyUnion("kind", "a fault kind", FAULT_KINDS);

export const faultsSchema = z
  .array(faultSchema)
  .default([])
  .meta({ description: "A timeline of faults (see docs/faults.md): crashes, server outages, partitions, loss and latency, frozen maintenance, flash crowds." });

export type Fault = z.output<typeof faultSchema>;


/** Checks of a fault timeline that need the whole scenario (called from the scenario's superRefine). */
export function checkFaults(
  faults: readonly Fault[],
  durationMs: number,
  latencyModel: string,
  addIssue: (path: (string | number)[], message: string) => void,
): void {
  faults.forEach((f, i) => {
    if (f.at >= durationMs) addIssue(["faults", i, "at"], `expected a time before the end of the run (${durationMs} ms), got ${f.at} ms`);
    if ("until" in f && f.until !== undefined && f.until <= f.at) {
      addIssue(["faults", i, "until"], `expected a time after at (${f.at} ms), got ${f.until} ms`);
    }
    if (f.kind === "partition" && f.by === "region" && latencyModel !== "regions") {
      addIssue(["faults", i, "by"], `expected network.latency.model "regions" for a partition by region, got "${latencyModel}"`);
    }
    if (f.kind === "crash" && (f.fraction === undefined) === (f.probability === undefined)) {
      addIssue(["faults", i], `expected exactly one of fraction or probability for a crash, got ${f.fraction === undefined ? "neither" : "both"}`);
    }
    if (f.kind === "crash" && f.probability !== undefined && f.target !== "random") {
      addIssue(["faults", i, "target"], `expected target "random" with probability (each peer fails independently), got "${f.target}"; use fraction to crash the most central peers`);
    }
    if (f.kind === "degrade" && f.loss === undefined && f.extraLatency === undefined && f.latencyFactor === undefined && f.bandwidthFactor === undefined) {
      addIssue(["faults", i], "expected at least one of loss, extraLatency, latencyFactor or bandwidthFactor");
    }
  });
}
