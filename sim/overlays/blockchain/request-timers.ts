import type { PeerId } from "../../peers/population.js";

/**
 * Each node's latest block request timeout, so that the block's arrival can
 * cancel it. A timeout that finds its block arrived does nothing, and nearly
 * every request is answered in time, so left to fire these timers were one
 * event per block and node (about 6 % of a block's spread) that changed
 * nothing. A block is never requested again once it arrived (within a
 * session a node's knowledge of a block only moves on from verifying), so
 * cancelling then changes nothing but the event count.
 *
 * Only the latest timeout per node is kept, in two typed arrays (one load
 * each, where a list per node cost a cache miss per block): a node nearly
 * always has one request out at a time, and an older timeout left in place
 * fires and finds nothing to do, as every timeout did before.
 */
export class RequestTimers {
  /** The block of each node's latest request timeout, -1 for none. */
  private block = new Int32Array(64).fill(-1);
  private handle = new Float64Array(64);

  /** `node` asked for `block`; `handle` is its timeout's timer. */
  set(node: PeerId, block: number, handle: number): void {
    if (node >= this.block.length) this.grow(node);
    this.block[node] = block;
    this.handle[node] = handle;
  }

  /**
   * `block` arrived at `node`: hands its timeout to `cancel` if it is the
   * latest (a handle whose timer already fired is cancelled as a no-op).
   */
  arrived(node: PeerId, block: number, cancel: (handle: number) => void): void {
    if (node >= this.block.length || this.block[node] !== block) return;
    this.block[node] = -1;
    cancel(this.handle[node]!);
  }

  /** `node` went offline: its timers died with its session. */
  clear(node: PeerId): void {
    if (node < this.block.length) this.block[node] = -1;
  }

  private grow(node: PeerId): void {
    let size = this.block.length;
    while (size <= node) size *= 2;
    const block = new Int32Array(size).fill(-1);
    block.set(this.block);
    this.block = block;
    const handle = new Float64Array(size);
    handle.set(this.handle);
    this.handle = handle;
  }
}
