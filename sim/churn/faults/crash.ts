import { z } from "zod";
import { oneOf, probability, strict } from "../../core/fields.js";
import type { PeerId } from "../../peers/population.js";
import { at } from "./fields.js";
import { faultKind, type FaultRun } from "./kind.js";

/**
 * `kind: crash`: a fraction of the online peers crash at once, chosen at
 * random or by how central they are, or each online peer with a probability.
 * They come back only if churn brings them back (timeline.ts).
 */

type Target = "random" | "degree" | "load" | "storage";

export const crash = faultKind({
  name: "crash",
  description: "a fraction of the online peers crash at once (random, or by degree, load or storage), or each with a probability",
  schema: strict({
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
  }).meta({ description: "Crashes a fraction of the online peers at once (chosen at random or by how central they are), or each online peer with a probability." }),
  check(spec, _scenario, issue) {
    if ((spec.fraction === undefined) === (spec.probability === undefined)) {
      issue([], `expected exactly one of fraction or probability for a crash, got ${spec.fraction === undefined ? "neither" : "both"}`);
    }
    if (spec.probability !== undefined && spec.target !== "random") {
      issue(["target"], `expected target "random" with probability (each peer fails independently), got "${spec.target}"; use fraction to crash the most central peers`);
    }
  },
  create: (spec) => ({
    begin(run) {
      const victims = spec.probability !== undefined ? eachWithProbability(spec.probability, run) : chooseVictims(spec.fraction!, spec.target, run);
      for (const peer of victims) {
        run.lifecycle.crash(peer);
        run.departedEarly(peer, run.rng);
      }
      return { kind: "crash", label: `${victims.length} peers crash (${spec.target === "random" ? "at random" : `most ${spec.target}`})` };
    },
  }),
});

/**
 * The peers a crash takes down: round(fraction · online) of them, at random
 * or the top ones by a measure of centrality (ties go to the lower peer
 * number, so the choice is the same on every machine).
 */
export function chooseVictims(fraction: number, target: Target, run: Pick<FaultRun, "population" | "rng" | "network" | "overlay">): PeerId[] {
  const live = run.population.livePeers().slice();
  const n = Math.round(fraction * live.length);
  if (n === 0) return [];
  if (target === "random") return run.rng.sample(live, n);
  const score = new Map<PeerId, number>();
  if (target === "load") {
    for (const p of live) score.set(p, run.network.receivedBy(p));
  } else {
    const snapshot = run.overlay.snapshot?.();
    if (!snapshot) throw new Error(`a crash targeted by ${target} needs an overlay that can describe its graph`);
    for (const p of live) score.set(p, 0);
    for (const peer of snapshot.peers) {
      if (!score.has(peer.peer)) continue;
      if (target === "storage") {
        score.set(peer.peer, peer.keys.length);
        continue;
      }
      score.set(peer.peer, score.get(peer.peer)! + new Set(peer.links).size);
      for (const l of new Set(peer.links)) if (score.has(l) && l !== peer.peer) score.set(l, score.get(l)! + 1);
    }
  }
  live.sort((a, b) => score.get(b)! - score.get(a)! || a - b);
  return live.slice(0, n);
}

/** Every online peer fails independently with probability p: one draw per peer, in the population's order. */
export function eachWithProbability(p: number, run: Pick<FaultRun, "population" | "rng">): PeerId[] {
  const out: PeerId[] = [];
  for (const peer of run.population.livePeers()) if (run.rng.next() < p) out.push(peer);
  return out;
}
