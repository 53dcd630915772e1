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
 * because files survive a user going offline. Its neighbours are in the
 * NeighbourTable (neighbour-table.ts), one typed array for all peers,
 * emptied when the session ends.
 */
export class PeerState {
  /** Connect requests sent and not yet answered, so repair does not overshoot. */
  pendingConnects = 0;
  /** True while a discovery round is in flight, so one runs at a time. */
  repairing = false;
  /** Searches this peer started and that are still running, by lookup id. */
  readonly searches = new Map<number, ActiveSearch>();
}

/**
 * True while `peer` has a session. A comparison with undefined rather than a
 * truthiness test: testing an object's truthiness reads the object itself
 * (a cache miss per message on a large network), comparing reads only the
 * pointer in the array.
 */
export function inSession(states: readonly (PeerState | undefined)[], peer: PeerId): boolean {
  return states[peer] !== undefined;
}
