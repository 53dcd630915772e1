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
 * Every peer's session state, by peer number. Whether a peer is in a
 * session is also kept as one byte per peer: every delivered message asks
 * that of its receiver first, and a compact byte array stays in cache where
 * an array of a pointer per peer (80 kB at 10,000 peers) did not.
 */
export class PeerStates {
  private readonly states: (PeerState | undefined)[] = [];
  private live = new Uint8Array(1024);

  /** The state of `peer`'s session, or undefined when it has none. */
  get(peer: PeerId): PeerState | undefined {
    return this.states[peer];
  }

  /** True while `peer` has a session. */
  has(peer: PeerId): boolean {
    return peer < this.live.length && this.live[peer] === 1;
  }

  /** `peer` starts a session, with a fresh state. */
  start(peer: PeerId): PeerState {
    if (peer >= this.live.length) {
      const bigger = new Uint8Array(Math.max(peer + 1, 2 * this.live.length));
      bigger.set(this.live);
      this.live = bigger;
    }
    const state = new PeerState();
    this.states[peer] = state;
    this.live[peer] = 1;
    return state;
  }

  /** `peer`'s session ended (it left or crashed). */
  end(peer: PeerId): void {
    this.states[peer] = undefined;
    if (peer < this.live.length) this.live[peer] = 0;
  }

  /** Calls `fn` for every peer in a session, in peer order. */
  forEachInSession(fn: (peer: PeerId) => void): void {
    this.states.forEach((state, peer) => {
      if (state) fn(peer);
    });
  }
}
