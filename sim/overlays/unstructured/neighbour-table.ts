import type { Rng } from "../../engine/rng.js";
import type { Message } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";

/**
 * Every peer's neighbours, in one typed array: peer p's record starts at
 * p·stride and holds its neighbour count, then its neighbours in the order
 * they were added (a removal moves the last one into the gap).
 *
 * Why not an array per peer: every query a flood delivers, and every ping,
 * reads the receiver's neighbours, and the receivers are spread at random
 * over all peers. An array per peer is two objects apart from the peer's
 * state, each a cache miss on a large network; here count and neighbours
 * sit side by side, in one or two cache lines.
 *
 * A record has room for `capacity` neighbours, doubled (every record moved)
 * the first time a peer needs more, up to the most any peer may have.
 */
export class NeighbourTable {
  private cells: Int32Array;
  /** Neighbours a record has room for; a record is capacity + 1 cells (the count first). */
  private capacity: number;
  private stride: number;

  /** `maxDegree`: the most neighbours any peer may have. */
  constructor(private readonly maxDegree: number) {
    this.capacity = Math.min(maxDegree, 15);
    this.stride = this.capacity + 1;
    this.cells = new Int32Array(1024 * this.stride);
  }

  /** How many neighbours `peer` has. */
  degree(peer: PeerId): number {
    const at = peer * this.stride;
    return at < this.cells.length ? this.cells[at]! : 0;
  }

  /** `peer`'s i-th neighbour, 0 ≤ i < degree(peer). */
  at(peer: PeerId, i: number): PeerId {
    return this.cells[peer * this.stride + 1 + i]!;
  }

  /** One of `peer`'s neighbours, uniformly (the same draw as `rng.pick` over its list); it must have one. */
  random(peer: PeerId, rng: Rng): PeerId {
    return this.at(peer, rng.int(this.degree(peer)));
  }

  has(peer: PeerId, other: PeerId): boolean {
    const at = peer * this.stride;
    if (at >= this.cells.length) return false;
    const cells = this.cells;
    const end = at + 1 + cells[at]!;
    for (let i = at + 1; i < end; i++) if (cells[i] === other) return true;
    return false;
  }

  /** Adds `other` to `peer`'s neighbours, last, unless it is one already. */
  add(peer: PeerId, other: PeerId): void {
    if (this.has(peer, other)) return;
    const n = this.degree(peer);
    if (n >= this.capacity) this.makeRoom(n + 1);
    this.reach(peer);
    const at = peer * this.stride;
    this.cells[at + 1 + n] = other;
    this.cells[at] = n + 1;
  }

  /** Removes `other` from `peer`'s neighbours; false if it was not one. */
  remove(peer: PeerId, other: PeerId): boolean {
    const at = peer * this.stride;
    if (at >= this.cells.length) return false;
    const cells = this.cells;
    const last = at + cells[at]!;
    for (let i = at + 1; i <= last; i++) {
      if (cells[i] !== other) continue;
      cells[i] = cells[last]!;
      cells[at] = last - at - 1;
      return true;
    }
    return false;
  }

  /** `peer` has no neighbours any more (its session ended, or a new one starts). */
  clear(peer: PeerId): void {
    const at = peer * this.stride;
    if (at < this.cells.length) this.cells[at] = 0;
  }

  /** `peer`'s neighbours as a fresh array, in order. */
  list(peer: PeerId): PeerId[] {
    const n = this.degree(peer);
    const out: PeerId[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.at(peer, i);
    return out;
  }

  /** Grows the array so that `peer` has a record. */
  private reach(peer: PeerId): void {
    const need = (peer + 1) * this.stride;
    if (need <= this.cells.length) return;
    const bigger = new Int32Array(Math.max(need, 2 * this.cells.length));
    bigger.set(this.cells);
    this.cells = bigger;
  }

  /** Doubles every record's room (at least to `degree`, at most to maxDegree). */
  private makeRoom(degree: number): void {
    if (degree > this.maxDegree) throw new Error(`unstructured: a peer would have ${degree} neighbours, more than maxDegree ${this.maxDegree}`);
    const capacity = Math.min(this.maxDegree, Math.max(degree, 2 * this.capacity));
    const stride = capacity + 1;
    const peers = Math.ceil(this.cells.length / this.stride);
    const cells = new Int32Array(peers * stride);
    for (let p = 0; p < peers; p++) cells.set(this.cells.subarray(p * this.stride, p * this.stride + 1 + this.cells[p * this.stride]!), p * stride);
    this.cells = cells;
    this.capacity = capacity;
    this.stride = stride;
  }
}

/**
 * Sends `msg` from `peer` to each of its neighbours but `except` (-1: to
 * all), in neighbour order: one flood step. The one message object serves
 * every neighbour, since messages are never changed once sent.
 */
export function sendToNeighbours<M extends Message>(
  send: { send(from: PeerId, to: PeerId, msg: M): void },
  table: NeighbourTable,
  peer: PeerId,
  except: PeerId,
  msg: M,
): void {
  const degree = table.degree(peer);
  for (let i = 0; i < degree; i++) {
    const n = table.at(peer, i);
    if (n !== except) send.send(peer, n, msg);
  }
}
