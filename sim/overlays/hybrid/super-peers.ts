import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../../core/protocol.js";
import { SeenQueries, UNSEEN } from "../shared/seen.js";
import { Downloads, newLookup, type ActiveLookup } from "./downloads.js";
import type { HybridMessage } from "./messages.js";
import type { HybridOptions } from "./options.js";
import { Registry } from "./registry.js";

type Ctx = OverlayContext<HybridMessage>;
type SpQuery = Extract<HybridMessage, { type: "spQuery" }>;

/** One online peer's state in super-peer mode. */
class PeerState {
  /** A leaf's super-peer, or -1 while it looks for one. */
  superPeer: PeerId = -1;
  /** True while a leaf is trying candidates. */
  attaching = false;
  /** Super-peers this peer has heard of, to try when its own fails. */
  known: PeerId[] = [];
  /** A super-peer's super-peer neighbours. */
  readonly neighbours: PeerId[] = [];
  pendingConnects = 0;
  /** A super-peer's index of its leaves' keys (and its own). */
  readonly registry = new Registry();
  readonly lookups = new Map<number, ActiveLookup>();

  constructor(readonly isSuper: boolean) {}
}

/**
 * Super-peers (KaZaA, Gnutella 0.6 ultrapeers). The `fraction` of the peer
 * pool with the highest capacity (a number drawn per peer when the overlay
 * is built) are super-peers whenever they are online; the others are leaves.
 *
 * - A leaf attaches to one super-peer: it asks its bootstrap contacts in
 *   turn; a leaf it asks redirects it to that leaf's super-peer, a super-peer
 *   accepts it (up to `maxLeaves`, else redirects it to its neighbours) and
 *   names its super-peer neighbours as fallbacks. The leaf
 *   then registers its keys there. It sends a keep-alive every
 *   `keepAliveInterval`; no answer (or a goodbye) means its super-peer is
 *   gone, and it re-attaches: first to super-peers it has heard of, then
 *   through the host cache (`reattachments`).
 * - Super-peers keep `degree` super-peer neighbours (found the same way,
 *   pinged every `keepAliveInterval`) and forget leaves silent for
 *   `keepAliveTimeout`.
 * - A lookup goes to the leaf's super-peer, which answers from its index and
 *   floods the query among super-peers with `ttl` (duplicates dropped);
 *   every super-peer with holders among its leaves answers the requester
 *   directly (out-of-band, as Gnutella 0.6 does). The requester fetches from
 *   holders as they come in (see Downloads); with no holders left it waits
 *   for more until the workload's deadline. A leaf without a super-peer
 *   holds its lookups and sends them once it has attached again. Hops: the super-peer hops the
 *   query took to the answering super-peer (1 for the leaf's own) plus the
 *   fetches sent.
 * - A maintenance freeze stops every peer's periodic round (keep-alives,
 *   re-registrations, super-peer pings, purges, topping up links); on resume
 *   every online peer starts it again at a random phase.
 * - Misrouting super-peers (index poisoning, docs/faults.md) answer every
 *   query, from their leaves or flooded to them, with malicious holders
 *   only, and pass no query on: their leaves see nothing but decoys.
 */
export class SuperPeers {
  private readonly states: (PeerState | undefined)[] = [];
  private readonly downloads: Downloads;
  private readonly seen: SeenQueries;
  private nextQid = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: HybridOptions,
    private readonly supers: ReadonlySet<PeerId>,
    /** The keys `peer` registers (a misrouting peer advertises more than it has, see index.ts). */
    private readonly keysOf: (peer: PeerId) => readonly number[],
    /** Whether `peer` really has `key`. */
    private readonly holds: (peer: PeerId, key: number) => boolean,
    /** `peer` downloaded the true content of `key`. */
    downloaded: (peer: PeerId, key: number) => void = () => {},
  ) {
    this.seen = new SeenQueries(Math.max(4 * options.requestTimeout, 60_000));
    ctx.onMaintenanceResumed(() => this.forgiveSilence());
    this.downloads = new Downloads(
      ctx,
      options.requestTimeout,
      (peer) => this.states[peer]?.lookups,
      (peer, holder) => {
        const state = this.states[peer];
        if (!state) return;
        if (state.isSuper) state.registry.remove(holder);
        else if (state.superPeer >= 0) this.ctx.send(peer, state.superPeer, { type: "deadPeer", peer: holder });
      },
      () => {}, // more hits may still come; the workload's deadline ends the lookup
      downloaded,
    );
  }

  /** `peer`'s keys changed (it keeps a downloaded copy): a super-peer indexes them itself, a leaf registers them with its super-peer. */
  advertise(peer: PeerId): void {
    const state = this.states[peer];
    if (!state) return;
    if (state.isSuper) state.registry.register(peer, this.keysOf(peer), this.ctx.now());
    else if (state.superPeer >= 0) this.ctx.request(peer, state.superPeer, { type: "register", keys: this.keysOf(peer) }, this.options.requestTimeout, () => {}, () => {});
  }

  join(peer: PeerId): void {
    const state = new PeerState(this.supers.has(peer));
    this.states[peer] = state;
    if (state.isSuper) {
      state.registry.register(peer, this.keysOf(peer), this.ctx.now());
      this.connect(peer, this.ctx.bootstrapContacts(peer));
    } else {
      this.attach(peer, this.ctx.bootstrapContacts(peer));
    }
    this.ctx.every(peer, this.options.keepAliveInterval, () => this.maintain(peer));
  }

  /**
   * When a maintenance freeze ends, super-peers count their leaves as heard
   * from now (they sent no keep-alives while frozen). The periodic rounds
   * themselves are the runtime's to stop and restart.
   */
  private forgiveSilence(): void {
    const now = this.ctx.now();
    for (const state of this.states) if (state?.isSuper) state.registry.touchAll(now);
  }

  /** True if `peer` is a misrouting super-peer. */
  private poisons(peer: PeerId, state: PeerState): boolean {
    return state.isSuper && this.ctx.adversary.active && this.ctx.adversary.misroutes(peer);
  }

  /** A misrouting super-peer's answer: up to maxHolders malicious peers online (colluders know each other), never `exclude`. */
  private decoys(exclude: PeerId): PeerId[] {
    const online = this.ctx.adversary.accomplices.filter((p) => p !== exclude && this.states[p] !== undefined);
    this.ctx.adversary.misrouted();
    return this.ctx.rng.sample(online, this.options.maxHolders);
  }

  leave(peer: PeerId): void {
    const state = this.states[peer];
    if (state?.isSuper) {
      for (const n of state.neighbours) this.ctx.send(peer, n, { type: "bye" });
      for (const leaf of state.registry.registered()) if (leaf !== peer) this.ctx.send(peer, leaf, { type: "bye" });
    } else if (state && state.superPeer >= 0) {
      this.ctx.send(peer, state.superPeer, { type: "deregister" });
    }
    this.states[peer] = undefined;
  }

  crash(peer: PeerId): void {
    this.states[peer] = undefined;
  }

  lookup(peer: PeerId, key: number, lookup: number): void {
    const state = this.states[peer];
    if (!state) return;
    state.lookups.set(lookup, newLookup(key));
    if (state.isSuper) {
      this.downloads.offer(peer, lookup, state.registry.holders(key, peer, this.options.maxHolders, this.ctx.rng), 0);
      this.flood(peer, state, { type: "spQuery", lookup, qid: this.nextQid++, key, ttl: this.options.superPeers.ttl - 1, hops: 1, origin: peer }, -1);
      return;
    }
    this.ask(peer, state, lookup);
  }

  /** A leaf sends `lookup` to its super-peer; unattached, it waits until it is attached again (or the deadline). */
  private ask(peer: PeerId, state: PeerState, lookup: number): void {
    const active = state.lookups.get(lookup);
    if (state.superPeer < 0 || !active) return;
    const sp = state.superPeer;
    this.ctx.request(
      peer,
      sp,
      { type: "query", lookup, key: active.key },
      this.options.requestTimeout,
      (reply) => {
        if (reply.type === "queryReply") this.downloads.offer(peer, lookup, reply.holders, 1);
      },
      () => this.superPeerLost(peer, sp),
    );
  }

  abandon(peer: PeerId, lookup: number): void {
    this.states[peer]?.lookups.delete(lookup);
  }

  handle(to: PeerId, from: PeerId, msg: HybridMessage): boolean {
    const state = this.states[to];
    if (!state) return true;
    const now = this.ctx.now();
    switch (msg.type) {
      case "spConnect":
        this.onConnect(to, from, state, msg);
        return true;
      case "register":
        if (state.isSuper) {
          state.registry.register(from, msg.keys, now);
          this.ctx.count("registrations");
          this.ctx.reply(to, from, msg, { type: "registerAck" });
        }
        return true;
      case "deregister":
        if (state.isSuper) state.registry.remove(from);
        return true;
      case "keepAlive":
        this.ctx.reply(to, from, msg, { type: "keepAliveAck", known: state.isSuper && state.registry.touch(from, now) });
        return true;
      case "deadPeer":
        if (state.isSuper && msg.peer !== to && state.registry.remove(msg.peer)) this.ctx.count("purgedByReport");
        return true;
      case "spPing":
        this.ctx.reply(to, from, msg, { type: "spPong", neighbour: state.neighbours.includes(from) });
        return true;
      case "bye":
        if (state.isSuper) this.dropNeighbour(to, state, from);
        else if (from === state.superPeer) this.superPeerLost(to, from);
        return true;
      case "query":
        if (!state.isSuper) return true;
        if (this.poisons(to, state)) {
          this.ctx.reply(to, from, msg, { type: "queryReply", lookup: msg.lookup, holders: this.decoys(from), rejected: false });
          return true;
        }
        this.ctx.reply(to, from, msg, {
          type: "queryReply",
          lookup: msg.lookup,
          holders: state.registry.holders(msg.key, from, this.options.maxHolders, this.ctx.rng),
          rejected: false,
        });
        this.flood(to, state, { type: "spQuery", lookup: msg.lookup, qid: this.nextQid++, key: msg.key, ttl: this.options.superPeers.ttl - 1, hops: 2, origin: from }, -1);
        return true;
      case "spQuery":
        this.onQuery(to, from, state, msg);
        return true;
      case "spHit":
        this.downloads.offer(to, msg.lookup, msg.holders, msg.hops);
        return true;
      case "fetch":
        this.downloads.serve(to, from, msg, this.holds(to, msg.key));
        return true;
      default:
        return false;
    }
  }

  /** Time-series columns: super-peers and leaves online, leaves without a super-peer, mean super-peer degree. */
  sample(): Record<string, number> {
    let supers = 0;
    let leaves = 0;
    let orphans = 0;
    let links = 0;
    for (const state of this.states) {
      if (!state) continue;
      if (state.isSuper) {
        supers++;
        links += state.neighbours.length;
      } else {
        leaves++;
        if (state.superPeer < 0) orphans++;
      }
    }
    return { superPeersOnline: supers, leavesOnline: leaves, leavesUnattached: orphans, superPeerDegree: supers ? links / supers : 0 };
  }

  /** For tests and snapshots: a leaf's super-peer (-1 if none), or a super-peer's neighbours. */
  stateOf(peer: PeerId): { isSuper: boolean; superPeer: PeerId; neighbours: readonly PeerId[]; leaves: number } | undefined {
    const s = this.states[peer];
    return s && { isSuper: s.isSuper, superPeer: s.superPeer, neighbours: s.neighbours, leaves: s.isSuper ? s.registry.size - 1 : 0 };
  }

  /**
   * A connection request. A super-peer takes a leaf while it has fewer than
   * `maxLeaves`, and a super-peer neighbour while it has fewer than
   * 2·degree; when full it still takes a super-peer with fewer than `degree`
   * neighbours and drops one of its own at random instead (with a goodbye),
   * so late super-peers are never shut out of a mesh formed by early ones.
   * A leaf redirects to the super-peers it knows. Every answer names
   * super-peers to try next (Gnutella's X-Try-Ultrapeers).
   */
  private onConnect(to: PeerId, from: PeerId, state: PeerState, msg: Extract<HybridMessage, { type: "spConnect" }>): void {
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

  private onQuery(peer: PeerId, from: PeerId, state: PeerState, q: SpQuery): void {
    if (!state.isSuper) return;
    const now = this.ctx.now();
    if (this.seen.upstream(q.qid, peer, now) !== UNSEEN) {
      this.ctx.count("duplicateQueries");
      return;
    }
    if (this.poisons(peer, state)) {
      this.seen.remember(q.qid, peer, from, now);
      const decoys = this.decoys(q.origin);
      if (decoys.length > 0) this.ctx.send(peer, q.origin, { type: "spHit", lookup: q.lookup, holders: decoys, hops: q.hops });
      return;
    }
    const holders = state.registry.holders(q.key, q.origin, this.options.maxHolders, this.ctx.rng);
    if (holders.length > 0) this.ctx.send(peer, q.origin, { type: "spHit", lookup: q.lookup, holders, hops: q.hops });
    this.flood(peer, state, { ...q, ttl: q.ttl - 1, hops: q.hops + 1 }, from);
  }

  /** Remembers the query at `peer` and, if its TTL allows, sends it to every super-peer neighbour but `from`. */
  private flood(peer: PeerId, state: PeerState, q: SpQuery, from: PeerId): void {
    this.seen.remember(q.qid, peer, from, this.ctx.now());
    if (q.ttl < 1) return;
    for (const n of state.neighbours) if (n !== from) this.ctx.send(peer, n, q);
  }

  /** A leaf tries `candidates` in turn (each once per round, following redirects) until a super-peer accepts it. */
  private attach(peer: PeerId, candidates: PeerId[], tried = new Set<PeerId>()): void {
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
          // Lookups that found nothing yet (their super-peer was lost, or none was known) ask the new one.
          for (const [lookup, active] of state.lookups) if (!active.fetching && active.candidates.length === 0) this.ask(peer, state, lookup);
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

  private superPeerLost(peer: PeerId, sp: PeerId): void {
    const state = this.states[peer];
    if (!state || state.isSuper || state.superPeer !== sp) return;
    state.superPeer = -1;
    state.known = state.known.filter((p) => p !== sp);
    this.ctx.count("reattachments");
    if (!state.attaching) this.attach(peer, [...state.known, ...this.ctx.bootstrapContacts(peer)]);
  }

  /** A super-peer asks `candidates` to be its neighbours, following redirects, until it has `degree`. */
  private connect(peer: PeerId, candidates: readonly PeerId[]): void {
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

  private dropNeighbour(peer: PeerId, state: PeerState, gone: PeerId): void {
    const i = state.neighbours.indexOf(gone);
    if (i < 0) return;
    state.neighbours.splice(i, 1);
    this.ctx.count("superPeerLinksLost");
    if (state.neighbours.length + state.pendingConnects < this.options.superPeers.degree) {
      this.connect(peer, this.ctx.rng.shuffle(state.known.filter((p) => p !== gone)));
    }
  }

  /** Every `keepAliveInterval`: leaves check their super-peer; super-peers check neighbours, forget silent leaves, top up links. */
  private maintain(peer: PeerId): void {
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
