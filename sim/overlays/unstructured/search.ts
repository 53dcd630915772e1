import type { PeerId } from "../../peers/population.js";
import type { AdversaryView, OverlayContext } from "../../core/protocol.js";
import type { UnstructuredMessage } from "./messages.js";
import type { UnstructuredOptions } from "./options.js";
import { ORIGIN, SeenQueries, UNSEEN } from "../shared/seen.js";
import type { PeerState, PeerStates } from "./state.js";
import { sendToNeighbours, type NeighbourTable } from "./neighbour-table.js";
import type { Handlers } from "../../core/handlers.js";

type Ctx = OverlayContext<UnstructuredMessage>;
type Query = Extract<UnstructuredMessage, { type: "query" }>;
type Walk = Extract<UnstructuredMessage, { type: "walk" }>;
type Hit = Extract<UnstructuredMessage, { type: "queryHit" }>;

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
 *
 * A hit carries the value its holder hands out; the requester reports it to
 * the runtime (`ctx.answer`), which ends the lookup unless the value was
 * tampered with and honest peers verify: then the requester keeps
 * waiting (flood), lets its walkers go on (random walk) or lets the next
 * ring start (expanding ring), and ignores that holder from then on.
 *
 * Malicious peers (docs/faults.md): a tampering peer answers every query and
 * walker that reaches it with a corrupted hit, whether it holds the key or
 * not (a polluter: Liang, Kumar, Xi & Ross, INFOCOM 2005). A misrouting peer
 * forwards walkers only to malicious neighbours when it has any, and
 * forwards floods to nobody.
 */
export class Search {
  private nextQid = 0;
  private readonly seen: SeenQueries;
  private readonly adversary: AdversaryView;
  /** The run has malicious peers: only then are the per-message adversary checks made. */
  private readonly hostile: boolean;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: UnstructuredOptions,
    private readonly states: PeerStates,
    private readonly neighbours: NeighbourTable,
    private readonly holds: (peer: PeerId, key: number) => boolean,
    /**
     * Lookup `lookup` of `requester` for `key` ended on a hit of query `qid`
     * from `holder`; `genuine` when the value was the true one (for copies made on success).
     */
    private readonly found?: (requester: PeerId, key: number, qid: number, holder: PeerId, genuine: boolean) => void,
  ) {
    this.seen = new SeenQueries(options.seenMemory);
    this.adversary = ctx.adversary;
    this.hostile = ctx.adversary.active;
  }

  start(peer: PeerId, key: number, lookup: number): void {
    const state = this.states.get(peer);
    if (!state) return;
    if (this.holds(peer, key)) {
      this.ctx.lookupSucceeded(lookup, 0);
      return;
    }
    state.searches.set(lookup, { key, ring: 0 });
    const search = this.options.search;
    switch (search.method) {
      case "flood":
        this.flood(peer, key, lookup, search.ttl);
        return;
      case "expanding-ring":
        this.ring(peer, lookup);
        return;
      case "random-walk":
        for (let i = 0; i < search.walkers && this.neighbours.degree(peer) > 0; i++) {
          const qid = this.nextQid++;
          this.seen.remember(qid, peer, ORIGIN, this.ctx.now());
          const first = this.neighbours.random(peer, this.ctx.rng);
          this.ctx.send(peer, first, { type: "walk", lookup, qid, key, ttl: search.ttl, hops: 1, origin: peer });
        }
        return;
    }
  }

  /** Search traffic, most of what a run delivers; a message for a peer gone offline is dropped. */
  readonly handlers: Handlers<UnstructuredMessage, "query" | "walk" | "walkCheck" | "queryHit"> = {
    query: (to, from, msg) => {
      if (this.states.has(to)) this.onQuery(to, from, msg);
    },
    walk: (to, from, msg) => {
      if (this.states.has(to)) this.onWalk(to, from, msg);
    },
    walkCheck: (to, from, msg) => {
      const state = this.states.get(to);
      if (state) this.ctx.reply(to, from, msg, { type: "walkCheckReply", lookup: msg.lookup, goOn: state.searches.has(msg.lookup) });
    },
    queryHit: (to, _from, msg) => {
      const state = this.states.get(to);
      if (!state) return;
      const back = this.seen.upstream(msg.qid, to, this.ctx.now());
      if (back === UNSEEN) {
        this.ctx.count("hitsLost");
      } else if (back === ORIGIN) {
        this.onHit(to, state, msg);
      } else {
        this.ctx.send(to, back, msg);
      }
    },
  };

  /**
   * The peers a hit of query `qid` from `holder` passed through on its way
   * back, requester last: the first way back each peer remembered.
   */
  wayBack(qid: number, holder: PeerId): PeerId[] {
    const now = this.ctx.now();
    const path: PeerId[] = [];
    let at = holder;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const back = this.seen.upstream(qid, at, now);
      if (back < 0) break; // ORIGIN: `at` is the requester; UNSEEN: forgotten
      path.push(back);
      at = back;
    }
    return path;
  }

  /** A hit reached the requester of its lookup. */
  private onHit(requester: PeerId, state: PeerState, hit: Hit): void {
    const active = state.searches.get(hit.lookup);
    if (!active) return; // already over
    if (active.rejected?.includes(hit.holder)) return;
    const verdict = this.ctx.answer(hit.lookup, active.key, hit.holder, hit.value, hit.hops);
    if (verdict === "rejected") {
      // A tampered value, detected: look elsewhere, and ignore this holder from now on.
      (active.rejected ??= []).push(hit.holder);
      return;
    }
    state.searches.delete(hit.lookup);
    this.found?.(requester, active.key, hit.qid, hit.holder, verdict === "verified");
  }

  /** Sends `peer`'s hit for query `qid` back toward its requester, with the value `peer` hands out. */
  private sendHit(peer: PeerId, to: PeerId, lookup: number, qid: number, key: number, hops: number): void {
    this.ctx.send(peer, to, { type: "queryHit", lookup, qid, hops, holder: peer, value: this.ctx.valueFrom(peer, key) });
  }

  /** The requester gives up (the workload's deadline passed). */
  abandon(peer: PeerId, lookup: number): void {
    this.states.get(peer)?.searches.delete(lookup);
  }

  private flood(peer: PeerId, key: number, lookup: number, ttl: number): void {
    const qid = this.nextQid++;
    this.seen.remember(qid, peer, ORIGIN, this.ctx.now());
    const query: Query = { type: "query", lookup, qid, key, ttl, hops: 1 };
    sendToNeighbours(this.ctx, this.neighbours, peer, -1, query);
  }


  private ring(peer: PeerId, lookup: number): void {
    const state = this.states.get(peer);
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
    this.flood(peer, active.key, lookup, ttl);
    this.ctx.setTimer(peer, 2 * ttl * search.waitPerHop, () => this.ring(peer, lookup));
  }

  private onQuery(peer: PeerId, from: PeerId, q: Query): void {
    const now = this.ctx.now();
    if (this.seen.upstream(q.qid, peer, now) !== UNSEEN) {
      this.ctx.count("duplicateQueries");
      return;
    }
    this.seen.remember(q.qid, peer, from, now);
    if (this.holds(peer, q.key) || (this.hostile && this.adversary.tampers(peer))) this.sendHit(peer, from, q.lookup, q.qid, q.key, q.hops);
    if (q.ttl <= 1) return;
    if (this.hostile && this.adversary.misroutes(peer)) {
      // A flood cannot be steered: a misrouting peer forwards it to nobody.
      if (this.neighbours.list(peer).some((n) => n !== from)) this.adversary.misrouted();
      return;
    }
    // One forwarded copy serves every neighbour: messages are never mutated.
    const next: Query = { type: "query", lookup: q.lookup, qid: q.qid, key: q.key, ttl: q.ttl - 1, hops: q.hops + 1 };
    sendToNeighbours(this.ctx, this.neighbours, peer, from, next);
  }

  private onWalk(peer: PeerId, from: PeerId, w: Walk): void {
    const now = this.ctx.now();
    // Keep the first way back: a walk that revisits a peer must not make the way back a loop.
    if (this.seen.upstream(w.qid, peer, now) === UNSEEN) this.seen.remember(w.qid, peer, from, now);
    if (this.holds(peer, w.key) || (this.hostile && this.adversary.tampers(peer))) {
      this.sendHit(peer, from, w.lookup, w.qid, w.key, w.hops);
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
    if (!this.states.has(peer) || this.neighbours.degree(peer) === 0) return;
    let neighbours = this.neighbours.list(peer);
    if (this.hostile && this.adversary.misroutes(peer)) {
      // Steer the walker to an accomplice when there is one.
      const malicious = neighbours.filter((n) => this.adversary.isMalicious(n));
      if (malicious.length > 0) {
        this.adversary.misrouted();
        neighbours = malicious;
      }
    }
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
