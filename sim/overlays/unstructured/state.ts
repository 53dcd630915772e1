import type { PeerId } from "../../peers/population.js";

/** What the requester of a search remembers while it runs. */
export interface ActiveSearch {
  key: number;
  /** Expanding ring: index of the ring now running. */
  ring: number;
  /** Peers whose hits failed verification (a tampered value): their further hits are ignored. */
  rejected?: PeerId[];
}

/**
 * One peer's session state. It is created when the peer joins and dropped
 * when it leaves or crashes; what a peer stores (its keys) lives elsewhere,
 * because files survive a user going offline.
 */
export class PeerState {
  readonly neighbours: PeerId[] = [];
  /** Connect requests sent and not yet answered, so repair does not overshoot. */
  pendingConnects = 0;
  /** True while a discovery round is in flight, so one runs at a time. */
  repairing = false;
  /** Searches this peer started and that are still running, by lookup id. */
  readonly searches = new Map<number, ActiveSearch>();

  isNeighbour(peer: PeerId): boolean {
    return this.neighbours.includes(peer);
  }

  addNeighbour(peer: PeerId): void {
    if (!this.neighbours.includes(peer)) this.neighbours.push(peer);
  }

  /** Removes `peer`; false if it was not a neighbour. */
  removeNeighbour(peer: PeerId): boolean {
    const i = this.neighbours.indexOf(peer);
    if (i < 0) return false;
    this.neighbours[i] = this.neighbours[this.neighbours.length - 1]!;
    this.neighbours.pop();
    return true;
  }
}
