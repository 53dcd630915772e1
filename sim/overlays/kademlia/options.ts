import { z } from "zod";
import { duration, integer, oneOf, probability, strict } from "../../core/fields.js";

/**
 * `overlay:` for Kademlia (Maymounkov & Mazières, IPTPS 2002). Every default
 * is documented in docs/scenarios.md; the `.meta({ description })` texts are
 * editor hints for scenarios/schema.json. The interval defaults are the
 * paper's (§2.5: refresh and replicate hourly, republish and expire daily).
 */

const UNITS = "(units ms, s, m, h, d; a plain number is ms)";

export const kademliaSchema = strict({
  type: z.literal("kademlia"),
  bootstrap: oneOf(["join", "oracle"])
    .default("join")
    .meta({
      description:
        '"join": every peer looks up its own id through a bootstrap contact, then refreshes its farther buckets; "oracle": the initial peers are online at time 0 with buckets filled directly from the live population.',
    }),
  idBits: integer(8, 256).default(160).meta({ description: "Width of identifiers in bits (the paper's SHA-1 gives 160)." }),
  k: integer(1, 255).default(20).meta({ description: "Bucket size k: contacts per k-bucket, and how many closest peers a lookup finds and a value is stored on." }),
  alpha: integer(1, 64).default(3).meta({ description: "Parallelism α: RPCs a lookup keeps in flight at once." }),
  b: integer(1, 5)
    .default(1)
    .meta({ description: "Bits per digit (the paper's accelerated lookups, §4.2): 2^b − 1 buckets per level, lookups in about log_{2^b} N steps. 1 is plain Kademlia." }),
  lookups: oneOf(["value", "node"])
    .default("value")
    .meta({
      description:
        '"value": a workload lookup is a FIND_VALUE for the key\'s id (keys are stored by their publishers; success = value found); "node": a FIND_NODE for the id of a random live peer (success = that peer among the k closest found).',
    }),
  requestTimeout: duration({ example: "1s" })
    .prefault("1s")
    .meta({ description: `How long a peer waits for the answer to any RPC before taking the other side as failed. A positive duration like "1s" ${UNITS}.` }),
  replacements: integer(0, 255)
    .default(20)
    .meta({ description: "Size of each bucket's replacement cache: recently seen peers that did not fit a full bucket, used when a bucket entry fails." }),
  probe: oneOf(["immediate", "delayed"])
    .default("immediate")
    .meta({
      description:
        '"immediate" (§2.2): a new contact for a full bucket makes the peer ping the bucket\'s least recently seen contact, which is evicted only if it does not answer; "delayed" (§4.1): no ping, the newcomer waits in the replacement cache until an RPC to a bucket entry fails.',
    }),
  staleAfter: integer(1, 255)
    .default(1)
    .meta({ description: "Failed RPCs in a row after which a contact is dropped even when its bucket's replacement cache is empty (with a replacement waiting it goes at the first failure)." }),
  refreshInterval: duration({ example: "1h" })
    .prefault("1h")
    .meta({ description: `Each peer refreshes (looks up a random id in) every bucket it has not looked up in for this long. A positive duration like "1h" ${UNITS}.` }),
  replicateInterval: duration({ example: "1h" })
    .prefault("1h")
    .meta({ description: `Holders re-store each value they hold to its k closest peers this often, unless they received a STORE for it within the interval. A positive duration like "1h" ${UNITS}.` }),
  republishInterval: duration({ example: "24h" })
    .prefault("24h")
    .meta({ description: `An online publisher stores its keys again this often (and at every join). A positive duration like "24h" ${UNITS}.` }),
  expire: duration({ example: "24h" })
    .prefault("24h")
    .meta({ description: `A stored value expires this long after its publisher last published it. A positive duration like "24h" ${UNITS}.` }),
  cacheOnPath: z
    .boolean()
    .default(false)
    .meta({ description: "true: a successful FIND_VALUE stores the value at the closest peer it asked that lacked it, with an expiry shortened by half for every peer it knows closer to the key (§2.3)." }),
  jitter: probability()
    .default(0.5)
    .meta({ description: "Refresh, replicate and republish intervals are uniform in [(1-jitter)·mean, (1+jitter)·mean]; 0 makes them fixed." }),
  statsSample: integer(0, 10_000_000)
    .default(2000)
    .meta({ description: "The routing-table columns of the time series look at most this many online peers, evenly spaced, and average over them; 0 turns them off." }),
}).meta({ description: "Kademlia: XOR metric, k-buckets, α-parallel iterative lookups, values stored on the k closest peers." });

export type KademliaOptions = z.output<typeof kademliaSchema>;
