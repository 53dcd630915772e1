import type { BlockTree, SettledHeight } from "./chain.js";
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
  "compactRoundTrips",
  "orphansReceived",
  "selfishReleases",
  "connectionsLost",
  "eclipsedBlocksMined",
] as const;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

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
