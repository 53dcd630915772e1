import { makeSampler, type Sampler } from "../../engine/distributions.js";
import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { Arrivals } from "./arrivals.js";
import type { BittorrentMessage } from "./messages.js";
import type { BittorrentOptions } from "./options.js";
import { firstJoinState, type PeerState } from "./state.js";
import type { SwarmStats } from "./stats.js";
import type { Torrent } from "./torrent.js";

export type SwarmCtx = OverlayContext<BittorrentMessage>;

/**
 * What both swarm drivers (swarm.ts, event by event; round-swarm.ts, in rounds) do alike with
 * their peers: each peer's state, made on its first join and kept across sessions; when a
 * leecher starts (the arrivals process) and a seed (at once); a crash; the start and end of a
 * peer's part in the swarm's statistics and downloads; and the `afterCompletion` policy. How a
 * peer connects, trades and leaves is each driver's own.
 */
export abstract class SwarmPeers {
  protected readonly states: (PeerState | undefined)[] = [];
  protected readonly pieceMapPeers: PeerId[] = [];
  private readonly seedTime: Sampler | undefined;

  constructor(
    protected readonly ctx: SwarmCtx,
    protected readonly options: BittorrentOptions,
    protected readonly torrent: Torrent,
    protected readonly arrivals: Arrivals,
    protected readonly stats: SwarmStats,
    /** What kind of peer each pool peer or seed is (initial seed, free rider, malicious, leecher). */
    protected readonly kindOf: (peer: PeerId) => PeerState["kind"],
    /** The label its download is reported under. */
    protected readonly labelOf: (peer: PeerId) => string,
  ) {
    const seedTime = options.afterCompletion.seedTime;
    this.seedTime = seedTime ? makeSampler(seedTime as Parameters<typeof makeSampler>[0]) : undefined;
  }

  stateOf(peer: PeerId): PeerState | undefined {
    return this.states[peer];
  }

  /** Every peer that has taken part so far, by peer number. */
  *allStates(): Iterable<PeerState> {
    for (const s of this.states) if (s !== undefined) yield s;
  }

  /** The peers whose piece times go to the piece map. */
  get mapped(): readonly PeerId[] {
    return this.pieceMapPeers;
  }

  join(peer: PeerId): void {
    const state = (this.states[peer] ??= firstJoinState(peer, this.torrent.pieces, this.kindOf(peer), this.pieceMapPeers, this.options.pieceMapPeers));
    if (state.left) return;
    if (state.kind === "seed") this.activate(state);
    else this.arrivals.schedule(peer, () => this.activate(state));
  }

  abstract leave(peer: PeerId): void;

  crash(peer: PeerId): void {
    const state = this.states[peer];
    if (state?.active) this.deactivate(state);
  }

  /** `state` takes part in the swarm now (online, and arrived). */
  protected abstract activate(state: PeerState): void;

  /** `state` stops taking part (offline, or out of the swarm): session state goes, pieces stay. */
  protected abstract deactivate(state: PeerState): void;

  /** The first step of `deactivate`: an unfinished download is aborted, and the peer no longer counts as taking part. */
  protected stopParticipating(state: PeerState): void {
    if (state.download >= 0) {
      this.ctx.downloadAborted(state.download);
      state.download = -1;
    }
    this.stats.participates(state, -1);
    state.active = false;
  }

  /** `state` has the whole file: it leaves the swarm, seeds for a while, or stays, as `afterCompletion` says. */
  protected afterCompletion(state: PeerState): void {
    const policy = this.options.afterCompletion.policy;
    if (policy === "leave") this.leaveSwarm(state);
    else if (policy === "seed") this.ctx.setTimer(state.peer, this.seedTime!.sample(this.ctx.rng), () => this.leaveSwarm(state));
  }

  private leaveSwarm(state: PeerState): void {
    if (!state.active) return;
    this.ctx.count("swarmLeaves");
    this.leave(state.peer);
    state.left = true;
  }
}
