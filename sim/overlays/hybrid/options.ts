import { z } from "zod";
import { duration, integer, oneOf, probability, rate, strict } from "../../core/fields.js";
import { replicationWithRepairSchema } from "../shared/replication.js";

/**
 * `overlay:` for the hybrid overlay (a Napster-style central index, or
 * KaZaA/Gnutella 0.6 super-peers). Every default is documented in
 * docs/scenarios.md; the `.meta({ description })` texts are editor hints.
 */

const UNITS = "(units ms, s, m, h, d; a plain number is ms)";

const failure = strict({
  at: duration({ positive: false, example: "5m" }).meta({ description: `When the index server crashes. A duration ≥ 0 like "5m" ${UNITS}.` }),
  restartAt: duration({ example: "8m" })
    .optional()
    .meta({ description: `When it comes back, with an empty index (omit: never). A positive duration like "8m" ${UNITS}.` }),
  server: integer(0)
    .optional()
    .meta({ description: "Which index server fails (0-based); omitted: every one of them." }),
}).meta({ description: "One crash of the index (and optionally its restart)." });

const index = strict({
  /** Replicated index servers; peers register with all and ask any live one. */
  servers: integer(1, 100)
    .default(1)
    .meta({ description: "Index servers; peers register with every one and send each lookup to one of them (another on timeout or rejection)." }),
  /** Queries one server answers per second when busy (μ). */
  serviceRate: rate("1000/s")
    .prefault("1000/s")
    .meta({ description: 'Queries one index server answers per unit of time when busy (μ), like "1000/s"; a plain number is per second.' }),
  /** Service time of one query: exponential with mean 1/μ, or exactly 1/μ. */
  service: oneOf(["exponential", "deterministic"])
    .default("exponential")
    .meta({ description: "Service time of one query: exponential with mean 1/serviceRate (M/M/1), or exactly 1/serviceRate (M/D/1)." }),
  /** Queries that may wait (not counting the one in service); more are rejected. */
  maxQueue: integer(0)
    .optional()
    .meta({ description: "Queries that may wait at a server, not counting the one in service; a query arriving at a full queue is rejected. Omitted: unlimited." }),
  /** Crashes and restarts of the index. */
  failures: z
    .array(failure)
    .default([])
    .meta({ description: "Crashes (and restarts) of index servers: the server goes offline, its index is lost, and it rebuilds from re-registrations." }),
}).meta({ description: "The central index (mode central): how many servers, how fast they serve, when they fail." });

const superPeers = strict({
  /** Fraction of the peer pool that are super-peers (those with the highest capacity). */
  fraction: probability()
    .default(0.1)
    .meta({ description: "Fraction of the peer pool that are super-peers: the ones with the highest capacity (a number drawn per peer)." }),
  /** Super-peer neighbours each super-peer keeps. */
  degree: integer(1, 100).default(4).meta({ description: "Super-peer neighbours each super-peer tries to keep." }),
  /** Leaves one super-peer accepts; more are redirected to its neighbours. */
  maxLeaves: integer(1, 100_000)
    .default(30)
    .meta({ description: "Leaves one super-peer accepts; a full super-peer redirects further leaves to its super-peer neighbours." }),
  /** Hops a query travels among super-peers. */
  ttl: integer(1, 64).default(3).meta({ description: "Hops a query is flooded among super-peers (1: only the leaf's own super-peer)." }),
}).meta({ description: "Super-peers (mode super-peer): who they are, how they connect, how far queries go." });

export const hybridSchema = strict({
  type: z.literal("hybrid"),
  /** "central": one (or several) index servers; "super-peer": super-peers index their leaves and flood among themselves. */
  mode: oneOf(["central", "super-peer"])
    .default("central")
    .meta({ description: '"central": Napster-style index servers; "super-peer": KaZaA/Gnutella 0.6-style super-peers index their leaves and flood queries among themselves.' }),
  /** How often a peer tells its index (or super-peer) it is alive. */
  keepAliveInterval: duration({ example: "30s" })
    .prefault("30s")
    .meta({ description: `How often a peer tells its index servers (or its super-peer) that it is alive. A positive duration like "30s" ${UNITS}.` }),
  /** An index forgets a peer it has not heard from for this long. */
  keepAliveTimeout: duration({ example: "90s" })
    .prefault("90s")
    .meta({ description: `An index (or super-peer) forgets a peer it has not heard from for this long. A positive duration like "90s" ${UNITS}.` }),
  /** How long a peer waits for an answer from an index server, a holder or a super-peer. */
  requestTimeout: duration({ example: "2s" })
    .prefault("2s")
    .meta({ description: `How long a peer waits for an answer from an index server, a holder or a super-peer. A positive duration like "2s" ${UNITS}.` }),
  /** Holders an index answer lists at most. */
  maxHolders: integer(1, 1000).default(5).meta({ description: "Holders one index answer lists at most (chosen at random among the registered ones)." }),
  replication: replicationWithRepairSchema,
  index: index.prefault({}),
  superPeers: superPeers.prefault({}),
})
  .superRefine((o, ctx) => {
    if (o.replication.onSuccess === "path") {
      ctx.addIssue({ code: "custom", path: ["replication", "onSuccess"], message: 'expected "none" or "owner" for the hybrid overlay (files travel straight from holder to requester, so there is no path to copy along), got "path"' });
    }
    o.index.failures.forEach((f, i) => {
      if (f.server !== undefined && f.server >= o.index.servers) {
        ctx.addIssue({ code: "custom", path: ["index", "failures", i, "server"], message: `expected a server number from 0 to ${o.index.servers - 1}, got ${f.server}` });
      }
      if (f.restartAt !== undefined && f.restartAt <= f.at) {
        ctx.addIssue({ code: "custom", path: ["index", "failures", i, "restartAt"], message: `expected restartAt after at (${f.at} ms), got ${f.restartAt} ms` });
      }
    });
  })
  .meta({ description: "Hybrid P2P: a central index with finite capacity (Napster), or super-peers (KaZaA, Gnutella 0.6); files are fetched directly from holders." });

export type HybridOptions = z.output<typeof hybridSchema>;
