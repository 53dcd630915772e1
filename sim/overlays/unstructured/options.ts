import { z } from "zod";
import { duration, integer, oneOf, positiveNumber, strict } from "../../scenario/fields.js";

/** `overlay:` for the unstructured (Gnutella-like) overlay. Every default is documented in docs/scenarios.md. */

const flood = strict({
  method: z.literal("flood"),
  /** Hops a query travels before it is dropped. */
  ttl: integer(1, 64).default(4),
});

const expandingRing = strict({
  method: z.literal("expanding-ring"),
  /** TTL of each successive flood; the next ring starts only if the previous found nothing. */
  ttls: z.array(integer(1, 64)).min(1).default([1, 2, 3, 4, 5]),
  /** A ring with TTL t waits 2·t·waitPerHop (one round trip to its edge) before the next ring starts. */
  waitPerHop: duration({ example: "250ms" }).prefault("250ms"),
});

const randomWalk = strict({
  method: z.literal("random-walk"),
  /** Walkers sent out at once (Lv et al. 2002 use 16–64). */
  walkers: integer(1, 1024).default(16),
  /** Hops after which a walker stops. */
  ttl: integer(1, 100_000).default(1024),
  /** Every this many hops a walker asks the requester whether to go on (0: never ask). */
  checkEvery: integer(0).default(4),
});

export const unstructuredSchema = strict({
  type: z.literal("unstructured"),
  /** "join": peers connect through the host cache and discovery; "oracle": a random graph is built at time 0. */
  bootstrap: oneOf(["join", "oracle"]).default("join"),
  /** Neighbours each peer tries to keep. */
  degree: integer(1, 1000).default(8),
  /** Connections a peer accepts at most; defaults to twice `degree`. */
  maxDegree: integer(1, 2000).optional(),
  /**
   * Length of the random walk that finds new neighbours: the peer where it
   * ends offers itself and its neighbours. Walks mix the graph; asking only
   * next-door neighbours would leave it clustered around join order.
   */
  discoveryHops: integer(1, 64).default(3),
  /** How often a peer pings its neighbours and tops its neighbour set back up. */
  maintenanceInterval: duration({ example: "30s" }).prefault("30s"),
  /** How long a peer waits for an answer to a ping, connect or discovery request. */
  requestTimeout: duration({ example: "2s" }).prefault("2s"),
  /** How long a peer remembers a query id, for duplicate suppression and the way back for hits. */
  seenMemory: duration({ example: "2m" }).prefault("2m"),
  /** How copies of each key are spread over peers (Cohen & Shenker, SIGCOMM 2002). */
  replication: z
    .strictObject({
      /** Mean copies per key. */
      replicas: positiveNumber().default(3),
      strategy: oneOf(["uniform", "proportional", "square-root"]).default("uniform"),
    })
    .prefault({}),
  search: z
    .discriminatedUnion("method", [flood, expandingRing, randomWalk], {
      error: (issue) =>
        `expected a search method: one of "flood", "expanding-ring", "random-walk", got ${JSON.stringify(
          (issue.input as { method?: unknown } | undefined)?.method,
        )}`,
    })
    .prefault({ method: "flood" }),
});

export type UnstructuredOptions = z.output<typeof unstructuredSchema>;
export type SearchOptions = UnstructuredOptions["search"];
