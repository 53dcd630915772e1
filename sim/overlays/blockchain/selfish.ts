import type { PeerId } from "../../peers/population.js";
import type { BlockTree } from "./chain.js";

/**
 * Selfish mining (Eyal & Sirer, "Majority is not enough", FC 2014, Algorithm 1),
 * run by the peers whose adversary behaviour is "selfish": they mine together
 * as one pool on a private chain and release blocks only to waste honest work.
 *
 * - The pool finds a block: it keeps it private. If it was racing (it had
 *   released a block that tied an honest one), it releases the new block at
 *   once and wins the race.
 * - The public chain grows to height h (an honest block the pool has heard of):
 *   if the pool's chain is not longer, it gives up its private blocks and mines
 *   on the new block; if its lead drops to 0, it releases its block (a race);
 *   to 1, it releases everything (it wins); more, it releases its blocks up to
 *   height h, keeping the rest.
 */
export class SelfishPool {
  /** The block the pool mines on. */
  tip = 0;
  /** Private blocks, oldest first. */
  private hidden: number[] = [];
  /** Height of the longest public chain the pool knows. */
  private publicHeight = 0;
  /** The pool released a block that ties an honest one: honest miners are split between them. */
  racing = false;
  /** The honest block the pool's released block is racing against. */
  rival = -1;

  constructor(
    private readonly tree: BlockTree,
    /** Makes blocks public: broadcast ids, and the pool's nodes announce them. */
    private readonly release: (blocks: readonly number[]) => void,
  ) {}

  /** The pool mined `block` on `tip`. */
  mined(block: number): void {
    this.tip = block;
    this.hidden.push(block);
    if (this.racing) {
      this.racing = false;
      this.releaseUpTo(this.tree.height[block]!);
    }
  }

  /** A pool node connected honest block `block`. */
  heard(block: number, _from: PeerId): void {
    const h = this.tree.height[block]!;
    if (h <= this.publicHeight) return;
    this.publicHeight = h;
    const ours = this.tree.height[this.tip]!;
    if (h > ours) {
      this.tip = block;
      this.hidden = [];
      this.racing = false;
      return;
    }
    // Nothing hidden and a public chain at least as long: keep mining on it (first seen wins a tie).
    if (this.hidden.length === 0) return;
    const lead = ours - h;
    if (lead === 0) {
      this.releaseUpTo(h);
      this.racing = true;
      this.rival = block;
    } else if (lead === 1) {
      this.releaseUpTo(ours);
      this.racing = false;
    } else {
      this.releaseUpTo(h);
    }
  }

  private releaseUpTo(height: number): void {
    const out: number[] = [];
    while (this.hidden.length > 0 && this.tree.height[this.hidden[0]!]! <= height) out.push(this.hidden.shift()!);
    if (out.length > 0) this.release(out);
  }
}
