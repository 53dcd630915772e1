import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { Arrivals } from "./arrivals.js";
import { Choker } from "./choker.js";
import type { BittorrentMessage } from "./messages.js";
import type { BittorrentOptions } from "./options.js";
import { PartialPool } from "./partial-pool.js";
import { PiecePicker } from "./picker.js";
import { RoundFlows } from "./round-flows.js";
import { RoundLinks } from "./round-links.js";
import { Connection, PeerState, removeFrom, type PartialPiece } from "./state.js";
import { SwarmPeers } from "./swarm-peers.js";
import type { SwarmStats } from "./stats.js";
import type { Torrent } from "./torrent.js";
import type { Tracker } from "./tracker.js";

type Ctx = OverlayContext<BittorrentMessage>;

const NOBODY: ReadonlySet<PeerId> = new Set<PeerId>();

/** A connection in execution: rounds, which knows its other side: both change together, with no message between them. */
export class FlowConnection extends Connection {
  mirror!: FlowConnection;
  /** The record of the piece requested on it (`outstanding[0]`), so a round's flow finds it without a lookup. */
  requested: PartialPiece | undefined = undefined;
}

/**
 * The swarm of execution: rounds (docs/bittorrent.md, Rounds): the same
 * peers, tracker, choker and picker as the event-level swarm (swarm.ts),
 * but nothing travels as a message. A peer's arrival announces to the
 * tracker and opens its connections at once, both sides together; a
 * rechoke changes both sides' flags at once; and one engine event per
 * round (RoundFlows) moves the bytes of every unchoked connection whose
 * downloader is interested, at max-min fair rates over the peers' links.
 * Pieces completed in a round are announced at the start of the next.
 * Departures close both sides of every connection at once.
 */
export class RoundSwarm extends SwarmPeers {
  private readonly picker: PiecePicker;
  private readonly choker: Choker;
  private readonly flows: RoundFlows;
  /** Time each peer has taken part (ms) in past sessions, and since when it takes part now, by peer. */
  private readonly activeMs: number[] = [];
  private readonly activeSince: number[] = [];
  /** When each peer rechokes next (ms), by peer. */
  private readonly nextRechokeMs: number[] = [];
  /** Connections, what peers know of each other's pieces, HAVEs of the last round. */
  private readonly links = new RoundLinks();
  private roundsStarted = false;

  constructor(
    ctx: Ctx,
    options: BittorrentOptions,
    torrent: Torrent,
    private readonly tracker: Tracker,
    arrivals: Arrivals,
    stats: SwarmStats,
    kindOf: (peer: PeerId) => PeerState["kind"],
    labelOf: (peer: PeerId) => string,
  ) {
    super(ctx, options, torrent, arrivals, stats, kindOf, labelOf);
    const partials = new PartialPool();
    this.picker = new PiecePicker(torrent, options.picker, options.randomFirst, options.endGame, ctx.rng, partials.take);
    this.choker = new Choker(options.choking, ctx.rng);
    this.flows = new RoundFlows(ctx, torrent, this.picker, partials, options.roundLength, this.states, {
      pieceDone: (state, piece, atMs) => this.pieceDone(state, piece, atMs),
      pieceFailed: (state, senders) => this.pieceFailed(state, senders),
    });
  }

  /** Rounds carry no messages. */
  deliver(): void {}

  leave(peer: PeerId): void {
    const state = this.states[peer];
    if (!state?.active) return;
    this.tracker.remove(peer);
    this.deactivate(state);
  }

  protected activate(state: PeerState): void {
    const ctx = this.ctx;
    state.active = true;
    this.links.arrive(state);
    this.activeSince[state.peer] = ctx.now();
    this.stats.participates(state, 1);
    this.flows.attach(state, ctx.linkCapacity?.(state.peer) ?? { upload: Infinity, download: Infinity });
    if (!state.complete) {
      state.download = ctx.downloadStarted(state.peer, this.torrent.fileBytes, this.labelOf(state.peer));
      state.downloadStartMs = ctx.now();
    }
    // A random phase, as ctx.every gives the event-level swarm's rechokes.
    this.nextRechokeMs[state.peer] = ctx.now() + ctx.rng.next() * this.options.choking.interval;
    this.announce(state);
    if (!this.roundsStarted) {
      this.roundsStarted = true;
      // After every arrival scheduled for this instant (a flash crowd's), so they share the first round.
      ctx.setOverlayTimer(0, this.round);
    }
  }

  protected deactivate(state: PeerState): void {
    this.stopParticipating(state);
    this.activeMs[state.peer] = (this.activeMs[state.peer] ?? 0) + this.ctx.now() - this.activeSince[state.peer]!;
    for (const c of [...state.connections.values()]) this.close(state, c as FlowConnection, true);
    state.endSession();
  }

  // Tracker and connections.

  private announce(state: PeerState): void {
    state.lastAnnounceMs = this.ctx.now();
    const named = this.tracker.announce(state.peer, this.options.tracker.numwant);
    state.candidates = named.filter((p) => p !== state.peer && !state.connections.has(p) && !state.banned.has(p));
    this.connectMore(state);
  }

  /** Opens connections to candidates as the event-level swarm would, its handshakes answered at once. */
  private connectMore(state: PeerState): void {
    const { maxInitiate, maxConnections } = this.options.connections;
    while (state.candidates.length > 0 && state.initiated < maxInitiate && state.connections.size < maxConnections) {
      const to = state.candidates.pop()!;
      if (state.connections.has(to) || state.banned.has(to)) continue;
      this.ctx.count("handshakes");
      const remote = this.states[to];
      // An offline peer does not answer; a banning or full one refuses.
      if (!remote?.active) continue;
      if (remote.banned.has(state.peer) || remote.connections.size >= maxConnections) {
        this.ctx.count("connectionsRefused");
        continue;
      }
      this.connect(state, remote);
    }
  }

  private connect(a: PeerState, b: PeerState): void {
    const ab = this.open(a, b.peer, true);
    const ba = this.open(b, a.peer, false);
    ab.mirror = ba;
    ba.mirror = ab;
    // Bitfields, both ways at once. Interest is worked out when it is needed (rechoke, picking).
    if (b.haveCount > 0) a.learnBits(ab, b.haveBits);
    if (a.haveCount > 0) b.learnBits(ba, a.haveBits);
  }

  private open(state: PeerState, peer: PeerId, outgoing: boolean): FlowConnection {
    const c = new FlowConnection(peer, this.ctx.now(), state.nextSeq++, state.chokeRound);
    state.attach(c);
    c.outgoing = outgoing;
    if (outgoing) state.initiated++;
    state.connections.set(peer, c);
    this.links.opened(state, c);
    return c;
  }

  /** Closes `c` at `state` and its mirror at the other side (`both`), and lets each look for more peers. */
  private close(state: PeerState, c: FlowConnection, both: boolean): void {
    if (state.connections.get(c.peer) !== c) return;
    state.connections.delete(c.peer);
    this.links.closed(state, c);
    removeFrom(state.interestedPeers, c);
    if (!c.amChoking) removeFrom(state.unchoking, c);
    if (c.outgoing) state.initiated--;
    state.detach(c);
    this.flows.release(state, c);
    state.endOptimistic(c, this.ctx.now());
    state.optimistic = state.optimistic.filter((p) => p !== c.peer);
    if (both) {
      const remote = this.states[c.peer];
      if (remote?.active) this.close(remote, c.mirror, false);
    }
    if (state.active) this.connectMore(state);
  }

  // The round.

  private readonly round = (): void => {
    const ctx = this.ctx;
    const now = ctx.now();
    this.links.deliverHaves(this.states);
    for (const state of this.states) {
      if (state === undefined || !state.active) continue;
      if (this.nextRechokeMs[state.peer]! <= now) {
        this.rechoke(state, now);
        do this.nextRechokeMs[state.peer]! += this.options.choking.interval;
        while (this.nextRechokeMs[state.peer]! <= now);
      }
    }
    if (this.stats.leechers > 0) this.flows.run(now);
    ctx.setOverlayTimer(this.options.roundLength, this.round);
  };

  /** The event-level swarm's rechoke, with both sides of each connection changed at once. */
  private rechoke(state: PeerState, now: number): void {
    this.links.refreshInterest(state);
    const wasOptimistic = state.optimistic;
    const unchoke = state.kind === "free-rider" ? NOBODY : this.choker.decide(state, now);
    state.chokeRound++;
    const changing = state.rechokeOrder(unchoke);
    const unchoking: Connection[] = [];
    for (const c of changing) {
      const open = unchoke.has(c.peer);
      const m = (c as FlowConnection).mirror;
      if (open && c.amChoking) {
        c.amChoking = false;
        c.lastUnchokedMs = now;
        m.peerChoking = false;
      } else if (!open && !c.amChoking) {
        c.amChoking = true;
        m.peerChoking = true;
        // The downloader's request goes back to its pool; the piece keeps the bytes it has.
        this.flows.release(this.states[c.peer]!, m);
      }
      if (!c.amChoking) unchoking.push(c);
    }
    state.unchoking = unchoking;
    for (const peer of state.optimistic) {
      const c = state.connections.get(peer)!;
      if (Number.isNaN(c.optimisticSince)) {
        c.optimisticSince = now;
        this.ctx.count("optimisticUnchokes");
      }
    }
    for (const peer of wasOptimistic) {
      if (state.optimistic.includes(peer)) continue;
      const c = state.connections.get(peer);
      if (c) state.endOptimistic(c, this.ctx.now());
    }
    const { minPeers, minAnnounceInterval, announceInterval } = this.options.tracker;
    const sinceAnnounce = now - state.lastAnnounceMs;
    if ((state.connections.size < minPeers && sinceAnnounce >= minAnnounceInterval) || sinceAnnounce >= announceInterval) this.announce(state);
  }

  /**
   * Upload utilisation, mean over the swarm's peers with a finite uplink: bytes each uploaded
   * over what its uplink could have sent while it took part. The network's meter sees the same
   * bytes (ctx.flowed) but averages over every online peer, the tracker's idle uplink included.
   */
  uploadUtilisation(): number {
    const now = this.ctx.now();
    let sum = 0;
    let peers = 0;
    for (const s of this.allStates()) {
      const ms = (this.activeMs[s.peer] ?? 0) + (s.active ? now - this.activeSince[s.peer]! : 0);
      const capacity = this.flows.uploadCapacity(s.peer);
      if (!(ms > 0) || !Number.isFinite(capacity) || capacity <= 0) continue;
      sum += s.uploadedBytes / (capacity * ms);
      peers++;
    }
    return peers > 0 ? sum / peers : NaN;
  }

  /** Rounds that moved bytes and flows solved over them (overlay.json, for the bench). */
  work(): { rounds: number; flows: number } {
    return { rounds: this.flows.rounds, flows: this.flows.flowsSolved };
  }

  closeOptimistic(state: PeerState): void {
    for (const c of state.connections.values()) state.endOptimistic(c, this.ctx.now());
  }

  // Pieces.

  /** `state` verified `piece` at `atMs` (within the round now running). */
  private pieceDone(state: PeerState, piece: number, atMs: number): void {
    state.gotPiece(piece);
    this.links.gotPiece(state, piece);
    if (state.pieceTimes) state.pieceTimes[piece] = atMs;
    this.stats.pieceCompleted(piece);
    if (state.complete) this.completed(state, atMs);
  }

  /** A piece failed its hash check: its senders get a strike, and are banned at `banStrikes`. */
  private pieceFailed(state: PeerState, senders: readonly PeerId[]): void {
    const ctx = this.ctx;
    ctx.count("hashFails");
    for (const sender of senders) {
      const strikes = (state.strikes.get(sender) ?? 0) + 1;
      state.strikes.set(sender, strikes);
      if (strikes >= this.options.banStrikes && !state.banned.has(sender)) {
        state.banned.add(sender);
        ctx.count("peersBanned");
        const c = state.connections.get(sender);
        if (c) this.close(state, c as FlowConnection, true);
      }
    }
  }

  /**
   * The last piece came at `atMs`, inside the round now running: the download is reported
   * then (a timer), so download times are not rounded up to the end of a round.
   */
  private completed(state: PeerState, atMs: number): void {
    const ctx = this.ctx;
    state.completedMs = atMs;
    this.stats.completed();
    for (const c of state.connections.values()) this.flows.release(state, c);
    ctx.setTimer(state.peer, Math.max(0, atMs - ctx.now()), () => {
      ctx.downloadCompleted(state.download);
      state.download = -1;
      this.afterCompletion(state);
    });
  }
}
