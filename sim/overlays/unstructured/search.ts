import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../protocol.js";
import type { UnstructuredMessage } from "./messages.js";
import type { UnstructuredOptions } from "./options.js";
import { ORIGIN, SeenQueries, UNSEEN } from "../shared/seen.js";
import type { PeerState } from "./state.js";

type Ctx = OverlayContext<UnstructuredMessage>;
type Query = Extract<UnstructuredMessage, { type: "query" }>;
type Walk = Extract<UnstructuredMessage, { type: "walk" }>;

/**
 * Searching an unstructured overlay, three ways (Lv, Cao, Cohen, Li & Shenker,
 * "Search and replication in unstructured peer-to-peer networks", ICS 2002):
 *
 * - flood: the query goes to every neighbour, hop by hop, until its TTL runs
 *   out; each peer forwards a query id once and drops duplicates.
 * - expanding ring: floods with growing TTLs, each started only if the last
 *   found nothing within a round trip to its edge.
 * - random walk: k walkers each step to one random neighbour; every few hops
 *   a walker asks the requester whether the search is already satisfied.
 *
 * A peer holding the key answers with a hit that travels back along the
 * query's path, peer by peer, using what each peer remembered of where the
 * query came from. A hit whose path has broken (a peer on it left) is lost.
 */
export class Search {
  private nextQid = 0;
  private readonly seen: SeenQueries;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: UnstructuredOptions,
    private readonly states: (PeerState | undefined)[],
    private readonly holds: (peer: PeerId, key: number) => boolean,
  ) {
    this.seen = new SeenQueries(options.seenMemory);
  }

  start(peer: PeerId, key: number, lookup: number): void {
    const state = this.states[peer];
    if (!state) return;
    if (this.holds(peer, key)) {
      this.ctx.lookupSucceeded(lookup, 0);
      return;
    }
    state.searches.set(lookup, { key, ring: 0 });
    const search = this.options.search;
    switch (search.method) {
      case "flood":
        this.flood(peer, state, key, lookup, search.ttl);
        return;
      case "expanding-ring":
        this.ring(peer, lookup);
        return;
      case "random-walk":
        for (let i = 0; i < search.walkers && state.neighbours.length > 0; i++) {
          const qid = this.nextQid++;
          this.seen.remember(qid, peer, ORIGIN, this.ctx.now());
          const first = this.ctx.rng.pick(state.neighbours);
          this.ctx.send(peer, first, { type: "walk", lookup, qid, key, ttl: search.ttl, hops: 1, origin: peer });
        }
        return;
    }
  }

  handle(to: PeerId, from: PeerId, msg: UnstructuredMessage): boolean {
    const state = this.states[to];
    if (!state) return true;
    switch (msg.type) {
      case "query":
        this.onQuery(to, from, state, msg);
        return true;
      case "walk":
        this.onWalk(to, from, state, msg);
        return true;
      case "walkCheck":
        this.ctx.reply(to, from, msg, { type: "walkCheckReply", lookup: msg.lookup, goOn: state.searches.has(msg.lookup) });
        return true;
      case "queryHit": {
        const back = this.seen.upstream(msg.qid, to, this.ctx.now());
        if (back === UNSEEN) {
          this.ctx.count("hitsLost");
        } else if (back === ORIGIN) {
          if (state.searches.delete(msg.lookup)) this.ctx.lookupSucceeded(msg.lookup, msg.hops);
        } else {
          this.ctx.send(to, back, msg);
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** The requester gives up (the workload's deadline passed). */
  abandon(peer: PeerId, lookup: number): void {
    this.states[peer]?.searches.delete(lookup);
  }

  private flood(peer: PeerId, state: PeerState, key: number, lookup: number, ttl: number): void {
    const qid = this.nextQid++;
    this.seen.remember(qid, peer, ORIGIN, this.ctx.now());
    const query: Query = { type: "query", lookup, qid, key, ttl, hops: 1 };
    for (const n of state.neighbours) this.ctx.send(peer, n, query);
  }

  private ring(peer: PeerId, lookup: number): void {
    const state = this.states[peer];
    const search = this.options.search;
    if (!state || search.method !== "expanding-ring") return;
    const active = state.searches.get(lookup);
    if (!active) return; // found, or given up
    if (active.ring >= search.ttls.length) {
      state.searches.delete(lookup);
      this.ctx.lookupFailed(lookup);
      return;
    }
    const ttl = search.ttls[active.ring]!;
    active.ring++;
    this.ctx.count("rings");
    this.flood(peer, state, active.key, lookup, ttl);
    this.ctx.setTimer(peer, 2 * ttl * search.waitPerHop, () => this.ring(peer, lookup));
  }

  private onQuery(peer: PeerId, from: PeerId, state: PeerState, q: Query): void {
    const now = this.ctx.now();
    if (this.seen.upstream(q.qid, peer, now) !== UNSEEN) {
      this.ctx.count("duplicateQueries");
      return;
    }
    this.seen.remember(q.qid, peer, from, now);
    if (this.holds(peer, q.key)) this.ctx.send(peer, from, { type: "queryHit", lookup: q.lookup, qid: q.qid, hops: q.hops });
    if (q.ttl <= 1) return;
    // One forwarded copy serves every neighbour: messages are never mutated.
    const next: Query = { type: "query", lookup: q.lookup, qid: q.qid, key: q.key, ttl: q.ttl - 1, hops: q.hops + 1 };
    for (const n of state.neighbours) if (n !== from) this.ctx.send(peer, n, next);
  }

  private onWalk(peer: PeerId, from: PeerId, state: PeerState, w: Walk): void {
    const now = this.ctx.now();
    // Keep the first way back: a walk that revisits a peer must not make the way back a loop.
    if (this.seen.upstream(w.qid, peer, now) === UNSEEN) this.seen.remember(w.qid, peer, from, now);
    if (this.holds(peer, w.key)) {
      this.ctx.send(peer, from, { type: "queryHit", lookup: w.lookup, qid: w.qid, hops: w.hops });
      return;
    }
    if (w.ttl <= 1) return;
    const search = this.options.search;
    const checkEvery = search.method === "random-walk" ? search.checkEvery : 0;
    if (checkEvery > 0 && w.hops % checkEvery === 0) {
      this.ctx.request(
        peer,
        w.origin,
        { type: "walkCheck", lookup: w.lookup },
        this.options.requestTimeout,
        (reply) => {
          if (reply.type === "walkCheckReply" && reply.goOn) this.step(peer, from, w);
        },
        () => this.ctx.count("walkersLost"),
      );
    } else {
      this.step(peer, from, w);
    }
  }

  /** Moves a walker on to a random neighbour, avoiding the one it came from when there is a choice. */
  private step(peer: PeerId, from: PeerId, w: Walk): void {
    const neighbours = this.states[peer]?.neighbours;
    if (!neighbours || neighbours.length === 0) return;
    const back = neighbours.indexOf(from);
    let i: number;
    if (back < 0 || neighbours.length === 1) {
      i = this.ctx.rng.int(neighbours.length);
    } else {
      i = this.ctx.rng.int(neighbours.length - 1); // uniform over the others: skip the way back
      if (i >= back) i++;
    }
    this.ctx.send(peer, neighbours[i]!, {
      type: "walk",
      lookup: w.lookup,
      qid: w.qid,
      key: w.key,
      ttl: w.ttl - 1,
      hops: w.hops + 1,
      origin: w.origin,
    });
  }
}
