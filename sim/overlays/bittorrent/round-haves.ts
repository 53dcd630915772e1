/**
 * The pieces peers completed in a round, announced together at the start of
 * the next (execution: rounds). Kept flat rather than per peer: a receiver
 * looking up what a neighbour announced reads two typed arrays by peer
 * number instead of the neighbour's state, which in a large swarm is the
 * difference between a cache hit and a miss for every connection.
 */
export class RoundHaves {
  /** (peer, piece) pairs completed in the round under way. */
  private pendingPeer = new Int32Array(1024);
  private pendingPiece = new Int32Array(1024);
  private pending = 0;
  /** Announced now: the pieces of peer p are pieces[start[p] .. start[p] + count[p]). */
  private start = new Int32Array(64);
  private count = new Int32Array(64);
  pieces = new Int32Array(1024);
  private announcedPeers: number[] = [];

  /** `peer` completed `piece` in this round. */
  add(peer: number, piece: number): void {
    if (this.pending === this.pendingPeer.length) {
      this.pendingPeer = grown(this.pendingPeer, 2 * this.pending);
      this.pendingPiece = grown(this.pendingPiece, 2 * this.pending);
    }
    this.pendingPeer[this.pending] = peer;
    this.pendingPiece[this.pending++] = piece;
  }

  /** Makes the round's pieces the announced ones (by peer, each peer's in completion order); false if there are none. */
  announce(): boolean {
    for (const p of this.announcedPeers) this.count[p] = 0;
    this.announcedPeers = [];
    const n = this.pending;
    if (n === 0) return false;
    let maxPeer = 0;
    for (let i = 0; i < n; i++) maxPeer = Math.max(maxPeer, this.pendingPeer[i]!);
    if (maxPeer >= this.count.length) {
      this.count = grown(this.count, Math.max(maxPeer + 1, 2 * this.count.length));
      this.start = grown(this.start, this.count.length);
    }
    const count = this.count;
    for (let i = 0; i < n; i++) {
      const p = this.pendingPeer[i]!;
      if (count[p]!++ === 0) this.announcedPeers.push(p);
    }
    let at = 0;
    for (const p of this.announcedPeers) {
      this.start[p] = at;
      at += count[p]!;
      count[p] = 0;
    }
    if (this.pieces.length < n) this.pieces = new Int32Array(Math.max(n, 2 * this.pieces.length));
    for (let i = 0; i < n; i++) {
      const p = this.pendingPeer[i]!;
      this.pieces[this.start[p]! + count[p]!++] = this.pendingPiece[i]!;
    }
    this.pending = 0;
    return true;
  }

  /** Where `peer`'s announced pieces start in `pieces`. */
  startOf(peer: number): number {
    return this.start[peer]!;
  }

  /** How many pieces `peer` announced (0 for peers beyond any announcer). */
  countOf(peer: number): number {
    return peer < this.count.length ? this.count[peer]! : 0;
  }
}

function grown(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
