import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { Arrivals } from "./arrivals.js";
import { Choker } from "./choker.js";
import { PIECE_HEADER_BYTES, type AnnounceEvent, type BittorrentMessage } from "./messages.js";
import { requestsPerConnection, type BittorrentOptions } from "./options.js";
import { PiecePicker } from "./picker.js";
import { Connection, insertInOrder, PartialPiece, PeerState, removeFrom } from "./state.js";
import { SwarmPeers } from "./swarm-peers.js";
import type { SwarmStats } from "./stats.js";
import type { Torrent } from "./torrent.js";
import { unhandled } from "../../core/handlers.js";

type Ctx = OverlayContext<BittorrentMessage>;

const NOBODY: ReadonlySet<PeerId> = new Set<PeerId>();

// Messages without content are sent as shared objects: nothing on the way stamps or keeps a
// sent message (only requests and replies are stamped, and these never are either).
const CLOSE: BittorrentMessage = { type: "close" };
const KEEP_ALIVE: BittorrentMessage = { type: "keepAlive" };
const INTERESTED: BittorrentMessage = { type: "interested" };
const NOT_INTERESTED: BittorrentMessage = { type: "notInterested" };
const UNCHOKE: BittorrentMessage = { type: "unchoke" };
type Msg<T extends BittorrentMessage["type"]> = Extract<BittorrentMessage, { type: T }>;
/** The peer wire protocol's messages on an open connection. */
type WireMessage = Msg<"bitfield" | "have" | "haves" | "interested" | "notInterested" | "choke" | "unchoke" | "request" | "cancel">;

/**
 * The peers of a BitTorrent swarm (BEP 3; Cohen 2003): each announces to the
 * tracker, opens connections to the peers it names, trades HAVEs and
 * requests, and uploads to the peers its choker unchokes. Control messages
 * go with `ctx.send` (latency only, unless network.bandwidth.messages is
 * "carried"); the data of every block is a `ctx.transfer` from uploader to
 * downloader. An uploader sends one block at a time on each connection
 * (requests wait in a queue, like the bytes of one TCP stream), so an uplink
 * is shared among the connections being served.
 *
 * Leaving the swarm by policy (afterCompletion) closes every connection and
 * tells the tracker, but the peer stays online in the network (it could be
 * in other swarms); churn takes peers offline.
 */
export class Swarm extends SwarmPeers {
  private readonly picker: PiecePicker;
  private readonly choker: Choker;
  private readonly pipeline: number;
  /** Scratch list for pieceDone. */
  private readonly flips: Connection[] = [];

  constructor(
    ctx: Ctx,
    options: BittorrentOptions,
    torrent: Torrent,
    private readonly tracker: PeerId,
    arrivals: Arrivals,
    stats: SwarmStats,
    kindOf: (peer: PeerId) => PeerState["kind"],
    labelOf: (peer: PeerId) => string,
  ) {
    super(ctx, options, torrent, arrivals, stats, kindOf, labelOf);
    this.picker = new PiecePicker(torrent, options.picker, options.randomFirst, options.endGame, ctx.rng);
    this.choker = new Choker(options.choking, ctx.rng);
    this.pipeline = requestsPerConnection(options);
  }

  leave(peer: PeerId): void {
    const state = this.states[peer];
    if (!state?.active) return;
    for (const c of state.connections.values()) this.ctx.send(peer, c.peer, CLOSE);
    this.ctx.send(peer, this.tracker, { type: "announce", event: "stopped", numwant: 0 });
    this.deactivate(state);
  }

  protected activate(state: PeerState): void {
    const ctx = this.ctx;
    const peer = state.peer;
    state.active = true;
    this.stats.participates(state, 1);
    if (!state.complete) {
      state.download = ctx.downloadStarted(peer, this.torrent.fileBytes, this.labelOf(peer));
      state.downloadStartMs = ctx.now();
    }
    ctx.every(peer, this.options.choking.interval, () => this.rechoke(state));
    ctx.every(peer, this.options.connections.keepAlive, () => this.keepAlive(state));
    ctx.every(peer, this.options.tracker.announceInterval, () => this.announce(state, "none"), { start: "after-interval" });
    this.announce(state, "started");
  }

  /** Offline (or out of the swarm): session state goes, pieces stay. */
  protected deactivate(state: PeerState): void {
    this.stopParticipating(state);
    for (const c of state.connections.values()) state.endOptimistic(c, this.ctx.now());
    state.connections.clear();
    state.interestedPeers = [];
    state.unchokedBy = [];
    state.unchoking = [];
    state.pendingHaves = [];
    state.endSession();
  }

  // Tracker.

  private announce(state: PeerState, event: AnnounceEvent): void {
    const ctx = this.ctx;
    if (!state.active) return;
    state.lastAnnounceMs = ctx.now();
    const msg: BittorrentMessage = { type: "announce", event, numwant: this.options.tracker.numwant };
    ctx.request(
      state.peer,
      this.tracker,
      msg,
      this.options.tracker.timeout,
      (reply) => {
        if (reply.type !== "announceReply" || !state.active) return;
        state.candidates = reply.peers.filter((p) => p !== state.peer && !state.connections.has(p) && !state.banned.has(p));
        this.connectMore(state);
      },
      () => ctx.count("trackerTimeouts"),
    );
  }

  // Connections.

  private connectMore(state: PeerState): void {
    const { maxInitiate, maxConnections, handshakeTimeout } = this.options.connections;
    const ctx = this.ctx;
    while (state.candidates.length > 0 && state.initiated + state.connecting.size < maxInitiate && state.connections.size + state.connecting.size < maxConnections) {
      const to = state.candidates.pop()!;
      if (state.connections.has(to) || state.connecting.has(to) || state.banned.has(to)) continue;
      state.connecting.add(to);
      ctx.count("handshakes");
      ctx.request(
        state.peer,
        to,
        { type: "handshake" },
        handshakeTimeout,
        (reply) => {
          state.connecting.delete(to);
          if (reply.type !== "handshakeReply" || !state.active) return;
          if (reply.accepted && !state.connections.has(to) && !state.banned.has(to)) {
            this.open(state, to, true);
          } else {
            if (!reply.accepted) ctx.count("connectionsRefused");
            this.connectMore(state);
          }
        },
        () => {
          state.connecting.delete(to);
          this.connectMore(state);
        },
      );
    }
  }

  private open(state: PeerState, peer: PeerId, outgoing: boolean): Connection {
    const c = new Connection(peer, this.ctx.now(), state.nextSeq++, state.chokeRound);
    state.attach(c);
    c.outgoing = outgoing;
    if (outgoing) state.initiated++;
    state.connections.set(peer, c);
    // A peer with nothing may skip its bitfield (BEP 3).
    if (state.haveCount > 0) this.ctx.send(state.peer, peer, { type: "bitfield", have: state.have.slice() });
    return c;
  }

  private close(state: PeerState, peer: PeerId, notify: boolean): void {
    const c = state.connections.get(peer);
    if (!c) return;
    state.connections.delete(peer);
    if (c.peerInterested) removeFrom(state.interestedPeers, c);
    if (!c.peerChoking) removeFrom(state.unchokedBy, c);
    if (!c.amChoking) removeFrom(state.unchoking, c);
    if (c.outgoing) state.initiated--;
    state.detach(c);
    for (const key of c.outstanding) this.release(state, key);
    c.outstanding.length = 0;
    c.uploadQueue.length = 0;
    state.endOptimistic(c, this.ctx.now());
    state.optimistic = state.optimistic.filter((p) => p !== peer);
    if (notify) this.ctx.send(state.peer, peer, CLOSE);
    this.fillAll(state);
    this.connectMore(state);
  }

  private keepAlive(state: PeerState): void {
    if (!state.active) return;
    const now = this.ctx.now();
    const limit = 2 * this.options.connections.keepAlive;
    // Closing deletes only the connection being visited, which a Map's iteration allows: no copy needed.
    for (const c of state.connections.values()) {
      if (now - c.lastHeardMs > limit) {
        this.ctx.count("keepAliveDrops");
        this.close(state, c.peer, false);
      } else {
        this.ctx.send(state.peer, c.peer, KEEP_ALIVE);
      }
    }
  }

  // Messages.

  deliver(to: PeerId, from: PeerId, msg: BittorrentMessage): void {
    const state = this.states[to];
    if (!state?.active) return;
    const c = state.connections.get(from);
    if (c) c.lastHeardMs = this.ctx.now();
    switch (msg.type) {
      case "handshake":
        this.accept(state, from, msg);
        return;
      case "close":
        this.close(state, from, false);
        return;
      case "keepAlive":
      case "announce":
      case "announceReply":
      case "handshakeReply":
      case "get":
      case "getReply":
        return;
      case "bitfield":
      case "have":
      case "haves":
      case "interested":
      case "notInterested":
      case "choke":
      case "unchoke":
      case "request":
      case "cancel":
        if (c) this.onWire(state, c, msg);
        return;
      default:
        unhandled(msg);
    }
  }

  private accept(state: PeerState, from: PeerId, msg: Msg<"handshake">): void {
    const { maxConnections } = this.options.connections;
    const known = state.connections.has(from);
    const accepted = !state.banned.has(from) && (known || state.connections.size + state.connecting.size < maxConnections);
    this.ctx.reply(state.peer, from, msg, { type: "handshakeReply", accepted });
    if (accepted && !known) this.open(state, from, false);
  }

  private onWire(state: PeerState, c: Connection, msg: WireMessage): void {
    const ctx = this.ctx;
    switch (msg.type) {
      case "bitfield": {
        const theirs = msg.have;
        for (let p = 0; p < theirs.length; p++) if (theirs[p] === 1) this.gained(state, c, p);
        this.interestChanged(state, c);
        this.fill(state, c);
        return;
      }
      case "have":
        this.gained(state, c, msg.piece);
        this.interestChanged(state, c);
        this.fill(state, c);
        return;
      case "haves":
        state.learn(c, msg.pieces);
        this.interestChanged(state, c);
        this.fill(state, c);
        return;
      case "interested":
        if (!c.peerInterested) insertInOrder(state.interestedPeers, c);
        c.peerInterested = true;
        return;
      case "notInterested":
        if (c.peerInterested) removeFrom(state.interestedPeers, c);
        c.peerInterested = false;
        return;
      case "choke":
        if (!c.peerChoking) removeFrom(state.unchokedBy, c);
        c.peerChoking = true;
        // The uploader discards our pending requests (BEP 3): their blocks go back to the pool; the one on the wire still comes.
        for (const key of c.outstanding) if (key !== msg.inFlight) this.release(state, key);
        c.outstanding.length = 0;
        if (msg.inFlight >= 0) c.outstanding.push(msg.inFlight);
        this.fillAll(state);
        return;
      case "unchoke":
        if (c.peerChoking) insertInOrder(state.unchokedBy, c);
        c.peerChoking = false;
        this.fill(state, c);
        return;
      case "request":
        if (c.amChoking || state.kind === "free-rider" || state.have[this.torrent.pieceOf(msg.key)] !== 1) return;
        c.uploadQueue.push(msg.key);
        this.serve(state, c);
        return;
      case "cancel": {
        const i = c.uploadQueue.indexOf(msg.key);
        if (i >= 0) c.uploadQueue.splice(i, 1);
        ctx.count("cancelsReceived");
        return;
      }
      default:
        unhandled(msg);
    }
  }

  /** Their HAVE (or bitfield entry) for `piece`. */
  private gained(state: PeerState, c: Connection, piece: number): void {
    if (piece < 0 || piece >= this.torrent.pieces || state.has(c, piece)) return;
    state.setHas(c, piece);
    state.availability[piece]!++;
    if (state.have[piece] === 0) c.wanted++;
  }

  /** Sends INTERESTED or NOT INTERESTED when `c.wanted` crossed zero. */
  private interestChanged(state: PeerState, c: Connection): void {
    const want = c.wanted > 0 && !state.complete;
    if (want === c.amInterested) return;
    c.amInterested = want;
    this.ctx.send(state.peer, c.peer, want ? INTERESTED : NOT_INTERESTED);
  }

  // Requesting.

  private fill(state: PeerState, c: Connection): void {
    if (c.peerChoking || state.complete || !c.amInterested) return;
    while (c.outstanding.length < this.pipeline) {
      const key = this.picker.next(state, c);
      if (key < 0) return;
      if (this.picker.endGamePick) this.ctx.count("endGameRequests");
      c.outstanding.push(key);
      this.ctx.send(state.peer, c.peer, { type: "request", key });
    }
  }

  /** Fills every connection that can take requests (only peers not choking us can), in connection order. */
  private fillAll(state: PeerState): void {
    if (state.complete) return;
    for (const c of state.unchokedBy) this.fill(state, c);
  }

  /** A request for `key` will not be answered: its block may be requested again. */
  private release(state: PeerState, key: number): void {
    const partial = state.partial.get(this.torrent.pieceOf(key));
    if (!partial) return;
    const b = this.torrent.blockOf(key);
    if (partial.got[b] === 1 || partial.requested[b] === 0) return;
    if (--partial.requested[b]! === 0) partial.unrequested++;
    if (partial.gotCount === 0 && partial.unrequested === partial.blocks) state.partial.delete(partial.piece);
  }

  // Uploading.

  private serve(state: PeerState, c: Connection): void {
    if (c.uploading || c.uploadQueue.length === 0) return;
    const key = c.uploadQueue.shift()!;
    const torrent = this.torrent;
    const bytes = torrent.blockLength(torrent.pieceOf(key), torrent.blockOf(key));
    const corrupt = state.kind === "malicious";
    c.uploading = true;
    c.servingKey = key;
    const uploader = state.peer;
    const receiver = c.peer;
    this.ctx.transfer(
      uploader,
      receiver,
      bytes + PIECE_HEADER_BYTES,
      () => {
        this.uploaded(state, c, bytes);
        this.arrived(receiver, uploader, key, bytes, corrupt);
      },
      () => {
        c.uploading = false;
        const r = this.states[receiver];
        if (r?.active) {
          this.ctx.count("transfersAborted");
          this.close(r, uploader, false);
        }
      },
    );
  }

  private uploaded(state: PeerState, c: Connection, bytes: number): void {
    c.uploading = false;
    state.uploadedBytes += bytes;
    this.ctx.count(state.kind === "seed" ? "seedUploadBytes" : "peerUploadBytes", bytes);
    if (state.active && state.connections.get(c.peer) === c) this.serve(state, c);
  }

  /** A block from `from` has reached `to`. */
  private arrived(to: PeerId, from: PeerId, key: number, bytes: number, corrupt: boolean): void {
    const state = this.states[to];
    if (!state?.active) return;
    const ctx = this.ctx;
    const c = state.connections.get(from);
    if (c) {
      const i = c.outstanding.indexOf(key);
      if (i >= 0) c.outstanding.splice(i, 1);
      c.rollTo(state.chokeRound);
      c.receivedNow += bytes;
      c.lastBlockMs = ctx.now();
      c.lastHeardMs = ctx.now();
    }
    const torrent = this.torrent;
    const piece = torrent.pieceOf(key);
    const b = torrent.blockOf(key);
    let partial = state.partial.get(piece);
    if (state.have[piece] === 1 || partial?.got[b] === 1) {
      ctx.count("duplicateBlocks");
      if (c) this.fill(state, c);
      return;
    }
    if (!partial) {
      // Its request had been released (a choke crossed the block on the wire): the data is still good.
      partial = new PartialPiece(piece, torrent.blocksIn(piece));
      state.partial.set(piece, partial);
    }
    if (partial.requested[b] === 0) partial.unrequested--;
    else if (partial.requested[b]! > 1) this.cancelCopies(state, key, from);
    partial.requested[b] = 0;
    partial.got[b] = 1;
    partial.gotCount++;
    partial.corrupt ||= corrupt;
    if (!partial.senders.includes(from)) partial.senders.push(from);
    state.downloadedBytes += bytes;
    if (partial.gotCount === partial.blocks) this.pieceDone(state, partial);
    if (c && state.connections.has(from)) this.fill(state, c);
  }

  /** End game: the block came; cancel the other requests for it. */
  private cancelCopies(state: PeerState, key: number, from: PeerId): void {
    for (const c of state.connections.values()) {
      if (c.peer === from) continue;
      const i = c.outstanding.indexOf(key);
      if (i < 0) continue;
      c.outstanding.splice(i, 1);
      this.ctx.send(state.peer, c.peer, { type: "cancel", key });
    }
  }

  /** Every block of a piece is in: check its hash. */
  private pieceDone(state: PeerState, partial: PartialPiece): void {
    const ctx = this.ctx;
    const piece = partial.piece;
    state.partial.delete(piece);
    if (partial.corrupt) {
      ctx.count("hashFails");
      for (const sender of partial.senders) {
        const strikes = (state.strikes.get(sender) ?? 0) + 1;
        state.strikes.set(sender, strikes);
        if (strikes >= this.options.banStrikes && !state.banned.has(sender)) {
          state.banned.add(sender);
          ctx.count("peersBanned");
          this.close(state, sender, true);
        }
      }
      this.fillAll(state);
      return;
    }
    state.gotPiece(piece);
    if (state.pieceTimes) state.pieceTimes[piece] = ctx.now();
    this.stats.pieceCompleted(piece);
    const batched = this.options.haveInterval > 0;
    if (batched && state.pendingHaves.push(piece) === 1) ctx.setTimer(state.peer, this.options.haveInterval, () => this.flushHaves(state));
    if (!batched) {
      const redundant = this.options.redundantHaves;
      for (const c of state.connections.values()) {
        const theyHaveIt = state.has(c, piece);
        if (redundant || !theyHaveIt) ctx.send(state.peer, c.peer, { type: "have", piece });
        if (theyHaveIt) {
          c.wanted--;
          this.interestChanged(state, c);
        }
      }
    } else {
      // No message per connection: only the holders of the piece want less, and those whose
      // interest flips say so in connection order.
      const flips = this.flips;
      state.forEachHolder(piece, (c) => {
        c.wanted--;
        if ((c.wanted > 0 && !state.complete) !== c.amInterested) flips.push(c);
      });
      if (flips.length > 1) flips.sort((a, b) => a.seq - b.seq);
      for (const c of flips) this.interestChanged(state, c);
      flips.length = 0;
    }
    if (state.complete) this.completed(state);
  }

  private flushHaves(state: PeerState): void {
    const pieces = state.pendingHaves;
    state.pendingHaves = [];
    if (!state.active || pieces.length === 0) return;
    // One message object for every connection: nothing on the way stamps or keeps it.
    const msg: BittorrentMessage = { type: "haves", pieces };
    const redundant = this.options.redundantHaves;
    for (const c of state.connections.values()) if (redundant || !state.hasAll(c, pieces)) this.ctx.send(state.peer, c.peer, msg);
  }

  private completed(state: PeerState): void {
    const ctx = this.ctx;
    ctx.downloadCompleted(state.download);
    state.completedMs = ctx.now();
    state.download = -1;
    this.stats.completed();
    for (const c of state.connections.values()) {
      for (const key of c.outstanding) ctx.send(state.peer, c.peer, { type: "cancel", key });
      c.outstanding.length = 0;
      this.interestChanged(state, c);
    }
    ctx.send(state.peer, this.tracker, { type: "announce", event: "completed", numwant: 0 });
    this.afterCompletion(state);
  }

  // Choking.

  private rechoke(state: PeerState): void {
    if (!state.active) return;
    const ctx = this.ctx;
    const now = ctx.now();
    const wasOptimistic = state.optimistic;
    const unchoke = state.kind === "free-rider" ? NOBODY : this.choker.decide(state, now);
    // A new period: every connection's received-bytes window shifts (lazily, Connection.rollTo).
    state.chokeRound++;
    // Only connections unchoked now or chosen now can change; they are told in connection order.
    const changing = state.rechokeOrder(unchoke);
    const unchoking: Connection[] = [];
    for (const c of changing) {
      const open = unchoke.has(c.peer);
      if (open && c.amChoking) {
        c.amChoking = false;
        c.lastUnchokedMs = now;
        ctx.send(state.peer, c.peer, UNCHOKE);
      } else if (!open && !c.amChoking) {
        c.amChoking = true;
        c.uploadQueue.length = 0;
        ctx.send(state.peer, c.peer, { type: "choke", inFlight: c.uploading ? c.servingKey : -1 });
      }
      if (!c.amChoking) unchoking.push(c);
    }
    state.unchoking = unchoking;
    // Optimistic unchoke time: only peers in the slot before or after this rechoke can start or end a spell.
    const optimistic = state.optimistic;
    for (const peer of optimistic) {
      const c = state.connections.get(peer)!;
      if (Number.isNaN(c.optimisticSince)) {
        c.optimisticSince = now;
        ctx.count("optimisticUnchokes");
      }
    }
    for (const peer of wasOptimistic) {
      if (optimistic.includes(peer)) continue;
      const c = state.connections.get(peer);
      if (c) state.endOptimistic(c, this.ctx.now());
    }
    const { minPeers, minAnnounceInterval } = this.options.tracker;
    if (state.connections.size + state.connecting.size < minPeers && now - state.lastAnnounceMs >= minAnnounceInterval) this.announce(state, "none");
    this.fillAll(state);
  }

  /** Ends the optimistic-unchoke accounting of `state` now (at the end of the run). */
  closeOptimistic(state: PeerState): void {
    for (const c of state.connections.values()) state.endOptimistic(c, this.ctx.now());
  }
}
