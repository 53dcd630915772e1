import type { PeerId } from "../../peers/population.js";
import type { HybridMessage } from "./messages.js";
import type { HybridOptions } from "./options.js";
import type { Ctx, PeerState, PeerStates } from "./super-peer-state.js";

/**
 * How the super-peer network holds together: leaves attach to a super-peer
 * (following redirects, re-attaching when theirs is lost), super-peers keep
 * `degree` super-peer neighbours, and every `keepAliveInterval` each peer
 * checks its links (keep-alives, pings, purges of silent leaves, topping up
 * links). What travels over the mesh, queries and hits, is
 * super-peer-search.ts's.
 */
export class SuperPeerMesh {
  constructor(
    private readonly ctx: Ctx,
    private readonly options: HybridOptions,
    private readonly states: PeerStates,
    /** The keys `peer` registers with its super-peer. */
    private readonly keysOf: (peer: PeerId) => readonly number[],
    /** A leaf has just attached to a super-peer (its waiting lookups can go out). */
    private readonly attached: (peer: PeerId, state: PeerState) => void,
  ) {}

  /**
   * A connection request. A super-peer takes a leaf while it has fewer than
   * `maxLeaves`, and a super-peer neighbour while it has fewer than
   * 2·degree; when full it still takes a super-peer with fewer than `degree`
   * neighbours and drops one of its own at random instead (with a goodbye),
   * so late super-peers are never shut out of a mesh formed by early ones.
   * A leaf redirects to the super-peers it knows. Every answer names
   * super-peers to try next (Gnutella's X-Try-Ultrapeers).
   */
  onConnect(to: PeerId, from: PeerId, state: PeerState, msg: Extract<HybridMessage, { type: "spConnect" }>): void {
    let accepted = false;
    if (state.isSuper && msg.superPeer) {
      const degree = this.options.superPeers.degree;
      accepted = state.neighbours.includes(from);
      if (!accepted && state.neighbours.length < 2 * degree) accepted = true;
      else if (!accepted && msg.neighbours < degree && state.neighbours.length > 0) {
        const dropped = this.ctx.rng.pick(state.neighbours);
        this.dropNeighbour(to, state, dropped);
        this.ctx.send(to, dropped, { type: "bye" });
        accepted = true;
      }
      if (accepted && !state.neighbours.includes(from)) state.neighbours.push(from);
    } else if (state.isSuper) {
      accepted = state.registry.size - 1 < this.options.superPeers.maxLeaves;
    }
    const known = state.isSuper ? [...state.neighbours, ...state.known] : state.superPeer >= 0 ? [state.superPeer, ...state.known] : state.known;
    const redirect = [...new Set(known)].filter((p) => p !== from).slice(0, 8);
    this.ctx.reply(to, from, msg, { type: "spConnectReply", accepted, redirect });
  }

  /** Remembers super-peers named in a redirect (a bounded list, newest first). */
  private learn(peer: PeerId, state: PeerState, supers: readonly PeerId[]): void {
    for (const p of supers) {
      if (p === peer || state.known.includes(p)) continue;
      state.known.unshift(p);
    }
    if (state.known.length > 16) state.known.length = 16;
  }

  /** A leaf tries `candidates` in turn (each once per round, following redirects) until a super-peer accepts it. */
  attach(peer: PeerId, candidates: PeerId[], tried = new Set<PeerId>()): void {
    const state = this.states[peer];
    if (!state || state.isSuper || state.superPeer >= 0) return;
    let candidate = candidates.shift();
    while (candidate !== undefined && (candidate === peer || tried.has(candidate))) candidate = candidates.shift();
    if (candidate === undefined) {
      state.attaching = false;
      this.ctx.count("attachRetries");
      this.ctx.setTimer(peer, this.options.requestTimeout, () => {
        if (!state.attaching && state.superPeer < 0) this.attach(peer, [...state.known, ...this.ctx.bootstrapContacts(peer)]);
      });
      return;
    }
    state.attaching = true;
    tried.add(candidate);
    this.ctx.request(
      peer,
      candidate,
      { type: "spConnect", superPeer: false, neighbours: 0 },
      this.options.requestTimeout,
      (reply) => {
        if (reply.type !== "spConnectReply" || state.superPeer >= 0) return;
        if (reply.accepted) {
          state.superPeer = candidate;
          state.attaching = false;
          this.learn(peer, state, reply.redirect);
          this.ctx.count("leafAttaches");
          this.ctx.request(peer, candidate, { type: "register", keys: this.keysOf(peer) }, this.options.requestTimeout, () => {}, () => {});
          this.attached(peer, state);
        } else {
          // Redirected: try the super-peers the contact named first.
          const fresh = reply.redirect.filter((p) => p !== peer && !tried.has(p) && !candidates.includes(p));
          this.learn(peer, state, fresh);
          this.attach(peer, [...fresh, ...candidates], tried);
        }
      },
      () => {
        state.known = state.known.filter((p) => p !== candidate);
        this.attach(peer, candidates, tried);
      },
    );
  }

  /** A leaf's super-peer `sp` is gone (no answer, or a goodbye): it re-attaches, first to super-peers it has heard of. */
  superPeerLost(peer: PeerId, sp: PeerId): void {
    const state = this.states[peer];
    if (!state || state.isSuper || state.superPeer !== sp) return;
    state.superPeer = -1;
    state.known = state.known.filter((p) => p !== sp);
    this.ctx.count("reattachments");
    if (!state.attaching) this.attach(peer, [...state.known, ...this.ctx.bootstrapContacts(peer)]);
  }

  /** A super-peer asks `candidates` to be its neighbours, following redirects, until it has `degree`. */
  connect(peer: PeerId, candidates: readonly PeerId[]): void {
    const state = this.states[peer];
    if (!state) return;
    for (const candidate of candidates) {
      if (state.neighbours.length + state.pendingConnects >= this.options.superPeers.degree) break;
      if (candidate === peer || state.neighbours.includes(candidate)) continue;
      state.pendingConnects++;
      this.ctx.request(
        peer,
        candidate,
        { type: "spConnect", superPeer: true, neighbours: state.neighbours.length },
        this.options.requestTimeout,
        (reply) => {
          state.pendingConnects--;
          if (reply.type !== "spConnectReply") return;
          if (reply.accepted && !state.neighbours.includes(candidate)) state.neighbours.push(candidate);
          this.learn(peer, state, reply.redirect);
          if (state.neighbours.length + state.pendingConnects < this.options.superPeers.degree) this.connect(peer, reply.redirect);
        },
        () => {
          state.pendingConnects--;
        },
      );
    }
  }

  /** A super-peer lost neighbour `gone` (a goodbye, no pong, or it dropped it); below `degree`, it looks for another. */
  dropNeighbour(peer: PeerId, state: PeerState, gone: PeerId): void {
    const i = state.neighbours.indexOf(gone);
    if (i < 0) return;
    state.neighbours.splice(i, 1);
    this.ctx.count("superPeerLinksLost");
    if (state.neighbours.length + state.pendingConnects < this.options.superPeers.degree) {
      this.connect(peer, this.ctx.rng.shuffle(state.known.filter((p) => p !== gone)));
    }
  }

  /** Every `keepAliveInterval`: leaves check their super-peer; super-peers check neighbours, forget silent leaves, top up links. */
  maintain(peer: PeerId): void {
    const state = this.states[peer];
    if (!state) return;
    if (state.isSuper) {
      for (const n of state.neighbours.slice()) {
        this.ctx.request(
          peer,
          n,
          { type: "spPing" },
          this.options.requestTimeout,
          (reply) => {
            if (reply.type === "spPong" && !reply.neighbour) this.dropNeighbour(peer, state, n);
          },
          () => this.dropNeighbour(peer, state, n),
        );
      }
      const purged = state.registry.purgeSilent(this.ctx.now() - this.options.keepAliveTimeout, peer);
      if (purged > 0) this.ctx.count("purgedByTimeout", purged);
      if (state.neighbours.length + state.pendingConnects < this.options.superPeers.degree) {
        this.connect(peer, [...this.ctx.rng.shuffle(state.known.slice()), ...this.ctx.bootstrapContacts(peer)]);
      }
    } else if (state.superPeer >= 0) {
      const sp = state.superPeer;
      this.ctx.request(
        peer,
        sp,
        { type: "keepAlive" },
        this.options.requestTimeout,
        (reply) => {
          if (reply.type === "keepAliveAck" && !reply.known && state.superPeer === sp) {
            this.ctx.count("reRegistrations");
            this.ctx.request(peer, sp, { type: "register", keys: this.keysOf(peer) }, this.options.requestTimeout, () => {}, () => {});
          }
        },
        () => {
          this.ctx.count("keepAliveTimeouts");
          this.superPeerLost(peer, sp);
        },
      );
    }
  }
}
