import { z } from "zod";
import { describeValue, duration, durationDistribution, integer, oneOf, probability, rate, strict } from "../../core/fields.js";
import { parseSize } from "../../core/units.js";

/**
 * `overlay:` for the bittorrent overlay. Every default is documented, with
 * its source, in docs/bittorrent.md; the `.meta({ description })` texts are
 * editor hints.
 */

const UNITS = "(units ms, s, m, h, d; a plain number is ms)";

/** A size like "256KiB" or "100MB" (a plain number is bytes), kept as bytes. */
function size(example: string) {
  const expected = `expected a size > 0 like "${example}" (units B, kB, MB, GB, KiB, MiB, GiB; a plain number is bytes)`;
  return z
    .union([z.string(), z.number()], { error: (issue) => `${expected}, got ${describeValue(issue.input)}` })
    .transform((value, ctx) => {
      const bytes = typeof value === "number" ? value : parseSize(value);
      if (bytes === undefined || !Number.isInteger(bytes) || bytes <= 0 || bytes > 2 ** 50) {
        ctx.addIssue({ code: "custom", message: `${expected}, got ${describeValue(value)}` });
        return z.NEVER;
      }
      return bytes;
    })
    .meta({ description: `A size, e.g. "${example}"; a plain number is bytes.` });
}

export const PICKERS = ["rarest-first", "random"] as const;

const torrent = strict({
  size: size("100MB").prefault("100MB").meta({ description: 'Size of the shared file, e.g. "100MB".' }),
  pieceSize: size("256KiB").prefault("256KiB").meta({ description: "Piece size: the unit that is hashed, verified and announced with HAVE (default 256 KiB)." }),
  blockSize: size("16KiB").prefault("16KiB").meta({ description: "Block size: the unit of a request within a piece (16 KiB in every mainstream client)." }),
  transferUnit: oneOf(["block", "piece"])
    .default("block")
    .meta({ description: '"block": every request asks for one block and each block is a transfer (exact); "piece": a request asks for a whole piece from one peer (fewer events, for large swarms; docs/bittorrent.md says what it approximates).' }),
}).meta({ description: "The torrent: file size, piece size, block size, and the unit a request asks for." });

const tracker = strict({
  announceInterval: duration({ example: "30m" }).prefault("30m").meta({ description: `How often a peer re-announces to the tracker ${UNITS}.` }),
  minAnnounceInterval: duration({ example: "30s" })
    .prefault("30s")
    .meta({ description: `A peer whose peer set has fallen below minPeers announces again, but not more often than this ${UNITS}.` }),
  numwant: integer(1, 1000).default(50).meta({ description: "Peers the tracker returns per announce (at most)." }),
  minPeers: integer(0, 1000).default(20).meta({ description: "Below this many connections a peer asks the tracker for more." }),
  timeout: duration({ example: "15s" }).prefault("15s").meta({ description: `How long a peer waits for the tracker's answer ${UNITS}.` }),
}).meta({ description: "The tracker (a service peer, role \"tracker\")." });

const connections = strict({
  maxInitiate: integer(0, 10_000).default(40).meta({ description: "Connections a peer opens itself, at most." }),
  maxConnections: integer(1, 10_000).default(80).meta({ description: "Connections a peer keeps at most (opened and accepted)." }),
  handshakeTimeout: duration({ example: "10s" }).prefault("10s").meta({ description: `How long a handshake may wait for its answer ${UNITS}.` }),
  keepAlive: duration({ example: "2m" })
    .prefault("2m")
    .meta({ description: `Keep-alive period: a connection silent for two periods is dropped (how a crashed neighbour is noticed) ${UNITS}.` }),
}).meta({ description: "Peer set sizes and connection liveness." });

const choking = strict({
  interval: duration({ example: "10s" }).prefault("10s").meta({ description: `Rechoke period ${UNITS}.` }),
  regularSlots: integer(0, 1000).default(3).meta({ description: "Regular unchoke slots: the interested peers that uploaded fastest to us (tit-for-tat); a seed rotates them round robin." }),
  optimisticSlots: integer(0, 1000).default(1).meta({ description: "Optimistic unchoke slots, given to random choked interested peers." }),
  optimisticInterval: duration({ example: "30s" }).prefault("30s").meta({ description: `How long an optimistic unchoke lasts before it rotates ${UNITS}.` }),
  snubTimeout: duration({ example: "60s" })
    .prefault("60s")
    .meta({ description: `Anti-snubbing: a peer that sent us no block for this long while we wanted one loses its regular slot ${UNITS}.` }),
}).meta({ description: "Choking: tit-for-tat with optimistic unchoke (Cohen 2003)." });

const afterCompletion = strict({
  policy: oneOf(["stay", "leave", "seed"])
    .default("stay")
    .meta({ description: '"stay": keep seeding to the end; "leave": leave the swarm at once; "seed": seed for `seedTime`, then leave the swarm.' }),
  seedTime: durationDistribution("10m")
    .optional()
    .meta({ description: "With policy seed: how long a peer seeds after completing (a distribution of durations)." }),
}).meta({ description: "What a peer does once it has the whole file." });

const arrivals = strict({
  process: oneOf(["join", "poisson"])
    .default("join")
    .meta({ description: '"join": a peer starts downloading when it comes online (peers.joinOver 0 is a flash crowd); "poisson": peers start, one after another, at the times of a Poisson process of `rate`.' }),
  rate: rate("1/s").optional().meta({ description: 'With process poisson: arrivals per unit of time, like "1/s".' }),
}).meta({ description: "When leechers start downloading." });

export const bittorrentSchema = strict({
  type: z.literal("bittorrent"),
  mode: oneOf(["swarm", "client-server"])
    .default("swarm")
    .meta({ description: '"swarm": BitTorrent; "client-server": the same peers fetch the whole file from one server (role "server") over its uplink, for comparison.' }),
  torrent: torrent.prefault({}),
  seeds: integer(0, 1000).default(1).meta({ description: 'Initial seeds (service peers, role "seed"), which hold the whole file from time 0.' }),
  tracker: tracker.prefault({}),
  connections: connections.prefault({}),
  haveInterval: duration({ positive: false, example: "1s" })
    .prefault("0s")
    .meta({ description: `0 (exact): a HAVE to every connection for each verified piece. Above 0: the pieces verified in each interval go out together as one message per connection, so neighbours learn of them up to this late (for large swarms) ${UNITS}.` }),
  redundantHaves: z
    .boolean()
    .default(true)
    .meta({ description: "true (BEP 3): every connection hears of every verified piece. false: a HAVE, or a batch of them, goes only to connections whose peer we do not know to have the piece (every piece of the batch), as libtorrent does with send_redundant_have off: a peer that has a piece needs no word of who else has it (fewer messages for large swarms; docs/bittorrent.md, Performance)." }),
  pipeline: integer(1, 1000).default(5).meta({ description: "Requests a peer keeps outstanding on each connection (in blocks; in piece mode ceil(pipeline·blockSize/pieceSize) pieces)." }),
  picker: oneOf(PICKERS).default("rarest-first").meta({ description: '"rarest-first" (local rarest first after `randomFirst` random pieces) or "random" (every piece at random), for comparison.' }),
  randomFirst: integer(0, 1_000_000).default(4).meta({ description: "Pieces picked at random before rarest-first takes over, so a new peer soon has something to trade." }),
  endGame: z.boolean().default(true).meta({ description: "End-game mode: when every missing block has been requested, request them from every peer that has them and cancel the copies that arrive later." }),
  choking: choking.prefault({}),
  afterCompletion: afterCompletion.prefault({}),
  arrivals: arrivals.prefault({}),
  freeRiders: probability().default(0).meta({ description: "Fraction of the churn pool that never uploads (free riders), chosen at random." }),
  banStrikes: integer(1, 1000).default(2).meta({ description: "Pieces that failed their hash check a peer may contribute to before it is banned (disconnected, never accepted again)." }),
  labels: oneOf(["kind", "upload"])
    .default("kind")
    .meta({ description: 'How downloads are grouped in downloads.csv and the summary: "kind" (leecher, free-rider, malicious) or "upload" (by upload capacity, e.g. "up 800kbit/s", for heterogeneous links).' }),
  execution: oneOf(["events", "rounds"])
    .default("events")
    .meta({
      description:
        '"events": every message and every piece transfer is an engine event (exact). "rounds": a flow-level swarm for large runs: one engine event per round of `roundLength` moves every unchoked connection\'s bytes at max-min fair rates over the peers\' links, with no per-message latency and HAVEs known one round late (docs/bittorrent.md, Rounds). Needs network.bandwidth; mode client-server runs as events either way.',
    }),
  roundLength: duration({ example: "1s" })
    .prefault("1s")
    .meta({ description: `With execution rounds: the time step; rates are solved, and pieces picked, once per round ${UNITS}.` }),
  pieceMapPeers: integer(0, 100_000).default(50).meta({ description: "Peers whose piece completion times go to overlay.json (the viewer's piece map)." }),
})
  .superRefine((o, ctx) => {
    if (o.torrent.pieceSize > o.torrent.size) {
      ctx.addIssue({ code: "custom", path: ["torrent", "pieceSize"], message: `expected a piece size no larger than the file (torrent.size = ${o.torrent.size} bytes), got ${o.torrent.pieceSize} bytes` });
    }
    if (o.torrent.blockSize > o.torrent.pieceSize) {
      ctx.addIssue({ code: "custom", path: ["torrent", "blockSize"], message: `expected a block size no larger than a piece (torrent.pieceSize = ${o.torrent.pieceSize} bytes), got ${o.torrent.blockSize} bytes` });
    }
    if (o.mode === "swarm" && o.seeds === 0) {
      ctx.addIssue({ code: "custom", path: ["seeds"], message: 'expected at least 1 initial seed in mode "swarm" (with no seed and no server nobody has the file); use mode "client-server" for a server' });
    }
    if (Math.ceil(o.torrent.size / o.torrent.pieceSize) > 1_000_000) {
      ctx.addIssue({ code: "custom", path: ["torrent", "pieceSize"], message: `expected at most 1,000,000 pieces, got ${Math.ceil(o.torrent.size / o.torrent.pieceSize)} (make pieces larger)` });
    }
    if (o.afterCompletion.policy === "seed" && o.afterCompletion.seedTime === undefined) {
      ctx.addIssue({ code: "custom", path: ["afterCompletion", "seedTime"], message: 'expected a seedTime distribution with policy "seed", like { distribution: exponential, mean: "10m" }' });
    }
    if (o.arrivals.process === "poisson" && o.arrivals.rate === undefined) {
      ctx.addIssue({ code: "custom", path: ["arrivals", "rate"], message: 'expected a rate with process "poisson", like "1/s"' });
    }
    if (o.connections.maxInitiate > o.connections.maxConnections) {
      ctx.addIssue({ code: "custom", path: ["connections", "maxInitiate"], message: `expected at most connections.maxConnections (${o.connections.maxConnections}), got ${o.connections.maxInitiate}` });
    }
  })
  .meta({ description: "BitTorrent: a swarm trading pieces (rarest first, tit-for-tat) around a tracker and initial seeds, or the same peers against one server." });

export type BittorrentOptions = z.output<typeof bittorrentSchema>;

/**
 * Requests a peer keeps outstanding on each connection. `pipeline` counts blocks; in piece mode
 * a request is a whole piece, so it keeps as many pieces as cover the same bytes (the same
 * bandwidth-delay product), at least one: ceil(pipeline · blockSize / pieceSize), 1 with the defaults.
 */
export function requestsPerConnection(o: Pick<BittorrentOptions, "pipeline" | "torrent">): number {
  if (o.torrent.transferUnit === "block") return o.pipeline;
  return Math.ceil((o.pipeline * o.torrent.blockSize) / o.torrent.pieceSize);
}
