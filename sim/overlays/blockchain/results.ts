import type { BlockTree, SettledHeight } from "./chain.js";
import { round } from "../../metrics/stats.js";
import type { PeerId } from "../../peers/population.js";
import { CONNECTED, ORPHAN, UNKNOWN } from "./knowledge.js";
import type { HashPower } from "./mining.js";

/** Counters of the blockchain overlay (timeseries.csv columns and summary.json). */
export const BLOCKCHAIN_COUNTERS = [
  "blocksMined",
  "blocksMinedSelfish",
  "blocksMainChain",
  "blocksStale",
  "mainChainSelfish",
  "staleSelfish",
  "reorgs",
  "reorgDepthSum",
  "duplicateAnnouncements",
  "duplicateBlocks",
  "blockBytesSent",
  "blockRequestsTimedOut",
  "blockRequestsRetried",
  "compactRoundTrips",
  "orphansReceived",
  "selfishReleases",
  "connectionsLost",
  "eclipsedBlocksMined",
] as const;


/** summary.json `overlay`: stale rate, reorganisation depth, chain growth and the selfish pool's revenue share. */
export function blockchainSummary(counters: Readonly<Record<string, number>>, measuredSeconds: number): Record<string, number> {
  const main = counters["blocksMainChain"] ?? 0;
  const stale = counters["blocksStale"] ?? 0;
  const reorgs = counters["reorgs"] ?? 0;
  const settled = main + stale;
  return {
    staleRate: settled > 0 ? round(stale / settled, 6) : 0,
    reorgDepthMean: reorgs > 0 ? round((counters["reorgDepthSum"] ?? 0) / reorgs, 4) : 0,
    mainChainBlocksPerHour: measuredSeconds > 0 ? round((main / measuredSeconds) * 3600, 4) : 0,
    selfishRevenueShare: main > 0 ? round((counters["mainChainSelfish"] ?? 0) / main, 6) : 0,
    selfishStaleRate: (counters["blocksMinedSelfish"] ?? 0) > 0 ? round((counters["staleSelfish"] ?? 0) / (counters["blocksMinedSelfish"] ?? 1), 6) : 0,
  };
}

/**
 * What overlay.json holds for a blockchain run: the fork tree (every block,
 * its parent, miner, times and fate), reorganisation depths, and revenue
 * (main-chain blocks) against hash share per pool or miner class.
 */
export class ChainResults {
  private readonly reorgDepths = new Map<number, number>();
  private readonly mainBy = new Map<string, number>();
  private readonly staleBy = new Map<string, number>();

  reorg(depth: number): void {
    this.reorgDepths.set(depth, (this.reorgDepths.get(depth) ?? 0) + 1);
  }

  private static owner(tree: BlockTree, hash: HashPower, block: number): string {
    if (tree.selfish[block]) return "selfish";
    return hash.poolOf.get(tree.miner[block]!) ?? "honest";
  }

  settled(s: SettledHeight, tree: BlockTree, hash: HashPower): void {
    const o = ChainResults.owner(tree, hash, s.main);
    this.mainBy.set(o, (this.mainBy.get(o) ?? 0) + 1);
    for (const b of s.stale) {
      const so = ChainResults.owner(tree, hash, b);
      this.staleBy.set(so, (this.staleBy.get(so) ?? 0) + 1);
    }
  }

  toJson(tree: BlockTree, hash: HashPower): Record<string, unknown> {
    const blocks = [];
    for (let b = 1; b < tree.size; b++) {
      blocks.push({
        id: b,
        parent: tree.parent[b]!,
        height: tree.height[b]!,
        miner: tree.miner[b]!,
        minedMs: round(tree.minedMs[b]!, 3),
        publishedMs: Number.isNaN(tree.publishedMs[b]!) ? null : round(tree.publishedMs[b]!, 3),
        fate: tree.settled[b] === 1 ? "main" : tree.settled[b] === 0 ? "stale" : "open",
        ...(tree.selfish[b] ? { selfish: true } : {}),
      });
    }
    const mainTotal = [...this.mainBy.values()].reduce((s, x) => s + x, 0);
    const owners = [...new Set([...this.mainBy.keys(), ...this.staleBy.keys()])].sort();
    const shareOf = (owner: string) => {
      let share = 0;
      for (const [node, h] of hash.share) {
        const pool = hash.poolOf.get(node);
        if (pool === owner) share += h;
      }
      return share;
    };
    return {
      kind: "blockchain",
      blocks,
      reorgDepths: [...this.reorgDepths.entries()].sort((a, b) => a[0] - b[0]).map(([depth, count]) => ({ depth, count })),
      revenue: owners.map((owner) => ({
        owner,
        mainChainBlocks: this.mainBy.get(owner) ?? 0,
        staleBlocks: this.staleBy.get(owner) ?? 0,
        revenueShare: mainTotal > 0 ? round((this.mainBy.get(owner) ?? 0) / mainTotal, 6) : 0,
        ...(hash.poolOf.size > 0 && owner !== "selfish" && owner !== "honest" ? { hashShare: round(shareOf(owner), 6) } : {}),
      })),
      unsettledHeights: tree.unsettledHeights,
    };
  }
}

/** Blocks whose spread overlay.json keeps: the first main-chain blocks, plus the first stale block and the main-chain block that beat it. */
export const SPREAD_MAIN_BLOCKS = 3;
/** At most this many blocks (3 main + 1 stale + its rival), so overlay.json stays small: 6,000 nodes × 5 blocks × 2 times. */
export const SPREAD_MAX_BLOCKS = SPREAD_MAIN_BLOCKS + 2;

type Placement = { readonly x: number; readonly y: number } | undefined;

/**
 * When each node first heard of a block (asked for it, or got it pushed or
 * as a compact block) and when it had verified it, for a few sample blocks
 * (SPREAD_MAX_BLOCKS), so the viewer can replay a block's spread on the map.
 * Every block is watched until its height settles, since only then is it
 * known to be main or stale; blocks not kept are dropped at that moment, and
 * a block mined at a height already settled (by a node far behind) is never
 * watched, as the tree never settles it: so memory holds the unsettled
 * blocks only (about `confirmations` of them).
 */
export class SpreadRecord {
  /** Absolute ms per node, NaN for never; undefined for blocks not (or no longer) watched. */
  private readonly heard: (Float64Array | undefined)[] = [];
  private readonly verified: (Float64Array | undefined)[] = [];
  /** Blocks settled and not kept: never watched again. */
  private readonly dropped = new Set<number>();
  private readonly kept: number[] = [];
  private mainKept = 0;
  private staleKept = false;
  private settledHeight = 0;

  constructor(
    private readonly nodes: number,
    private readonly now: () => number,
    private readonly heightOf: (block: number) => number,
  ) {}

  /** `node`'s knowledge of `block` changed to `state` (knowledge.ts): anything but unknown is hearing, orphan or connected is having verified. */
  changed(block: number, node: PeerId, state: number): void {
    if (block === 0 || node >= this.nodes || state === UNKNOWN) return;
    let heard = this.heard[block];
    if (heard === undefined) {
      if (this.dropped.has(block)) return;
      if (this.heightOf(block) <= this.settledHeight) {
        this.dropped.add(block);
        return;
      }
      heard = this.heard[block] = new Float64Array(this.nodes).fill(NaN);
      this.verified[block] = new Float64Array(this.nodes).fill(NaN);
    }
    const t = this.now();
    if (Number.isNaN(heard[node]!)) heard[node] = t;
    if (state === ORPHAN || state === CONNECTED) {
      const verified = this.verified[block]!;
      if (Number.isNaN(verified[node]!)) verified[node] = t;
    }
  }

  /** Blocks whose times are held now (kept, or not settled yet): what memory grows with. */
  get watched(): number {
    let n = 0;
    for (const h of this.heard) if (h !== undefined) n++;
    return n;
  }

  settled(s: SettledHeight): void {
    this.settledHeight = Math.max(this.settledHeight, s.height);
    const keep = new Set<number>();
    if (this.mainKept < SPREAD_MAIN_BLOCKS) {
      keep.add(s.main);
      this.mainKept++;
    }
    if (!this.staleKept && s.stale.length > 0) {
      keep.add(s.stale[0]!);
      keep.add(s.main);
      this.staleKept = true;
    }
    for (const b of [s.main, ...s.stale]) {
      if (keep.has(b)) {
        if (!this.kept.includes(b)) this.kept.push(b);
        continue;
      }
      this.heard[b] = this.verified[b] = undefined;
      this.dropped.add(b);
    }
  }

  /**
   * overlay.json `spread`: per node, whole ms after the block was mined
   * (empty: never), and where each node sits if the latency model has a
   * plane; per-node lists are packed strings (see `packed`).
   */
  toJson(tree: BlockTree, placementOf: (node: PeerId) => Placement): Record<string, unknown> {
    const blocks = [...this.kept].sort((a, b) => a - b).map((b) => {
      const since = (times: Float64Array | undefined) => packed(Array.from(times ?? new Float64Array(this.nodes).fill(NaN), (t) => (Number.isNaN(t) ? null : Math.round(t - tree.minedMs[b]!))));
      return {
        id: b,
        height: tree.height[b]!,
        miner: tree.miner[b]!,
        fate: tree.settled[b] === 1 ? "main" : "stale",
        heardMs: since(this.heard[b]),
        verifiedMs: since(this.verified[b]),
      };
    });
    return { maxBlocks: SPREAD_MAX_BLOCKS, nodes: this.nodes, blocks, ...placementJson(this.nodes, placementOf) };
  }
}

/**
 * Node coordinates (ms, one decimal), or nothing when some node has no place
 * (non-spatial latency models). Region names and centres are in the
 * manifest's scenario, so they are not repeated here.
 */
function placementJson(nodes: number, placementOf: (node: PeerId) => Placement): Record<string, unknown> {
  const x: number[] = [];
  const y: number[] = [];
  for (let node = 0; node < nodes; node++) {
    const at = placementOf(node);
    if (at === undefined) return {};
    x.push(round(at.x, 1));
    y.push(round(at.y, 1));
  }
  return { placement: { x: packed(x), y: packed(y) } };
}

/**
 * Per-node values as one comma-separated string, node by node, empty for
 * null: overlay.json is indented, and a JSON array would put each of
 * thousands of numbers on a line of its own.
 */
function packed(values: readonly (number | null)[]): string {
  return values.map((v) => (v === null ? "" : String(v))).join(",");
}
