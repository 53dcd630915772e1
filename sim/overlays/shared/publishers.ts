import type { PeerId } from "../../peers/population.js";

/**
 * Who publishes which item: the pool, in order, deals the items round-robin,
 * so item k's publisher is publishers[k mod length] and a peer publishes
 * items index, index + length, ... (Chord and Kademlia storage).
 */
export class Publishers {
  /** Each peer's place in `peers` (-1: publishes nothing). */
  private readonly index: Int32Array;

  constructor(
    private readonly peers: readonly PeerId[],
    readonly itemCount: number,
  ) {
    let size = 0;
    for (const p of peers) size = Math.max(size, p + 1);
    this.index = new Int32Array(size).fill(-1);
    peers.forEach((p, i) => (this.index[p] = i));
  }

  /** The first item `peer` publishes, or -1 when it publishes none. */
  firstItemOf(peer: PeerId): number {
    const first = peer < this.index.length ? this.index[peer]! : -1;
    return first < this.itemCount ? first : -1;
  }

  /** The items `peer` publishes, in order. */
  itemsOf(peer: PeerId): number[] {
    const out: number[] = [];
    const first = this.firstItemOf(peer);
    if (first < 0) return out;
    for (let item = first; item < this.itemCount; item += this.peers.length) out.push(item);
    return out;
  }
}
