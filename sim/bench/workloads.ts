import { benchBandwidth } from "./bandwidth.js";
import { benchCalendarHold } from "./calendar.js";
import { benchBittorrent } from "./bittorrent.js";
import { benchBlockchain } from "./blockchain.js";
import { benchChord } from "./chord.js";
import { benchChordFloor } from "./chord-floor.js";
import { benchChordChurn } from "./churn.js";
import { benchFlooding } from "./flooding.js";
import { benchGossip } from "./gossip.js";
import { benchHold } from "./hold.js";
import { benchIpfs } from "./ipfs.js";
import { benchKademlia } from "./kademlia.js";
import { benchSetup } from "./setup.js";

/**
 * The BitTorrent benches' model options for large swarms (docs/bittorrent.md says what each
 * approximates and measures it): whole pieces per transfer, HAVEs batched every 5 s and not sent
 * to peers known to have the pieces (libtorrent's send_redundant_have off), max-min rates solved
 * every 100 ms instead of at every start and end.
 */
const LARGE_SWARM = { transferUnit: "piece", haveInterval: "5s", redundantHaves: false, solveInterval: "100ms" } as const;

/**
 * Which set a workload belongs to: `quick` runs by default (the whole set in
 * about two minutes), `full` adds the sizes the issues quote, `large` runs
 * only when named (minutes each, gigabytes of memory).
 */
export type Tier = "quick" | "full" | "large";

export interface Workload {
  name: string;
  tier: Tier;
  /** About how long one run takes on the development machine when it is quiet: its CPU seconds, process start included (measured while the machine was shared, so wall time was longer). */
  expectedSeconds: number;
  description: string;
  run: () => object;
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: "engine-hold",
    tier: "quick",
    expectedSeconds: 2,
    description: "engine queue, hold model: 100k pending, 5M events, Exp(1 ms) delays",
    run: () => benchHold(),
  },
  {
    name: "calendar-hold",
    tier: "quick",
    expectedSeconds: 2,
    description: "the same hold model on a bare calendar queue (reference: no FIFO ties, no cancellation)",
    run: () => benchCalendarHold(),
  },
  {
    name: "flooding-10m",
    tier: "quick",
    expectedSeconds: 8,
    description: "unstructured flooding, 10k peers, degree 8, TTL 4, 1k lookups over 10 simulated minutes, neighbour upkeep included (issue target 2 M events per CPU s: about 1.6–2.0 M, 6.4 M events)",
    run: () => benchFlooding({ name: "flooding-10m", lookups: 1_000, duration: "10m" }),
  },
  {
    name: "chord-10k",
    tier: "quick",
    expectedSeconds: 3,
    description: "Chord oracle ring, 10k peers, 100k recursive lookups, no hop acks",
    run: () => benchChord({ name: "chord-10k", peers: 10_000, lookups: 100_000 }),
  },
  {
    name: "chord-acks-10k",
    tier: "quick",
    expectedSeconds: 3,
    description: "the same with an acknowledgement and a timer per hop",
    run: () => benchChord({ name: "chord-acks-10k", hopAcks: true, peers: 10_000, lookups: 100_000 }),
  },
  {
    name: "kademlia-10k-10k",
    tier: "quick",
    expectedSeconds: 3,
    description: "Kademlia oracle tables, 10k peers, 10k node lookups (k 20, α 3)",
    run: () => benchKademlia({ name: "kademlia-10k-10k", peers: 10_000, lookups: 10_000 }),
  },
  {
    name: "bandwidth-share-1k",
    tier: "quick",
    expectedSeconds: 1,
    description: "carrier 'share', 1k peers, 20k transfers of 1 MiB",
    run: () => benchBandwidth({ name: "bandwidth-share-1k", model: "share", peers: 1_000, transfers: 20_000 }),
  },
  {
    name: "bandwidth-maxmin-1k",
    tier: "quick",
    expectedSeconds: 2,
    description: "carrier 'maxmin', 1k peers, 20k transfers of 1 MiB",
    run: () => benchBandwidth({ name: "bandwidth-maxmin-1k", model: "maxmin", peers: 1_000, transfers: 20_000 }),
  },
  {
    name: "chord-churn-10k",
    tier: "quick",
    expectedSeconds: 11,
    description: "scenarios/chord-churn.yaml at 10k peers, 10 simulated minutes (join protocol, churn)",
    run: () => benchChordChurn({ name: "chord-churn-10k", peers: 10_000 }),
  },
  {
    name: "bittorrent-100",
    tier: "quick",
    expectedSeconds: 10,
    description:
      "BitTorrent flash crowd, 100 leechers fetch 100 MB from one seed under maxmin, until all have it; the large-swarm options: whole-piece transfers, HAVEs batched every 5 s and not sent to peers that have the pieces, rates solved every 100 ms (docs/bittorrent.md, Performance)",
    run: () => benchBittorrent({ name: "bittorrent-100", peers: 100, ...LARGE_SWARM }),
  },
  {
    name: "gossip-1k",
    tier: "quick",
    expectedSeconds: 10,
    description: "gossip rumour mongering, 1k peers, 200 rumours",
    run: () => benchGossip({ name: "gossip-1k", peers: 1_000, broadcasts: 200 }),
  },
  {
    name: "blockchain-600",
    tier: "quick",
    expectedSeconds: 15,
    description: "blockchain on Gervais et al.'s regional latencies, 600 nodes, 50 blocks of 1 MB, bandwidth on",
    run: () => benchBlockchain({ name: "blockchain-600", peers: 600, blocks: 50 }),
  },
  {
    name: "ipfs-1k",
    tier: "quick",
    expectedSeconds: 15,
    description: "IPFS, 1k peers, 1k files, 10k retrievals (provider records on Kademlia, Bitswap)",
    run: () => benchIpfs({ name: "ipfs-1k", peers: 1_000, retrievals: 10_000, files: 1_000 }),
  },
  {
    name: "chord",
    tier: "full",
    expectedSeconds: 12,
    description: "Chord oracle ring, 100k peers, 1M recursive lookups, no hop acks (the PeerSim comparison)",
    run: () => benchChord(),
  },
  {
    name: "chord-routing-floor",
    tier: "full",
    expectedSeconds: 5,
    description: "reference for 'chord': the same ring and 1M lookups hopped through the routing tables in a plain loop, no engine, network or metrics (what reaching each hop's state costs)",
    run: () => benchChordFloor(),
  },
  {
    name: "chord-1m",
    tier: "full",
    expectedSeconds: 4,
    description: "Chord oracle ring, 1M peers, 10k lookups (setup-bound)",
    run: () => benchChord({ name: "chord-1m", peers: 1_000_000, lookups: 10_000 }),
  },
  {
    name: "chord-acks",
    tier: "full",
    expectedSeconds: 28,
    description: "Chord, 100k peers, 1M lookups, an acknowledgement per hop",
    run: () => benchChord({ name: "chord-acks", hopAcks: true }),
  },
  {
    name: "kademlia",
    tier: "full",
    expectedSeconds: 4,
    description: "Kademlia, 100k peers, 10k lookups (the PeerSim comparison)",
    run: () => benchKademlia(),
  },
  {
    name: "kademlia-10k",
    tier: "full",
    expectedSeconds: 12,
    description: "Kademlia, 10k peers, 100k lookups",
    run: () => benchKademlia({ name: "kademlia-10k", peers: 10_000, lookups: 100_000 }),
  },
  {
    name: "bandwidth-share",
    tier: "full",
    expectedSeconds: 8,
    description: "carrier 'share', 10k peers, 1M transfers",
    run: () => benchBandwidth({ model: "share" }),
  },
  {
    name: "bandwidth-maxmin",
    tier: "full",
    expectedSeconds: 70,
    description: "carrier 'maxmin', 10k peers, 1M transfers",
    run: () => benchBandwidth({ model: "maxmin" }),
  },
  {
    name: "chord-churn-100k",
    tier: "large",
    expectedSeconds: 300,
    description: "scenarios/chord-churn.yaml at 100k peers, 10 simulated minutes",
    run: () => benchChordChurn({ name: "chord-churn-100k", peers: 100_000 }),
  },
  {
    name: "setup-kademlia-1m",
    tier: "full",
    expectedSeconds: 10,
    description: "oracle construction only, Kademlia, 1M peers (issue target 5 s: setup about 4.8 CPU s, 3,039 B per peer)",
    run: () => benchSetup({ name: "setup-kademlia-1m", overlay: "kademlia", peers: 1_000_000 }),
  },
  {
    name: "flooding",
    tier: "large",
    expectedSeconds: 430,
    description: "unstructured flooding, 10k peers, degree 8, TTL 4, 100k lookups (about 316M events)",
    run: () => benchFlooding(),
  },
  {
    name: "setup-chord-1m",
    tier: "full",
    expectedSeconds: 3,
    description: "oracle construction only, Chord (128-bit ids, 12 successors), 1M peers",
    run: () => benchSetup({ name: "setup-chord-1m", overlay: "chord", peers: 1_000_000 }),
  },
  {
    name: "setup-unstructured-1m",
    tier: "full",
    expectedSeconds: 10,
    description: "oracle construction only, unstructured (degree 8), 1M peers",
    run: () => benchSetup({ name: "setup-unstructured-1m", overlay: "unstructured", peers: 1_000_000 }),
  },
  {
    name: "chord-churn-1m",
    tier: "large",
    expectedSeconds: 3600,
    description: "scenarios/chord-churn.yaml at 1M peers, 10 simulated minutes: about 10^9 events, an hour or more, over 4 GB",
    run: () => benchChordChurn({ name: "chord-churn-1m", peers: 1_000_000 }),
  },
  {
    name: "chord-churn-1m-15s",
    tier: "large",
    expectedSeconds: 40,
    description: "chord-churn-1m's first 15 simulated seconds: 50k peers joining, 6.1 M events, about 30 CPU s, 1.3 GB",
    run: () => benchChordChurn({ name: "chord-churn-1m-15s", peers: 1_000_000, duration: "15s" }),
  },
  {
    name: "chord-churn-steady-10k",
    tier: "full",
    expectedSeconds: 12,
    description: "chord-churn with an oracle-built ring (no join phase), 10k peers, 10 simulated minutes, 8.1 M events: the steady state to compare sizes by",
    run: () => benchChordChurn({ name: "chord-churn-steady-10k", peers: 10_000, bootstrap: "oracle" }),
  },
  {
    name: "chord-churn-steady-100k-60s",
    tier: "large",
    expectedSeconds: 30,
    description: "chord-churn-steady at 100k peers, first 60 simulated seconds, 6.8 M events",
    run: () => benchChordChurn({ name: "chord-churn-steady-100k-60s", peers: 100_000, bootstrap: "oracle", duration: "60s" }),
  },
  {
    name: "engine-hold-4m",
    tier: "large",
    expectedSeconds: 8,
    description: "engine-hold with 4M events pending, about what chord-churn-steady-1m keeps queued (4.3 a peer: maintenance timers, churn, requests): the queue alone per event once its records leave the caches (about 2.6 times engine-hold's cost)",
    run: () => benchHold({ name: "engine-hold-4m", pending: 4_000_000 }),
  },
  {
    name: "chord-churn-steady-1m-15s",
    tier: "large",
    expectedSeconds: 140,
    description: "chord-churn-steady at 1M peers, first 15 simulated seconds (the first maintenance rounds), 19.5 M events, about 100 CPU s, about 3.8 GB",
    run: () => benchChordChurn({ name: "chord-churn-steady-1m-15s", peers: 1_000_000, bootstrap: "oracle", duration: "15s" }),
  },
  {
    name: "setup-chord-10m",
    tier: "large",
    expectedSeconds: 30,
    description: "oracle construction only, Chord, 10M peers (several GB)",
    run: () => benchSetup({ name: "setup-chord-10m", overlay: "chord", peers: 10_000_000 }),
  },
  {
    name: "bittorrent-1k",
    tier: "large",
    expectedSeconds: 35,
    description: "bittorrent-100 with 1,000 leechers (docs/bittorrent.md, Performance)",
    run: () => benchBittorrent({ name: "bittorrent-1k", peers: 1_000, ...LARGE_SWARM }),
  },
  {
    name: "bittorrent-rounds-1k",
    tier: "full",
    expectedSeconds: 10,
    description: "bittorrent-1k's flash crowd in execution rounds: one engine event per 1 s round moves every unchoked connection's bytes at max-min rates (docs/bittorrent.md, Rounds)",
    run: () => benchBittorrent({ name: "bittorrent-rounds-1k", peers: 1_000, execution: "rounds", roundLength: "1s" }),
  },
  {
    name: "bittorrent-rounds-10k",
    tier: "large",
    expectedSeconds: 90,
    description: "bittorrent-rounds-1k with 10,000 leechers: issue 19's target (60 s, 4 GB)",
    run: () => benchBittorrent({ name: "bittorrent-rounds-10k", peers: 10_000, execution: "rounds", roundLength: "1s" }),
  },
  {
    name: "bittorrent-100-exact-rates",
    tier: "large",
    expectedSeconds: 15,
    description: "bittorrent-100 with rates solved at every start and end and every HAVE sent (solveInterval 0, redundantHaves true): what those two options cost in accuracy and save",
    run: () => benchBittorrent({ name: "bittorrent-100-exact-rates", peers: 100, haveInterval: "5s" }),
  },
  {
    name: "bittorrent-1k-exact-rates",
    tier: "large",
    expectedSeconds: 60,
    description: "bittorrent-1k with rates solved at every start and end and every HAVE sent (solveInterval 0, redundantHaves true)",
    run: () => benchBittorrent({ name: "bittorrent-1k-exact-rates", peers: 1_000, haveInterval: "5s" }),
  },
  {
    name: "bittorrent-100-blocks",
    tier: "large",
    expectedSeconds: 60,
    description: "bittorrent-100-exact-rates with exact 16 KiB block transfers (transferUnit: block): what piece mode saves",
    run: () => benchBittorrent({ name: "bittorrent-100-blocks", peers: 100, haveInterval: "5s", transferUnit: "block" }),
  },
  {
    name: "bittorrent-1k-blocks",
    tier: "large",
    expectedSeconds: 900,
    description: "bittorrent-1k-exact-rates with exact 16 KiB block transfers (transferUnit: block)",
    run: () => benchBittorrent({ name: "bittorrent-1k-blocks", peers: 1_000, haveInterval: "5s", transferUnit: "block" }),
  },
  {
    name: "bittorrent-10k",
    tier: "large",
    expectedSeconds: 600,
    description: "the issue's target: bittorrent-100 with 10,000 leechers (estimated from 1,000; last run without solveInterval and redundantHaves: 709–910 CPU s)",
    run: () => benchBittorrent({ name: "bittorrent-10k", peers: 10_000, ...LARGE_SWARM }),
  },
  {
    name: "gossip",
    tier: "full",
    expectedSeconds: 16,
    description: "gossip rumour mongering cycle-driven (execution: cycles), 10^4 rumours on 10^4 peers (issue target 30 s: about 14 CPU s, 4 × 10^4 events)",
    run: () => benchGossip({ execution: "cycles" }),
  },
  {
    name: "gossip-events",
    tier: "large",
    expectedSeconds: 40,
    description: "gossip rumour mongering event-driven (execution: events), 200 rumours on 10^4 peers (about 1.6 × 10^7 events)",
    run: () => benchGossip({ name: "gossip-events", broadcasts: 200, execution: "events" }),
  },
  {
    name: "blockchain",
    tier: "large",
    expectedSeconds: 55,
    description: "blockchain, Gervais et al.'s setting: 6,000 nodes, 1,000 blocks of 1 MB every 10 min, bandwidth on (issue target 60 s: about 52 CPU s, 8.5 × 10^7 events)",
    run: () => benchBlockchain(),
  },
  {
    name: "ipfs",
    tier: "large",
    expectedSeconds: 60,
    description: "IPFS, 10k peers, 10k files, 100k retrievals (issue target 60 s: 52 to 55 s of wall clock, 56 to 60 CPU s on a quiet machine, 3.3 × 10^7 events, peak 1.2 GB)",
    run: () => benchIpfs(),
  },
];

export function findWorkload(name: string): Workload | undefined {
  return WORKLOADS.find((w) => w.name === name);
}
