import type { Rng } from "../../engine/rng.js";
import type { PeerId } from "../../peers/population.js";
import type { BlockchainOptions } from "./options.js";

/**
 * Hash power: each node's share of all mining. Mining is memoryless, so all
 * miners together find blocks as a Poisson process of mean `interval`, and a
 * node with share h finds its next block after an exponential time of mean
 * interval / h — drawn afresh whenever it comes online, which is exact for a
 * memoryless process. Offline miners do not mine: blocks come slower when
 * hash power leaves, as they would until the difficulty adjusts.
 */
export class HashPower {
  readonly share = new Map<PeerId, number>();
  /** Pool name of each pool node. */
  readonly poolOf = new Map<PeerId, string>();

  constructor(options: BlockchainOptions["mining"], nodes: readonly PeerId[], rng: Rng) {
    if (options.pools) {
      const chosen = rng.sample(nodes, Math.min(options.pools.length, nodes.length));
      options.pools.forEach((pool, i) => {
        const node = chosen[i];
        if (node === undefined || pool.share === 0) return;
        this.share.set(node, pool.share);
        this.poolOf.set(node, pool.name);
      });
      return;
    }
    const raw = nodes.map(() => (options.hashPower === "equal" ? 1 : rng.exponential(1)));
    const total = raw.reduce((s, x) => s + x, 0);
    nodes.forEach((node, i) => this.share.set(node, raw[i]! / total));
  }

  of(node: PeerId): number {
    return this.share.get(node) ?? 0;
  }
}
