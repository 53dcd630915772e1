import type { PeerId } from "../../peers/population.js";
import { SeenQueries, UNSEEN } from "../shared/seen.js";
import { newLookup, type Downloads } from "./downloads.js";
import type { HybridMessage } from "./messages.js";
import type { HybridOptions } from "./options.js";
import type { Ctx, PeerState, PeerStates } from "./super-peer-state.js";

type SpQuery = Extract<HybridMessage, { type: "spQuery" }>;
type Query = Extract<HybridMessage, { type: "query" }>;

/**
 * Search over the super-peer mesh: a leaf's lookup goes to its super-peer,
 * which answers from its index and floods the query among super-peers with
 * `ttl` (duplicates dropped); every super-peer with holders among its leaves
 * answers the requester directly (out-of-band, as Gnutella 0.6 does), and
 * the requester fetches from holders as they come in (Downloads). Misrouting
 * super-peers (index poisoning) answer with malicious holders only and pass
 * no query on.
 */
export class SuperPeerSearch {
  private readonly seen: SeenQueries;
  private nextQid = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: HybridOptions,
    private readonly states: PeerStates,
    private readonly downloads: Downloads,
    /** A leaf's super-peer did not answer: the mesh re-attaches the leaf. */
    private readonly superPeerLost: (peer: PeerId, sp: PeerId) => void,
  ) {
    this.seen = new SeenQueries(Math.max(4 * options.requestTimeout, 60_000));
  }

  lookup(peer: PeerId, state: PeerState, key: number, lookup: number): void {
    state.lookups.set(lookup, newLookup(key));
    if (state.isSuper) {
      this.downloads.offer(peer, lookup, state.registry.holders(key, peer, this.options.maxHolders, this.ctx.rng), 0);
      this.flood(peer, state, { type: "spQuery", lookup, qid: this.nextQid++, key, ttl: this.options.superPeers.ttl - 1, hops: 1, origin: peer }, -1);
      return;
    }
    this.ask(peer, state, lookup);
  }

  /** A leaf has attached again: lookups that found nothing yet (their super-peer was lost, or none was known) ask the new one. */
  resume(peer: PeerId, state: PeerState): void {
    for (const [lookup, active] of state.lookups) if (!active.fetching && active.candidates.length === 0) this.ask(peer, state, lookup);
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

  /** A super-peer answers a leaf's query from its index and floods it on. */
  onLeafQuery(to: PeerId, from: PeerId, state: PeerState, msg: Query): void {
    if (!state.isSuper) return;
    if (this.poisons(to, state)) {
      this.ctx.reply(to, from, msg, { type: "queryReply", lookup: msg.lookup, holders: this.decoys(from), rejected: false });
      return;
    }
    this.ctx.reply(to, from, msg, {
      type: "queryReply",
      lookup: msg.lookup,
      holders: state.registry.holders(msg.key, from, this.options.maxHolders, this.ctx.rng),
      rejected: false,
    });
    this.flood(to, state, { type: "spQuery", lookup: msg.lookup, qid: this.nextQid++, key: msg.key, ttl: this.options.superPeers.ttl - 1, hops: 2, origin: from }, -1);
  }

  /** A super-peer gets a flooded query: it answers the requester if its leaves hold the key, and passes the query on. */
  onQuery(peer: PeerId, from: PeerId, state: PeerState, q: SpQuery): void {
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
}
