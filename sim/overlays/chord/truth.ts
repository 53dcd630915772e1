import type { PeerId } from "../../peers/population.js";
import { approxOf, type ChordTables } from "./tables.js";

/**
 * The true ring: every online peer sorted by id. Only the oracle bootstrap
 * and the observers (wrong-owner check, ring health) read it; the protocol
 * never does. It follows the peers' joins, leaves and crashes, which the
 * simulation reports to the overlay as they happen (the same set
 * ctx.livePeers() returns).
 */
export class TrueRing {
  /** Online peers in id order. */
  peers: PeerId[] = [];
  /**
   * The approximations of `peers`' ids in ring order, while the ring is as
   * `build` left it (cleared by any join or leave): ids are uniform, so a
   * search can start where the id should be and stay within a few cache lines.
   */
  private keys: Float64Array | null = null;

  constructor(private readonly t: ChordTables) {}

  /** Rebuilds the ring from a set of peers. */
  build(peers: readonly PeerId[]): void {
    const { approx } = this.t;
    const sorted = Int32Array.from(peers);
    sorted.sort((a, b) => approx[a]! - approx[b]! || this.cmpPeers(a, b));
    this.peers = Array.from(sorted);
    this.keys = Float64Array.from(sorted, (p) => approx[p]!);
  }

  insert(peer: PeerId): void {
    const t = this.t;
    const at = this.lowerBound(t.ids, peer * t.W, t.approx[peer]!);
    this.peers.splice(at, 0, peer);
    this.keys = null;
  }

  remove(peer: PeerId): void {
    const at = this.indexOf(peer);
    if (at >= 0) this.peers.splice(at, 1);
    this.keys = null;
  }

  /** Position of `peer` in the ring, or -1. */
  indexOf(peer: PeerId): number {
    const t = this.t;
    for (let i = this.lowerBound(t.ids, peer * t.W, t.approx[peer]!); i < this.peers.length; i++) {
      if (this.peers[i] === peer) return i;
      if (this.cmpPeers(this.peers[i]!, peer) !== 0) break;
    }
    return -1;
  }

  /** The online peer that owns `target`: the first whose id is ≥ it, wrapping round; -1 if nobody is online. */
  owner(target: Uint32Array, to: number): PeerId {
    if (this.peers.length === 0) return -1;
    const at = this.lowerBound(target, to, approxOf(target, to, this.t.W));
    return this.peers[at === this.peers.length ? 0 : at]!;
  }

  /** First position whose peer's id is ≥ the given id (peers.length if none). */
  lowerBound(id: Uint32Array, io: number, approx: number): number {
    const { approx: ap, ids, W, space } = this.t;
    const peers = this.peers;
    let lo = 0;
    let hi = peers.length;
    const keys = this.keys;
    if (keys !== null && hi > 64) {
      // Guess the position from the id, then widen a bracket around the guess until it holds the answer.
      const first = keys[0]!;
      const span = keys[hi - 1]! - first;
      let guess = span > 0 ? Math.floor(((approx - first) / span) * hi) : 0;
      guess = guess < 0 ? 0 : guess >= hi ? hi - 1 : guess;
      let step = 16;
      let a = guess;
      while (a > 0 && keys[a]! >= approx) {
        a = Math.max(0, a - step);
        step *= 2;
      }
      step = 16;
      let b = guess;
      while (b < hi && keys[b]! <= approx) {
        b = Math.min(hi, b + step);
        step *= 2;
      }
      // Now keys[a] < approx (or a = 0) and keys[b] > approx (or b = hi): the answer lies in [a, b].
      // (Equal approximations are common: a finger start id + 2^i for small i has the peer's own.)
      lo = a;
      hi = b;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = peers[mid]!;
      const a = ap[p]!;
      if (a < approx || (a === approx && space.cmp(ids, p * W, id, io) < 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private cmpPeers(a: PeerId, b: PeerId): number {
    const { ids, W, space } = this.t;
    return space.cmp(ids, a * W, ids, b * W) || a - b;
  }

  /**
   * The correct finger table of the peer at ring position `at`, written to
   * out[o..o+m): finger i is the owner of id + 2^i. Distinct fingers are found
   * by one search each and the levels between them filled in, so this costs
   * about log2 N searches rather than m.
   */
  fingersOf(at: number, out: Int32Array, scratch: Uint32Array, o = 0): void {
    const { ids, W, m, space } = this.t;
    const peer = this.peers[at]!;
    const pw = peer * W;
    let i = 0;
    while (i < m) {
      space.addPow2(ids, pw, i, scratch, 0);
      const owner = this.owner(scratch, 0);
      if (owner === peer) {
        out.fill(peer, o + i, o + m);
        return;
      }
      const top = Math.max(i, Math.min(space.distanceLog2(ids, pw, ids, owner * W), m - 1));
      out.fill(owner, o + i, o + top + 1);
      i = top + 1;
    }
  }
}
