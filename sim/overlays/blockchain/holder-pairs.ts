import type { PeerId } from "../../peers/population.js";

/**
 * Per node, a list of (block, neighbour) pairs: the neighbours known to have
 * a block the node has not connected yet (see Relay.haveIt). All nodes'
 * lists share one typed array, each in a fixed stretch of `stride` pairs at
 * node · stride, so adding a pair on a message's arrival reaches one place
 * in memory: with an object and an array per node it took three loads that
 * each missed the cache, for most messages of a block's spread.
 *
 * A stretch fills and empties with every block, and holds about a node's
 * number of neighbours at most; when one overflows, every stretch doubles
 * (O(nodes · stride), rarely: the stride only ever grows).
 *
 * Callers that filter a list walk `data` from `start(node)` and set its
 * length with `setSize`.
 */
export class HolderPairs {
  /** Pairs per node's stretch. */
  private stride = 16;
  private nodes = 64;
  /** block, neighbour, block, neighbour, …: node n's pairs start at start(n). */
  data = new Int32Array(2 * this.stride * this.nodes);
  /** Pairs in each node's list. */
  private sizes = new Int32Array(this.nodes);

  /** Index in `data` of `node`'s first pair. */
  start(node: PeerId): number {
    return 2 * this.stride * node;
  }

  size(node: PeerId): number {
    return node < this.nodes ? this.sizes[node]! : 0;
  }

  /** Keeps the first `pairs` of `node`'s list (after a caller's filtering). */
  setSize(node: PeerId, pairs: number): void {
    if (node < this.nodes) this.sizes[node] = pairs;
  }

  push(node: PeerId, block: number, neighbour: PeerId): void {
    if (node >= this.nodes) this.growNodes(node);
    const n = this.sizes[node]!;
    if (n === this.stride) this.growStride();
    const i = 2 * (this.stride * node + n);
    this.data[i] = block;
    this.data[i + 1] = neighbour;
    this.sizes[node] = n + 1;
  }

  clear(node: PeerId): void {
    this.setSize(node, 0);
  }

  private growNodes(node: PeerId): void {
    let nodes = this.nodes;
    while (nodes <= node) nodes *= 2;
    const data = new Int32Array(2 * this.stride * nodes);
    data.set(this.data);
    this.data = data;
    const sizes = new Int32Array(nodes);
    sizes.set(this.sizes);
    this.sizes = sizes;
    this.nodes = nodes;
  }

  private growStride(): void {
    const stride = 2 * this.stride;
    const data = new Int32Array(2 * stride * this.nodes);
    for (let node = 0; node < this.nodes; node++) {
      const from = 2 * this.stride * node;
      data.set(this.data.subarray(from, from + 2 * this.sizes[node]!), 2 * stride * node);
    }
    this.data = data;
    this.stride = stride;
  }
}
