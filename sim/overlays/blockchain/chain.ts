import type { PeerId } from "../../peers/population.js";

/**
 * Every block ever mined, as one tree rooted at the genesis block (id 0).
 * Blocks are content: the tree is what exists, not what any node knows (each
 * node's knowledge is kept in sim/overlays/blockchain/knowledge.ts).
 *
 * Settling: once the longest chain of all blocks mined so far (private ones
 * included, so a selfish pool's hidden lead counts) is `confirmations` blocks
 * above a height, the block of that height on it is main chain and every
 * other block of that height is stale. Each height is settled once; heights
 * still open when the run ends are not counted (results say how many).
 */
export interface SettledHeight {
  height: number;
  main: number;
  stale: readonly number[];
}

export class BlockTree {
  readonly parent: number[] = [-1];
  readonly height: number[] = [0];
  /** The node that mined it (-1 for genesis). */
  readonly miner: number[] = [-1];
  readonly minedMs: number[] = [0];
  /** When it became public (honest blocks: when mined; a selfish pool's: when released); NaN while private. */
  readonly publishedMs: number[] = [0];
  /** Mined by the selfish pool. */
  readonly selfish: boolean[] = [false];
  /** Its broadcast id once published (-1 before). */
  readonly broadcast: number[] = [-1];
  /** 1 main chain, 0 stale, -1 not settled yet. */
  readonly settled: number[] = [1];
  readonly children: number[][] = [[]];
  private readonly atHeight: number[][] = [[0]];
  /** The first block to reach the greatest height. */
  best = 0;
  private settledUpTo = 0;

  constructor(
    private readonly confirmations: number,
    private readonly onSettled: (s: SettledHeight) => void,
  ) {}

  get size(): number {
    return this.parent.length;
  }

  add(parent: number, miner: PeerId, nowMs: number, selfish: boolean, published: boolean): number {
    const id = this.parent.length;
    const height = this.height[parent]! + 1;
    this.parent.push(parent);
    this.height.push(height);
    this.miner.push(miner);
    this.minedMs.push(nowMs);
    this.publishedMs.push(published ? nowMs : NaN);
    this.selfish.push(selfish);
    this.broadcast.push(-1);
    this.settled.push(-1);
    this.children.push([]);
    this.children[parent]!.push(id);
    (this.atHeight[height] ??= []).push(id);
    if (height > this.height[this.best]!) {
      this.best = id;
      this.settle();
    }
    return id;
  }

  private settle(): void {
    const top = this.height[this.best]! - this.confirmations;
    while (this.settledUpTo < top) {
      const h = ++this.settledUpTo;
      const main = this.ancestorAt(this.best, h);
      const stale: number[] = [];
      for (const b of this.atHeight[h]!) {
        this.settled[b] = b === main ? 1 : 0;
        if (b !== main) stale.push(b);
      }
      this.onSettled({ height: h, main, stale });
    }
  }

  /** The ancestor of `block` at `height` (the block itself at its own height). */
  ancestorAt(block: number, height: number): number {
    let b = block;
    while (this.height[b]! > height) b = this.parent[b]!;
    return b;
  }

  /** True if `ancestor` is on the chain from genesis to `block`. */
  descends(block: number, ancestor: number): boolean {
    return this.height[block]! >= this.height[ancestor]! && this.ancestorAt(block, this.height[ancestor]!) === ancestor;
  }

  /** The last block two chains share. */
  commonAncestor(a: number, b: number): number {
    let x = a;
    let y = b;
    while (this.height[x]! > this.height[y]!) x = this.parent[x]!;
    while (this.height[y]! > this.height[x]!) y = this.parent[y]!;
    while (x !== y) {
      x = this.parent[x]!;
      y = this.parent[y]!;
    }
    return x;
  }

  /** Blocks a settled main chain would not include yet: heights above the last settled one. */
  get unsettledHeights(): number {
    return this.height[this.best]! - this.settledUpTo;
  }
}
