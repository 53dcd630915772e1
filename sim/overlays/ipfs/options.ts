import { z } from "zod";
import { describeValue, duration, integer, oneOf, probability, strict } from "../../core/fields.js";
import { parseSize } from "../../core/units.js";

/**
 * `overlay:` for IPFS. Every default is listed with its source in
 * docs/ipfs.md; the `.meta({ description })` texts are editor hints.
 */

const UNITS = "(units ms, s, m, h, d; a plain number is ms)";
/** Bitswap refuses blocks above 2 MiB (the libp2p message limit is 4 MiB; Kubo's chunker caps blocks at 1 MiB by default, 2 MiB hard). */
const MAX_BLOCK = 2 * 1024 * 1024;

/** A block size like "256KiB" → bytes: 1 B to 2 MiB. */
function blockSize() {
  const expected = `expected a block size from 1 B to 2 MiB like "256KiB" (units B, kB, KiB, MB, MiB)`;
  return z
    .union([z.string(), z.number()], { error: (issue) => `${expected}, got ${describeValue(issue.input)}` })
    .transform((value, ctx) => {
      const bytes = typeof value === "number" ? value : parseSize(value);
      if (bytes === undefined || !Number.isInteger(bytes) || bytes < 1 || bytes > MAX_BLOCK) {
        ctx.addIssue({ code: "custom", message: `${expected}, got ${describeValue(value)}` });
        return z.NEVER;
      }
      return bytes;
    })
    .meta({ description: `${expected.replace("expected ", "")}.` });
}

/** A size like "10GB" → bytes, > 0. */
function storageSize() {
  const expected = `expected a size > 0 like "10GB" (units B, kB, MB, GB, KiB, MiB, GiB)`;
  return z
    .union([z.string(), z.number()], { error: (issue) => `${expected}, got ${describeValue(issue.input)}` })
    .transform((value, ctx) => {
      const bytes = typeof value === "number" ? value : parseSize(value);
      if (bytes === undefined || !Number.isFinite(bytes) || bytes <= 0) {
        ctx.addIssue({ code: "custom", message: `${expected}, got ${describeValue(value)}` });
        return z.NEVER;
      }
      return bytes;
    });
}

const dhtSchema = strict({
  k: integer(1, 255).default(20).meta({ description: "Replication parameter k: bucket size, and how many closest servers a provider record is stored on." }),
  alpha: integer(1, 64).default(10).meta({ description: "Concurrency α: RPCs a DHT walk keeps in flight (go-libp2p-kad-dht uses 10)." }),
  requestTimeout: duration({ example: "5s" }).prefault("5s").meta({ description: `How long a DHT RPC may take before its peer counts as failed ${UNITS}.` }),
  refreshInterval: duration({ example: "10m" }).prefault("10m").meta({ description: `How often each peer refreshes its buckets ${UNITS}.` }),
  idBits: integer(8, 256).default(256).meta({ description: "Width of DHT keys in bits (libp2p hashes peer ids and CIDs with SHA-256)." }),
  clientShare: probability()
    .default(0)
    .meta({ description: "Share of peers that cannot be dialled (behind a NAT): DHT clients that look up and provide but answer no DHT request and sit in nobody's buckets." }),
  providerRepublish: duration({ example: "12h" }).prefault("12h").meta({ description: `Providers announce each root they hold again this often ${UNITS}.` }),
  providerExpire: duration({ example: "24h" }).prefault("24h").meta({ description: `A provider record lapses this long after its provider last announced it ${UNITS}.` }),
}).meta({ description: "The Kademlia DHT that holds provider records (CID → peer)." });

const bitswapSchema = strict({
  providerSearchDelay: duration({ example: "1s" })
    .prefault("1s")
    .meta({ description: `A retrieval with no HAVE this long after its WANT_HAVE broadcast walks the DHT for providers ${UNITS}.` }),
  rebroadcastInterval: duration({ example: "1m" })
    .prefault("1m")
    .meta({ description: `A retrieval that made no progress for this long broadcasts its wants again and searches for providers again ${UNITS}.` }),
  maxProviders: integer(1, 1000).default(10).meta({ description: "Providers a retrieval connects to from one provider search." }),
}).meta({ description: "The block exchange." });

const connectionsSchema = strict({
  low: integer(1, 100_000).default(32).meta({ description: "Low water: a peer with more than `high` connections closes its oldest down to this many." }),
  high: integer(1, 100_000).default(96).meta({ description: "High water: the most connections a peer keeps open (they open as peers talk: DHT requests, dials to providers)." }),
}).meta({ description: "The connection manager (libp2p's low and high water marks)." });

const storageSchema = strict({
  max: storageSize().prefault("10GB").meta({ description: 'Datastore size ("10GB"): garbage collection runs when cached plus pinned blocks pass `gcWatermark` of it.' }),
  gcWatermark: probability().default(0.9).meta({ description: "Share of `max` at which garbage collection removes every unpinned block." }),
  provideFetched: z.boolean().default(true).meta({ description: "true: a peer that fetched a file announces itself as a provider of it (and keeps it in its cache until garbage collection)." }),
}).meta({ description: "What each peer's blockstore keeps." });

const pinningSchema = strict({
  policy: oneOf(["creator", "service", "both", "none"])
    .default("creator")
    .meta({
      description:
        'Who pins each file: "creator" (its creator\'s node only), "service" (the creator uploads it to a pinning service and keeps only an unpinned copy), "both", or "none" (the creator keeps it as cache: garbage collection may remove it).',
    }),
  services: integer(0, 1000).default(0).meta({ description: "Pinning-service peers: always online, DHT servers, well connected. Policies \"service\" and \"both\" need at least one." }),
  connections: integer(1, 100_000).default(500).meta({ description: "Connections a pinning-service peer keeps (its low water mark; high water is 1.5 times it)." }),
}).meta({ description: "Pinning: who keeps each file for good (pinning services such as Pinata or web3.storage)." });

const publishSchema = strict({
  window: duration({ positive: false, example: "10m" })
    .prefault("0s")
    .meta({ description: `Each file is published at a uniformly random time in [0, window] by its creator (when it is next online) ${UNITS}.` }),
  provide: oneOf(["roots", "all"])
    .default("roots")
    .meta({ description: '"roots": peers announce each file\'s root CID only (Kubo\'s "roots" reprovider strategy); "all": every block\'s CID (Kubo\'s default, "all").' }),
}).meta({ description: "When files are published and what is announced." });

export const ipfsSchema = strict({
  type: z.literal("ipfs"),
  bootstrap: oneOf(["join", "oracle"])
    .default("join")
    .meta({ description: '"join": each peer joins the DHT through bootstrap contacts; "oracle": the initial peers start with filled buckets and connections.' }),
  blockSize: blockSize().prefault("256KiB"),
  linksPerNode: integer(2, 10_000).default(174).meta({ description: "Children per internal node of a file's DAG (UnixFS balanced layout: 174)." }),
  dht: dhtSchema.prefault({}),
  bitswap: bitswapSchema.prefault({}),
  connections: connectionsSchema.prefault({}),
  storage: storageSchema.prefault({}),
  pinning: pinningSchema.prefault({}),
  publish: publishSchema.prefault({}),
})
  .superRefine((o, ctx) => {
    if (o.connections.high < o.connections.low) {
      ctx.addIssue({ code: "custom", path: ["connections", "high"], message: `expected high ≥ low (${o.connections.low}), got ${o.connections.high}` });
    }
    if ((o.pinning.policy === "service" || o.pinning.policy === "both") && o.pinning.services === 0) {
      ctx.addIssue({ code: "custom", path: ["pinning", "services"], message: `expected at least 1 pinning service with policy "${o.pinning.policy}", got 0` });
    }
  })
  .meta({ description: "IPFS: files as Merkle DAGs of blocks addressed by hash, provider records on a Kademlia DHT, blocks exchanged by Bitswap." });

export type IpfsOptions = z.output<typeof ipfsSchema>;
