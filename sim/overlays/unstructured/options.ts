import { z } from "zod";
import { duration, integer, oneOf, strict } from "../../core/fields.js";
import { replicationWithRepairSchema } from "../shared/replication.js";

/**
 * `overlay:` for the unstructured (Gnutella-like) overlay. Every default is documented in docs/scenarios.md.
 * The `.meta({ description })` texts are only editor hints for scenarios/schema.json.
 */

const UNITS = '(units ms, s, m, h, d; a plain number is ms)';

const flood = strict({
  method: z.literal("flood"),
  /** Hops a query travels before it is dropped. */
  ttl: integer(1, 64).default(4).meta({ description: "Hops a query travels before it is dropped." }),
}).meta({ description: "The query goes to every neighbour, hop by hop, until its TTL runs out; duplicates are dropped." });

const expandingRing = strict({
  method: z.literal("expanding-ring"),
  /** TTL of each successive flood; the next ring starts only if the previous found nothing. */
  ttls: z
    .array(integer(1, 64))
    .min(1)
    .default([1, 2, 3, 4, 5])
    .meta({ description: "TTL of each successive flood; the next ring starts only if the previous found nothing." }),
  /** A ring with TTL t waits 2·t·waitPerHop (one round trip to its edge) before the next ring starts. */
  waitPerHop: duration({ example: "250ms" })
    .prefault("250ms")
    .meta({
      description: `A ring with TTL t waits 2·t·waitPerHop (one round trip to its edge) before the next ring starts. A positive duration like "250ms" ${UNITS}.`,
    }),
}).meta({ description: "Floods with growing TTLs, each started only if the last found nothing; fails after the last ring." });

const randomWalk = strict({
  method: z.literal("random-walk"),
  /** Walkers sent out at once (Lv et al. 2002 use 16–64). */
  walkers: integer(1, 1024).default(16).meta({ description: "Walkers sent out at once (Lv et al. 2002 use 16–64)." }),
  /** Hops after which a walker stops. */
  ttl: integer(1, 100_000).default(1024).meta({ description: "Hops after which a walker stops." }),
  /** Every this many hops a walker asks the requester whether to go on (0: never ask). */
  checkEvery: integer(0)
    .default(4)
    .meta({ description: "Every this many hops a walker asks the requester whether to go on (0: never ask)." }),
}).meta({ description: "k walkers each step to one random neighbour until they find the key or their TTL runs out." });

export const unstructuredSchema = strict({
  type: z.literal("unstructured"),
  /** "join": peers connect through the host cache and discovery; "oracle": a random graph is built at time 0. */
  bootstrap: oneOf(["join", "oracle"])
    .default("join")
    .meta({
      description: '"join": peers connect through the host cache and discovery; "oracle": the initial peers are online at time 0 in a random graph built directly.',
    }),
  /** Neighbours each peer tries to keep. */
  degree: integer(1, 1000).default(8).meta({ description: "Neighbours each peer tries to keep." }),
  /** Connections a peer accepts at most; defaults to twice `degree`. */
  maxDegree: integer(1, 2000)
    .optional()
    .meta({ description: "Connections a peer accepts at most (at least degree); defaults to twice degree." }),
  /**
   * Length of the random walk that finds new neighbours: the peer where it
   * ends offers itself and its neighbours. Walks mix the graph; asking only
   * next-door neighbours would leave it clustered around join order.
   */
  discoveryHops: integer(1, 64)
    .default(8)
    .meta({ description: "Length of the random walk that finds new neighbours; the peer where it ends offers itself and its neighbours." }),
  /** How often a peer pings its neighbours and tops its neighbour set back up. */
  maintenanceInterval: duration({ example: "30s" })
    .prefault("30s")
    .meta({
      description: `How often a peer pings its neighbours and tops its neighbour set back up. A positive duration like "30s" ${UNITS}.`,
    }),
  /** How long a peer waits for an answer to a ping, connect or discovery request. */
  requestTimeout: duration({ example: "2s" })
    .prefault("2s")
    .meta({
      description: `How long a peer waits for an answer to a ping, connect, discovery or walk-check request. A positive duration like "2s" ${UNITS}.`,
    }),
  /** How long a peer remembers a query id, for duplicate suppression and the way back for hits. */
  seenMemory: duration({ example: "2m" })
    .prefault("2m")
    .meta({
      description: `How long a peer remembers a query id, for duplicate suppression and the way back for hits (forgotten between 1× and 2× this). A positive duration like "2m" ${UNITS}.`,
    }),
  /** Hops a published item is flooded (workload.broadcasts); Gnutella's usual TTL is 7. */
  broadcastTtl: integer(1, 64)
    .default(7)
    .meta({ description: "Hops a published item is flooded when the scenario has workload.broadcasts (Gnutella's usual TTL is 7)." }),
  /** How copies of each key are spread over peers (Cohen & Shenker, SIGCOMM 2002), and copies made on success (Lv et al., ICS 2002). */
  replication: replicationWithRepairSchema,
  search: z
    .discriminatedUnion("method", [flood, expandingRing, randomWalk], {
      error: (issue) =>
        `expected a search method: one of "flood", "expanding-ring", "random-walk", got ${JSON.stringify(
          (issue.input as { method?: unknown } | undefined)?.method,
        )}`,
    })
    .prefault({ method: "flood" })
    .meta({ description: 'How lookups search, chosen by `method`: "flood", "expanding-ring" or "random-walk".' }),
}).meta({ description: "A Gnutella-like random graph of neighbours, searched by flooding, expanding ring or random walks." });

export type UnstructuredOptions = z.output<typeof unstructuredSchema>;
export type SearchOptions = UnstructuredOptions["search"];
