import { z } from "zod";
import { oneOf, probability, strict } from "../core/fields.js";

/**
 * `adversaries:`, peers that misbehave on purpose. sim/peers/adversaries.ts
 * picks them and tells overlays who they are; docs/faults.md describes each
 * behaviour per overlay.
 */

export const ADVERSARY_BEHAVIOURS = ["drop", "misroute", "tamper", "selfish", "eclipse"] as const;
export type AdversaryBehaviour = (typeof ADVERSARY_BEHAVIOURS)[number];

export const adversariesSchema = strict({
  fraction: probability().meta({ description: "Fraction of the churn pool that is malicious (chosen at random, fixed for the run)." }),
  behaviours: z
    .array(oneOf(ADVERSARY_BEHAVIOURS))
    .min(1)
    .default(["drop"])
    .meta({
      description:
        '"drop": swallow lookup queries and requests; "misroute": answer with wrong or far contacts, steering lookups toward other malicious peers; "tamper": return corrupted values; "selfish": mine as one pool by Eyal & Sirer\'s selfish-mining strategy (blockchain); "eclipse": take every connection of honest victims and keep blocks from them (blockchain). Several may be combined.',
    }),
  verify: z
    .boolean()
    .default(false)
    .meta({ description: "Honest peers check each value against its content hash and look elsewhere when it does not match." }),
}).meta({ description: "Malicious peers: which fraction, how they misbehave, and whether honest peers verify values." });

export type AdversariesSpec = z.output<typeof adversariesSchema>;
