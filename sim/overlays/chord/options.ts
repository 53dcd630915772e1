import { z } from "zod";
import { duration, integer, oneOf, probability, strict } from "../../core/fields.js";

/**
 * `overlay:` for Chord (Stoica et al., SIGCOMM 2001; IEEE/ACM ToN 2003).
 * Every default is documented in docs/scenarios.md; the `.meta({ description })`
 * texts are editor hints for scenarios/schema.json.
 */

const UNITS = "(units ms, s, m, h, d; a plain number is ms)";

const storage = strict({
  /** Copies besides the owner's, on its next successors. */
  replicas: integer(0, 64)
    .default(2)
    .meta({ description: "Copies of each item besides the owner's, kept on its next successors (at most `successors`)." }),
  /** How often an owner pushes its items to its successors. */
  replicateInterval: duration({ example: "30s" })
    .prefault("30s")
    .meta({ description: `Mean interval between two replication rounds of a peer (jittered like the other intervals). A positive duration like "30s" ${UNITS}.` }),
  /** Whether a publisher puts its keys again every time it joins. */
  republishOnJoin: z
    .boolean()
    .default(false)
    .meta({ description: "true: a publisher puts its keys again every time it joins (lost items come back); false: each key is put once, the first time its publisher is in the ring." }),
});

/** Options of earlier versions, with what replaced them. */
const RETIRED = {
  freezeMaintenanceAt: "maintenance is frozen by the fault timeline now: write `faults: [{ kind: freeze, at: 0s }]` instead, with your time as `at` (docs/faults.md)",
};

export const chordSchema = strict({
  type: z.literal("chord"),
  /** "join": every peer joins through a bootstrap contact; "oracle": the initial ring is built directly at time 0. */
  bootstrap: oneOf(["join", "oracle"])
    .default("join")
    .meta({
      description:
        '"join": every peer joins through a bootstrap contact and the ring forms by stabilization; "oracle": the initial peers are online at time 0 with exact finger tables and successor lists.',
    }),
  /** Where peer ids come from: a hash keyed by the run's seed, or one fixed hash for every seed. */
  ids: oneOf(["seeded", "fixed"])
    .default("seeded")
    .meta({
      description:
        '"seeded": peer ids are a hash of the peer number keyed by a number drawn from the run\'s seed, so each seed samples another placement of peers in the id space; "fixed": the same hashed ids for every seed (peerlab before 0.2, and runs that must share one ring).',
    }),
  /** Width m of identifiers, in bits (SHA-1 gives 160). */
  idBits: integer(8, 256).default(160).meta({ description: "Width m of identifiers in bits (the paper's SHA-1 gives 160)." }),
  /** Length r of the successor list. */
  successors: integer(1, 64).default(8).meta({ description: "Length r of each peer's successor list." }),
  /** How lookups are routed: the origin asks each hop in turn (iterative) or each hop forwards the query (recursive). */
  routing: oneOf(["iterative", "recursive"])
    .default("iterative")
    .meta({
      description: '"iterative": the origin asks each hop for the next one (the paper\'s simulator); "recursive": each hop forwards the query and acknowledges it to the previous hop.',
    }),
  /** Recursive routing: whether each hop acknowledges the query to the previous one. */
  hopAcks: z
    .boolean()
    .default(true)
    .meta({
      description:
        "Recursive routing only. true: each hop acknowledges the query, and a hop that does not is dropped and the next best tried; false: queries are forwarded unacknowledged (as PeerSim's Chord does), so a failed hop loses the lookup and only the workload deadline notices.",
    }),
  /** Mean interval between two stabilize rounds of one peer. */
  stabilizeInterval: duration({ example: "30s" })
    .prefault("30s")
    .meta({ description: `Mean interval between two stabilize/notify rounds of a peer. A positive duration like "30s" ${UNITS}.` }),
  /** Mean interval between two fix_fingers rounds of one peer. */
  fixFingersInterval: duration({ example: "30s" })
    .prefault("30s")
    .meta({ description: `Mean interval between two fix_fingers rounds of a peer (each refreshes one distinct finger). A positive duration like "30s" ${UNITS}.` }),
  /** Mean interval between two check_predecessor pings. */
  checkPredecessorInterval: duration({ example: "30s" })
    .prefault("30s")
    .meta({ description: `Mean interval between two check_predecessor pings of a peer. A positive duration like "30s" ${UNITS}.` }),
  /** Intervals are drawn uniformly in [(1-j)·mean, (1+j)·mean]; 0 makes them fixed. */
  jitter: probability()
    .default(0.5)
    .meta({ description: "Maintenance intervals are uniform in [(1-jitter)·mean, (1+jitter)·mean]; 0 makes them fixed. The paper's 0.5 gives [15 s, 45 s] for 30 s." }),
  /** How long a peer waits for an answer before it takes the other side as failed. */
  requestTimeout: duration({ example: "1s" })
    .prefault("1s")
    .meta({ description: `How long a peer waits for any answer (lookup hop, stabilize, ping) before taking the other side as failed. A positive duration like "1s" ${UNITS}.` }),
  /** What a lookup does with a routing-table entry that timed out. */
  onTimeout: oneOf(["forget", "keep"])
    .default("forget")
    .meta({
      description:
        '"forget": a peer drops an entry (finger, successor) as soon as a lookup\'s request to it times out; "keep": the entry stays until stabilize or fix_fingers replaces it (the paper\'s failure experiment, where stabilization is frozen and lookups keep meeting the dead entries).',
    }),
  /** A lookup that has not found the owner after this many hops gives up. */
  maxHops: integer(1, 10_000).default(64).meta({ description: "A lookup that has not reached the owner's predecessor after this many hops fails." }),
  /** Put/get storage of the workload's keys, with replication; absent: lookups only find the owner. */
  storage: storage.optional().meta({
    description:
      "Stores the workload's keys in the ring: each key is put by its publisher, lives at its owner with copies on the next `replicas` successors, moves on joins and leaves, and lookups become gets that fetch it. Absent: lookups only find the owner.",
  }),
  /** Virtual nodes per physical peer (the paper's load-balancing remedy). */
  virtualNodes: integer(1, 64)
    .default(1)
    .meta({ description: "Chord nodes each physical peer runs, each with its own identifier (the paper's virtual nodes, which even out the keys per peer); they join, leave and crash together." }),
  /** Whether each time-series row reports how many keys each online peer is responsible for. */
  keyLoad: z
    .boolean()
    .default(false)
    .meta({ description: "true: every time-series row gets the keys each online peer is responsible for (mean, 1st, 50th and 99th percentile, max), counted over all workload keys against the true ring — the paper's load-balance experiment." }),
  /** Ring health: at most this many peers, evenly spaced on the ring, are checked per time-series row. */
  healthSample: integer(0, 10_000_000)
    .default(2000)
    .meta({ description: "Ring health in the time series checks at most this many peers, evenly spaced on the ring, and scales the counts up; 0 turns it off." }),
}, RETIRED).meta({ description: "Chord: a ring of identifiers with finger tables and successor lists; lookups in O(log N) hops." });

export type ChordOptions = z.output<typeof chordSchema>;
