import { z } from "zod";
import { duration, integer, oneOf, strict } from "../../core/fields.js";

/**
 * `overlay:` for the gossip overlay (docs/gossip-and-blockchain.md lists every
 * knob with its default and source). The algorithms are those of Demers et
 * al., "Epidemic algorithms for replicated database maintenance" (PODC 1987).
 */

const UNITS = "(units ms, s, m, h, d; a plain number is ms)";

const membership = strict({
  kind: oneOf(["full", "partial"])
    .default("full")
    .meta({ description: '"full": every peer knows every peer of the population (Demers et al.\'s model); "partial": a view of viewSize peers kept fresh by a Cyclon-style shuffle.' }),
  viewSize: integer(2, 1000).default(20).meta({ description: "Peers in each partial view." }),
  shuffleInterval: duration({ example: "10s" })
    .prefault("10s")
    .meta({ description: `How often a peer swaps part of its partial view with a view member ${UNITS}.` }),
  shuffleLength: integer(1, 500).default(8).meta({ description: "Peers offered in each shuffle (the shuffling peer included)." }),
}).meta({ description: "Whom a peer can pick as a gossip partner." });

export const gossipSchema = strict({
  type: z.literal("gossip"),
  algorithm: oneOf(["rumour", "anti-entropy"])
    .default("rumour")
    .meta({ description: '"rumour": rumour mongering, peers spread an item while it is hot; "anti-entropy": peers compare their recent items with a random partner every round.' }),
  direction: oneOf(["push", "pull", "push-pull"])
    .default("push")
    .meta({ description: '"push": the peer that has an item sends it; "pull": every peer asks a partner for what it lacks; "push-pull": both in one exchange.' }),
  round: duration({ example: "1s" })
    .prefault("1s")
    .meta({ description: `Length of one gossip round (Demers et al.'s cycle): every peer contacts its partners once per round ${UNITS}.` }),
  timing: oneOf(["synchronous", "random-phase"])
    .default("synchronous")
    .meta({ description: '"synchronous": a peer\'s rounds start one round after it joins, so peers that join together act in lockstep (the paper\'s model); "random-phase": each peer starts at a random point of the round.' }),
  fanout: integer(1, 100).default(1).meta({ description: "Partners each peer contacts per round." }),
  feedback: z
    .boolean()
    .default(true)
    .meta({ description: "Rumour mongering: a peer loses interest only after contacts that were unnecessary (the partner knew the item already); false is Demers et al.'s \"blind\" variant, where every contact counts." }),
  loseInterest: oneOf(["counter", "coin"])
    .default("counter")
    .meta({ description: 'Rumour mongering: "counter" stops spreading after k (unnecessary) contacts; "coin" stops with probability 1/k after each one.' }),
  k: integer(1, 1000).default(1).meta({ description: "Rumour mongering's parameter k (see loseInterest)." }),
  memory: duration({ example: "1m" })
    .prefault("1m")
    .meta({ description: `How long a peer offers an item in anti-entropy and pull digests (its list of recent updates); older items are kept but no longer compared ${UNITS}.` }),
  membership: membership.prefault({}),
  bootstrap: oneOf(["join", "oracle"])
    .default("oracle")
    .meta({ description: '"oracle": partial views are random at time 0; "join": views grow from the host cache by shuffling. Full membership needs neither.' }),
  execution: oneOf(["events", "cycles"])
    .default("events")
    .meta({
      description:
        '"events": every peer has its own round timer and every message is an engine event; "cycles": one engine event per round runs every peer\'s turn, exchanges complete inside it (PeerSim\'s cycle-driven engine, Demers et al.\'s synchronous cycles). Cycles need full membership, synchronous timing, no loss and no bandwidth.',
    }),
  requestTimeout: duration({ example: "2s" })
    .prefault("2s")
    .meta({ description: `How long a push waits for its acknowledgement (feedback) and a shuffle for its answer ${UNITS}.` }),
}).meta({ description: "Epidemic broadcast (Demers et al. 1987): rumour mongering or anti-entropy, push, pull or push-pull, in rounds." });

export type GossipOptions = z.output<typeof gossipSchema>;
