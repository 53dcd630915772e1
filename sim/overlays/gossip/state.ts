import type { PeerId } from "../../peers/population.js";
import type { ItemStore } from "./items.js";

/** One online peer's recent-update list and hot rumours (item ids; the items themselves are in ItemStore). */
export class PeerState {
  /** Item ids in the order they arrived: the digest offered in exchanges; the ones before `recentStart` were pruned. */
  readonly recent: number[] = [];
  recentStart = 0;
  /** Rumours this peer is hot about, in the order it became hot, and the contacts counted toward losing interest in each. */
  readonly hotIds: number[] = [];
  readonly hotContacts: number[] = [];

  /** Items the peer holds: its recent list, since items leave both together. */
  get knownCount(): number {
    return this.recent.length - this.recentStart;
  }

  recentIds(): number[] {
    return this.recent.slice(this.recentStart);
  }
}

/**
 * The state of every online peer, with the two facts a round looks at first
 * in typed arrays indexed by peer: how many rumours it is hot about, and when
 * the oldest item of its recent list goes stale. Rounds of all peers fire
 * together (synchronous timing), so a round of an idle peer reads two
 * neighbouring array slots and leaves its state object alone.
 */
export class PeerStates {
  private readonly states: (PeerState | undefined)[] = [];
  /** When each peer's oldest recent item leaves its memory: pruning is due once the clock passes it (Infinity: nothing to prune). */
  private staleAt: Float64Array;
  /** Rumours each peer is hot about. */
  hotCount: Int32Array;
  /** 1 while the peer is online: a byte per peer, read where a whole population is walked (cycles). */
  online8: Uint8Array;

  constructor(
    capacity: number,
    private readonly items: ItemStore,
    private readonly memoryMs: number,
  ) {
    this.staleAt = new Float64Array(Math.max(1, capacity)).fill(Infinity);
    this.hotCount = new Int32Array(Math.max(1, capacity));
    this.online8 = new Uint8Array(Math.max(1, capacity));
  }

  get(peer: PeerId): PeerState | undefined {
    return this.states[peer];
  }

  /** `peer` comes online with nothing. */
  start(peer: PeerId): PeerState {
    if (this.states[peer] !== undefined) this.stop(peer);
    if (peer >= this.staleAt.length) this.grow(peer);
    const state = new PeerState();
    this.states[peer] = state;
    this.online8[peer] = 1;
    this.staleAt[peer] = Infinity;
    this.hotCount[peer] = 0;
    return state;
  }

  /** `peer` goes offline: what it held is gone with its session. */
  stop(peer: PeerId): void {
    const state = this.states[peer];
    if (state === undefined) return;
    for (let i = state.recentStart; i < state.recent.length; i++) this.items.remove(state.recent[i]!, peer);
    this.states[peer] = undefined;
    this.online8[peer] = 0;
    this.staleAt[peer] = Infinity;
    this.hotCount[peer] = 0;
  }

  /** `peer` now holds item `id`. */
  add(peer: PeerId, state: PeerState, id: number, nowMs: number): void {
    this.items.add(id, peer, nowMs);
    if (state.recentStart === state.recent.length) this.staleAt[peer] = this.items.publishedMsOf(id) + this.memoryMs;
    state.recent.push(id);
  }

  /** Forgets items published more than `memory` ago, oldest arrival first: they leave the digest, and late copies are ignored. */
  prune(peer: PeerId, state: PeerState, nowMs: number): void {
    if (!(this.staleAt[peer]! < nowMs)) return;
    const recent = state.recent;
    let start = state.recentStart;
    let staleAt = Infinity;
    while (start < recent.length) {
      const id = recent[start]!;
      const until = this.items.publishedMsOf(id) + this.memoryMs;
      if (until >= nowMs) {
        staleAt = until;
        break;
      }
      this.items.remove(id, peer);
      start++;
    }
    this.staleAt[peer] = staleAt;
    if (start > 64 && start * 2 > recent.length) {
      recent.splice(0, start);
      start = 0;
    }
    state.recentStart = start;
  }

  addHot(peer: PeerId, state: PeerState, id: number): void {
    state.hotIds.push(id);
    state.hotContacts.push(0);
    this.hotCount[peer]!++;
  }

  removeHot(peer: PeerId, state: PeerState, index: number): void {
    state.hotIds.splice(index, 1);
    state.hotContacts.splice(index, 1);
    this.hotCount[peer]!--;
  }

  /** Writes every online peer into `out` in ascending order and returns how many there are. */
  onlineAscending(out: Int32Array): number {
    let m = 0;
    for (let peer = 0; peer < this.states.length; peer++) if (this.states[peer] !== undefined) out[m++] = peer;
    return m;
  }

  /** Peers the state arrays have room for: every id ever started is below it. */
  get capacity(): number {
    return this.hotCount.length;
  }

  /** Every online peer's state, in peer order. */
  *online(): IterableIterator<[PeerId, PeerState]> {
    for (let peer = 0; peer < this.states.length; peer++) {
      const state = this.states[peer];
      if (state !== undefined) yield [peer, state];
    }
  }

  private grow(peer: PeerId): void {
    const cap = Math.max(peer + 1, 2 * this.staleAt.length);
    const staleAt = new Float64Array(cap).fill(Infinity);
    staleAt.set(this.staleAt);
    this.staleAt = staleAt;
    const hot = new Int32Array(cap);
    hot.set(this.hotCount);
    this.hotCount = hot;
    const online = new Uint8Array(cap);
    online.set(this.online8);
    this.online8 = online;
  }
}
