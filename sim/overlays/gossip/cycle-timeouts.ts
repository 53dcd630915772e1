import type { PeerId } from "../../peers/population.js";
import type { PeerState, PeerStates } from "./state.js";

/**
 * Rumours pushed to offline partners in cycles (execution: cycles), waiting
 * for the timeout the event mode's request would have: sender, the state of
 * the sender's session, item and when it is due, oldest first. A timeout is
 * heard only by the session that pushed, as in the event mode.
 */
export class CycleTimeouts {
  private peer = new Int32Array(64);
  private item = new Int32Array(64);
  private due = new Float64Array(64);
  private readonly state: (PeerState | undefined)[] = [];
  private head = 0;
  private tail = 0;

  constructor(private readonly peers: PeerStates) {}

  add(peer: PeerId, id: number, dueMs: number): void {
    if (this.tail === this.peer.length) this.grow();
    const i = this.tail++;
    this.peer[i] = peer;
    this.item[i] = id;
    this.due[i] = dueMs;
    this.state[i] = this.peers.get(peer);
  }

  /** Calls `expired` for every timeout due by `nowMs` whose sender is still in the session that pushed. */
  run(nowMs: number, expired: (peer: PeerId, id: number) => void): void {
    while (this.head < this.tail && this.due[this.head]! <= nowMs) {
      const i = this.head++;
      const peer = this.peer[i]!;
      const state = this.state[i];
      this.state[i] = undefined;
      if (state !== undefined && this.peers.get(peer) === state) expired(peer, this.item[i]!);
    }
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  private grow(): void {
    // Moves the waiting entries to the front; grows only when more than half is in use.
    const live = this.tail - this.head;
    const cap = live * 2 > this.peer.length ? 2 * this.peer.length : this.peer.length;
    const move = <T extends Int32Array | Float64Array>(old: T, fresh: T): T => {
      fresh.set(old.subarray(this.head, this.tail) as never);
      return fresh;
    };
    this.peer = move(this.peer, new Int32Array(cap));
    this.item = move(this.item, new Int32Array(cap));
    this.due = move(this.due, new Float64Array(cap));
    const states = this.state.slice(this.head, this.tail);
    this.state.length = 0;
    this.state.push(...states);
    this.head = 0;
    this.tail = live;
  }
}
