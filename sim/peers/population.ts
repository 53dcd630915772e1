/**
 * Who exists and who is online. Peers are dense integer ids (0, 1, 2, ...)
 * so per-peer facts live in typed arrays indexed by id. The live set is kept
 * as a dense array with a position index, which gives O(1) join, departure
 * and uniform sampling, in an order that depends only on simulated events.
 */
import type { PeerId } from "../core/peer.js";

export type { PeerId };

export class Population {
  private onlineFlag = new Uint8Array(1024);
  /** Bumped each time a peer comes online, so stale timers and replies can be told apart. */
  private sessionOf = new Int32Array(1024);
  private live: PeerId[] = [];
  private livePos = new Int32Array(1024).fill(-1);
  private created = 0;

  /** Number of peers ever created. */
  get size(): number {
    return this.created;
  }

  /** Number of peers online now. */
  get liveCount(): number {
    return this.live.length;
  }

  /** Creates a new, offline peer. */
  create(): PeerId {
    const id = this.created++;
    if (id >= this.onlineFlag.length) this.grow();
    return id;
  }

  isOnline(peer: PeerId): boolean {
    return this.onlineFlag[peer] === 1;
  }

  /** The current session number of `peer` (changes every time it comes online). */
  session(peer: PeerId): number {
    return this.sessionOf[peer]!;
  }

  /** Peers online now, in a deterministic order. Do not modify. */
  livePeers(): readonly PeerId[] {
    return this.live;
  }

  /** A uniformly chosen online peer, or -1 if none. */
  randomLive(u: number): PeerId {
    if (this.live.length === 0) return -1;
    return this.live[Math.floor(u * this.live.length)]!;
  }

  markOnline(peer: PeerId): void {
    if (this.onlineFlag[peer] === 1) throw new Error(`peer ${peer} is already online`);
    this.onlineFlag[peer] = 1;
    this.sessionOf[peer]!++;
    this.livePos[peer] = this.live.length;
    this.live.push(peer);
  }

  /**
   * A service peer (a server with a role, e.g. a central index) comes online.
   * It gets a new session like any peer, so its timers and requests are
   * session-bound, but it is kept out of the live set: it is never a lookup
   * origin, never counted in the live population and never sampled by churn.
   */
  markServiceOnline(peer: PeerId): void {
    if (this.onlineFlag[peer] === 1) throw new Error(`peer ${peer} is already online`);
    this.onlineFlag[peer] = 1;
    this.sessionOf[peer]!++;
  }

  /** A service peer goes offline (crashes): messages to it are lost from now on. */
  markServiceOffline(peer: PeerId): void {
    if (this.onlineFlag[peer] !== 1) throw new Error(`peer ${peer} is not online`);
    if (this.livePos[peer] !== -1) throw new Error(`peer ${peer} is not a service peer`);
    this.onlineFlag[peer] = 0;
  }

  markOffline(peer: PeerId): void {
    if (this.onlineFlag[peer] !== 1) throw new Error(`peer ${peer} is not online`);
    this.onlineFlag[peer] = 0;
    // Swap-remove: move the last live peer into the departing peer's place.
    const pos = this.livePos[peer]!;
    const last = this.live.pop()!;
    if (last !== peer) {
      this.live[pos] = last;
      this.livePos[last] = pos;
    }
    this.livePos[peer] = -1;
  }

  private grow(): void {
    const n = this.onlineFlag.length * 2;
    const online = new Uint8Array(n);
    online.set(this.onlineFlag);
    this.onlineFlag = online;
    const session = new Int32Array(n);
    session.set(this.sessionOf);
    this.sessionOf = session;
    const pos = new Int32Array(n).fill(-1);
    pos.set(this.livePos);
    this.livePos = pos;
  }
}
