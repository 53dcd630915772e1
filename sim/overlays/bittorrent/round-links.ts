import type { PeerId } from "../../peers/population.js";
import { RoundHaves } from "./round-haves.js";
import type { FlowConnection } from "./round-swarm.js";
import type { Connection, PeerState } from "./state.js";

/**
 * Who is connected to whom in execution: rounds, and what each peer knows
 * of its neighbours' pieces: each peer's connections in opening order
 * (with each one's remote peer and slot beside it, in plain arrays), every
 * peer's pieces as one flat matrix, and the HAVEs of the last round. The
 * round's two per-connection sweeps, delivering HAVEs and working out
 * interest at a rechoke, read these rather than the connection objects and
 * the neighbours' states, which in a large swarm would cost a cache miss
 * each.
 */
export class RoundLinks {
  private readonly links: FlowConnection[][] = [];
  private readonly linkPeers: number[][] = [];
  private readonly linkSlots: number[][] = [];
  /** Every peer's pieces as rows of 32-bit words by peer, and how many it has. */
  private haveRows = new Uint32Array(0);
  private haveCounts = new Int32Array(0);
  private readonly haves = new RoundHaves();

  /** `state` takes part (again): its lists exist, and its row holds its pieces. */
  arrive(state: PeerState): void {
    const peer = state.peer;
    this.links[peer] ??= [];
    this.linkPeers[peer] ??= [];
    this.linkSlots[peer] ??= [];
    const words = state.pieceWords;
    if ((peer + 1) * words > this.haveRows.length) {
      const peers = Math.max(peer + 1, 2 * this.haveCounts.length, 64);
      const rows = new Uint32Array(peers * words);
      rows.set(this.haveRows);
      this.haveRows = rows;
      const counts = new Int32Array(peers);
      counts.set(this.haveCounts);
      this.haveCounts = counts;
    }
    this.haveRows.set(state.haveBits, peer * words);
    this.haveCounts[peer] = state.haveCount;
  }

  /** `state` opened `c` (to `c.peer`), already attached to a slot. */
  opened(state: PeerState, c: FlowConnection): void {
    this.links[state.peer]!.push(c);
    this.linkPeers[state.peer]!.push(c.peer);
    this.linkSlots[state.peer]!.push(c.slot);
  }

  /** `state` closed `c`. */
  closed(state: PeerState, c: FlowConnection): void {
    const links = this.links[state.peer]!;
    const i = links.indexOf(c);
    links.splice(i, 1);
    this.linkPeers[state.peer]!.splice(i, 1);
    this.linkSlots[state.peer]!.splice(i, 1);
  }

  /** `state` verified `piece` in this round: its row has it now, its neighbours hear of it at the next round. */
  gotPiece(state: PeerState, piece: number): void {
    this.haveRows[state.peer * state.pieceWords + (piece >> 5)]! |= 1 << (piece & 31);
    this.haveCounts[state.peer]!++;
    this.haves.add(state.peer, piece);
  }

  /**
   * Pieces completed in the last round reach every connection now (one batched HAVE each).
   * Receivers in the outer loop: each one's arrays stay in cache while it hears from all its
   * neighbours, which is most of a large swarm's work. A peer with every piece picks nothing,
   * so what its neighbours have no longer matters to it.
   */
  deliverHaves(states: readonly (PeerState | undefined)[]): void {
    const haves = this.haves;
    if (!haves.announce()) return;
    const pieces = haves.pieces;
    for (const state of states) {
      if (state === undefined || !state.active || state.complete) continue;
      const peers = this.linkPeers[state.peer]!;
      const slots = this.linkSlots[state.peer]!;
      for (let i = 0; i < peers.length; i++) {
        const count = haves.countOf(peers[i]!);
        if (count === 0) continue;
        const from = haves.startOf(peers[i]!);
        state.learnSlot(slots[i]!, pieces, from, from + count);
      }
    }
  }

  /**
   * Who is interested in `state` now, and in whom it is, from what each side knows of the
   * other's pieces: the event-level swarm keeps this up to date with every HAVE; a round works
   * it out when a rechoke reads it, which gives the same answer for much less work. Only
   * `state`'s side is set: the other side's flags are its own rechoke's business.
   */
  refreshInterest(state: PeerState): void {
    // A neighbour knows every piece we had when this round began (HAVEs are delivered first), so
    // it is interested if it lacks one of ours. Only the connections of interested peers are
    // touched: the choker reads nothing else (peerInterested is cleared on the last list first).
    for (const c of state.interestedPeers) c.peerInterested = false;
    const interested: Connection[] = [];
    const links = this.links[state.peer]!;
    const peers = this.linkPeers[state.peer]!;
    const slots = this.linkSlots[state.peer]!;
    const words = state.pieceWords;
    const mine = state.haveBits;
    const rows = this.haveRows;
    const counts = this.haveCounts;
    const pieces = state.pieces;
    for (let i = 0; i < peers.length; i++) {
      const remote: PeerId = peers[i]!;
      if (counts[remote] === pieces) continue;
      const at = remote * words;
      let lacks = false;
      for (let w = 0; w < words; w++) {
        if ((mine[w]! & ~rows[at + w]!) !== 0) {
          lacks = true;
          break;
        }
      }
      if (!lacks) continue;
      const c = links[i]!;
      c.peerInterested = true;
      c.amInterested = !state.complete && state.wantsFrom(slots[i]!);
      interested.push(c);
    }
    state.interestedPeers = interested;
  }
}
