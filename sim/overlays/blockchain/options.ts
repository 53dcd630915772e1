import { z } from "zod";
import { duration, integer, oneOf, probability, rate, strict } from "../../core/fields.js";

/**
 * `overlay:` for the blockchain overlay, a Bitcoin-like network of full nodes
 * (docs/gossip-and-blockchain.md lists every knob, its default and source).
 */

const UNITS = "(units ms, s, m, h, d; a plain number is ms)";

const pool = strict({
  name: z.string().min(1).meta({ description: "The pool's name, as results report its revenue." }),
  share: probability().meta({ description: "The pool's share of all hash power; the shares of all pools sum to 1." }),
}).meta({ description: "A mining pool: one node that holds this share of the hash power." });

const mining = strict({
  interval: duration({ example: "10m" })
    .prefault("10m")
    .meta({ description: `Mean time between blocks when every miner is online: all miners together find blocks as a Poisson process of this mean ${UNITS}.` }),
  hashPower: oneOf(["equal", "exponential"])
    .default("equal")
    .meta({ description: '"equal": every node mines with the same power; "exponential": each node\'s power is drawn from an exponential distribution (a few large miners, many small ones). Ignored when pools are given.' }),
  pools: z
    .array(pool)
    .min(1)
    .optional()
    .meta({ description: "Named pools with shares summing to 1, each one node chosen at random; the other nodes only relay." }),
}).meta({ description: "Who finds blocks, and how often." });

const relay = strict({
  mode: oneOf(["inv", "headers", "push", "compact"])
    .default("inv")
    .meta({
      description:
        '"inv": announce–request (inv, getdata, block), Bitcoin\'s standard relay; "headers": BIP 130 header announcements, and a node that lacks several blocks asks for their headers (getheaders) and then for all of them in one getdata; "push": the whole block sent unasked to every neighbour; "compact": BIP 152 compact blocks (header and 6-byte short ids) pushed to every neighbour, a round trip for missing transactions when the receiver lacks some.',
    }),
  compactMiss: probability()
    .default(0.15)
    .meta({ description: "Compact blocks: probability that a receiver lacks some of the block's transactions and needs a round trip (getblocktxn, blocktxn)." }),
  compactMissingShare: probability()
    .default(0.02)
    .meta({ description: "Compact blocks: share of the block's transactions fetched in that round trip." }),
  requestTimeout: duration({ example: "20s" })
    .prefault("20s")
    .meta({ description: `How long a node waits for a block it asked for before asking the next peer that announces it ${UNITS}.` }),
}).meta({ description: "How blocks travel between neighbours." });

const transactions = strict({
  rate: rate("2/s").meta({ description: "Transactions created in the whole network, a Poisson process of this rate, each at a random online node (a plain number is per second)." }),
  trickleInbound: duration({ example: "5s" })
    .prefault("5s")
    .meta({ description: `Mean of the exponential timer on which a node sends its batched transaction announcements over an inbound connection (Bitcoin Core: 5 s) ${UNITS}.` }),
  trickleOutbound: duration({ example: "2s" })
    .prefault("2s")
    .meta({ description: `The same over an outbound connection (Bitcoin Core: 2 s) ${UNITS}.` }),
}).meta({
  description:
    "Transaction relay, off when absent: transactions of transactionSize bytes, announced by inv in batches on Poisson (trickle) timers per connection, fetched by getdata, kept in a mempool per node and mined from it.",
});

export const blockchainSchema = strict({
  type: z.literal("blockchain"),
  bootstrap: oneOf(["join", "oracle"])
    .default("oracle")
    .meta({ description: '"oracle": the initial nodes are connected at time 0 (outbound connections to random nodes); "join": nodes connect through the host cache and address gossip.' }),
  outbound: integer(1, 125).default(8).meta({ description: "Outbound connections each node opens (Bitcoin Core: 8)." }),
  maxConnections: integer(1, 10_000).default(125).meta({ description: "Connections a node accepts in all, inbound and outbound (Bitcoin Core: 125)." }),
  mining: mining.prefault({}),
  blockSize: integer(80, 1_000_000_000).default(1_000_000).meta({ description: "Block size in bytes, header included. With transactions: the most a block can be; each block is its 80-byte header plus the transactions it takes from the mempool." }),
  transactionSize: integer(1, 1_000_000).default(500).meta({ description: "Mean transaction size in bytes: a block carries blockSize / transactionSize transactions." }),
  verifyBase: duration({ positive: false, example: "5ms" })
    .prefault("5ms")
    .meta({ description: `Time a node spends verifying any block, before relaying it ${UNITS}.` }),
  verifyPerKB: duration({ positive: false, example: "0.1ms" })
    .prefault("0.1ms")
    .meta({ description: `Verification time per kB of block ${UNITS}; blocks are verified one at a time per node.` }),
  relay: relay.prefault({}),
  transactions: transactions.optional(),
  gamma: z
    .union([probability(), z.literal("network")])
    .default("network")
    .meta({
      description:
        'Selfish mining (adversaries.behaviours: [selfish]): in a tie between the attacker\'s block and an honest one, the share of honest mining that builds on the attacker\'s (Eyal & Sirer\'s γ); "network": whichever block each miner saw first.',
    }),
  eclipseVictims: integer(0, 1_000_000)
    .default(1)
    .meta({ description: "Eclipse attacks (adversaries.behaviours: [eclipse]): how many honest nodes, chosen at random, the eclipsing nodes surround." }),
  confirmations: integer(1, 1000)
    .default(6)
    .meta({ description: "A height is settled, and its blocks counted as main chain or stale, once the longest chain is this many blocks above it." }),
  maintenanceInterval: duration({ example: "2m" })
    .prefault("2m")
    .meta({ description: `How often a node pings its neighbours (Bitcoin Core: every 2 minutes), drops silent ones and opens connections to stay at outbound ${UNITS}.` }),
  pingTimeout: duration({ example: "5s" })
    .prefault("5s")
    .meta({ description: `How long a node waits for a neighbour's pong (or a connection's answer) before dropping it ${UNITS}.` }),
})
  .superRefine((o, ctx) => {
    if (o.maxConnections < o.outbound) {
      ctx.addIssue({ code: "custom", path: ["maxConnections"], message: `expected at least outbound (${o.outbound}) connections, got ${o.maxConnections}` });
    }
    const pools = o.mining.pools;
    if (pools) {
      const sum = pools.reduce((s, p) => s + p.share, 0);
      if (Math.abs(sum - 1) > 1e-9) {
        ctx.addIssue({ code: "custom", path: ["mining", "pools"], message: `expected pool shares that sum to 1, got ${pools.map((p) => p.share).join(" + ")} = ${Math.round(sum * 1e6) / 1e6}` });
      }
      const names = new Set<string>();
      pools.forEach((p, i) => {
        if (names.has(p.name)) ctx.addIssue({ code: "custom", path: ["mining", "pools", i, "name"], message: `expected a pool name used once, got ${JSON.stringify(p.name)} twice` });
        names.add(p.name);
      });
    }
  })
  .meta({ description: "A Bitcoin-like network of full nodes: mining as a Poisson process, blocks verified by every node, inv/getdata, push or compact relay, longest chain, forks and stale blocks." });

export type BlockchainOptions = z.output<typeof blockchainSchema>;
