import type { PeerId } from "../../peers/population.js";
import type { Message, OverlayContext } from "../../core/protocol.js";
import { Accomplices } from "./adversary.js";
import type { ChordMessage } from "./messages.js";
import type { ChordOptions } from "./options.js";
import type { ChordTables } from "./tables.js";
import type { TrueRing } from "./truth.js";

/**
 * Finding the owner of an id: iterative routing (the origin asks each hop
 * for the next one; the paper's simulator, and what join and fix_fingers
 * always use) and recursive routing (each hop forwards the query, the hop
 * after it acknowledges, the last hop answers the origin).
 *
 * Hops are counted as the paper counts path length: the peers a query
 * visits after the origin, up to and including the one that knows the
 * owner (the owner's predecessor, which names its successor). A lookup the
 * origin answers from its own table takes 0 hops. Hops whose request timed
 * out are not counted; they are counted in `lookupTimeouts`.
 */

/** How many fallbacks a peer names besides the next hop in an iterative reply. */
const CANDIDATES = 3;
/** How often an iterative lookup whose candidates all failed starts again from the origin's own table. */
const REFILLS = 3;
/** How many of the peers it found dead an iterative asker names in each step, so the next hop skips them. */
const AVOID = 8;

interface Find {
  origin: PeerId;
  target: Uint32Array;
  /** The workload lookup, or -1 for join and fix_fingers. */
  lookup: number;
  hops: number;
  /** Peers to ask next, best first. */
  candidates: PeerId[];
  /** Peers that did not answer. */
  dead: PeerId[];
  /** Peers already asked (their answers are among the candidates). */
  asked: PeerId[];
  /** Which peer named each candidate: when a candidate fails, the peer that named it is asked again. */
  namedBy: Map<PeerId, PeerId>;
  /** Times the origin refilled the candidates from its own table after they all failed. */
  refills: number;
  cancelled: boolean;
  done: (owner: PeerId, hops: number) => void;
  fail: () => void;
}

interface Pending {
  origin: PeerId;
  session: number;
  /** The workload key looked up, and its id. */
  key: number;
  target: Uint32Array;
  find?: Find;
}

export class Routing {
  /** Workload lookups in progress, by lookup id. */
  private readonly pending = new Map<number, Pending>();
  /** Where misrouting nodes send lookups; null when no node misroutes. */
  private readonly accomplices: Accomplices | null;

  constructor(
    private readonly ctx: OverlayContext<ChordMessage>,
    private readonly options: ChordOptions,
    private readonly t: ChordTables,
    private readonly truth: TrueRing,
    /** The bootstrap contacts a peer that has not joined yet knows of: it names them when asked the way. */
    private readonly contactsOf: (peer: PeerId) => readonly PeerId[],
    /** With storage, a lookup that found the true owner goes on to fetch the item; without, it has succeeded. */
    private readonly fetch?: (origin: PeerId, key: number, lookup: number, owner: PeerId, hops: number) => void,
  ) {
    this.accomplices = ctx.adversary.active ? new Accomplices(ctx.adversary, t) : null;
  }

  // ── Workload lookups ──────────────────────────────────────────────

  lookup(origin: PeerId, key: number, target: Uint32Array, lookup: number): void {
    const t = this.t;
    if (!t.inRing[origin]) {
      this.ctx.count("lookupsNotInRing");
      this.ctx.lookupFailed(lookup);
      return;
    }
    const record: Pending = { origin, session: t.session[origin]!, key, target };
    this.pending.set(lookup, record);
    if (this.options.routing === "recursive") {
      if (t.successorOwns(origin, target, 0)) this.finish(lookup, t.successor(origin), 0);
      else this.forward(origin, { type: "route", lookup, target, origin, hops: 1 });
      return;
    }
    record.find = {
      origin,
      target,
      lookup,
      hops: 0,
      candidates: [],
      dead: [],
      asked: [],
      namedBy: new Map(),
      refills: 0,
      cancelled: false,
      done: (owner, hops) => this.finish(lookup, owner, hops),
      fail: () => this.finish(lookup, -1, 0),
    };
    this.startFind(record.find);
  }

  abandon(lookup: number): void {
    const record = this.pending.get(lookup);
    if (record?.find) record.find.cancelled = true;
    this.pending.delete(lookup);
  }

  /** `peer` went offline: its lookups in progress end with it. */
  dropLookupsOf(peer: PeerId): void {
    for (const [id, record] of this.pending) {
      if (record.origin !== peer) continue;
      if (record.find) record.find.cancelled = true;
      this.pending.delete(id);
    }
  }

  /** A lookup's answer reached its origin: checked against the true ring before it counts. */
  private finish(lookup: number, owner: PeerId, hops: number): void {
    const record = this.pending.get(lookup);
    if (!record) return;
    this.pending.delete(lookup);
    if (owner < 0) {
      this.ctx.lookupFailed(lookup);
      return;
    }
    const adversary = this.ctx.adversary;
    if (owner !== this.truth.owner(record.target, 0)) {
      this.ctx.count("wrongOwner");
      // A malicious node named as the owner (a misrouted lookup): the origin cannot tell, so with
      // storage it asks that node for the item, which serves nothing or a corrupted value.
      if (this.fetch && adversary.active && adversary.isMalicious(owner)) {
        this.fetch(record.origin, record.key, lookup, owner, hops);
        return;
      }
      if (adversary.active) adversary.endedAt(owner);
      this.ctx.lookupFailed(lookup);
      return;
    }
    if (this.fetch) this.fetch(record.origin, record.key, lookup, owner, hops);
    else {
      if (adversary.active) adversary.endedAt(owner);
      this.ctx.lookupSucceeded(lookup, hops);
    }
  }

  // ── Iterative routing ─────────────────────────────────────────────

  /** Maintenance lookup (join, fix_fingers): iterative, from `origin`, or from `via` when the origin has no table yet. */
  findOwner(origin: PeerId, target: Uint32Array, via: PeerId, done: (owner: PeerId) => void, fail: () => void): void {
    const find: Find = { origin, target, lookup: -1, hops: 0, candidates: [], dead: [], asked: [], namedBy: new Map(), refills: 0, cancelled: false, done, fail };
    if (via >= 0) {
      find.candidates.push(via);
      this.ask(find);
    } else this.startFind(find);
  }

  /** The origin's own step: answers from its table, or picks the first peer to ask. */
  private startFind(find: Find): void {
    const t = this.t;
    if (t.successorOwns(find.origin, find.target, 0)) {
      find.done(t.successor(find.origin), 0);
      return;
    }
    find.candidates = t.candidates(find.origin, find.target, 0, CANDIDATES + 1);
    this.ask(find);
  }

  private ask(find: Find): void {
    if (find.cancelled) return;
    let next = -1;
    while (find.candidates.length > 0 && next < 0) {
      const c = find.candidates.shift()!;
      if (c !== find.origin && !find.dead.includes(c) && !find.asked.includes(c)) next = c;
      // Every candidate failed: start again from what the origin itself knows (it has forgotten the dead ones).
      if (next < 0 && find.candidates.length === 0 && find.refills < REFILLS && this.t.inRing[find.origin]) {
        find.refills++;
        find.candidates = this.t.candidates(find.origin, find.target, 0, CANDIDATES + 1);
      }
    }
    if (next < 0 || find.hops >= this.options.maxHops) {
      this.ctx.count(next < 0 ? "deadEnds" : "hopLimit");
      find.fail();
      return;
    }
    find.asked.push(next);
    const msg: ChordMessage =
      find.lookup >= 0
        ? { type: "step", lookup: find.lookup, target: find.target, avoid: find.dead.slice(-AVOID) }
        : { type: "findStep", target: find.target, avoid: find.dead.slice(-AVOID), joining: !this.t.inRing[find.origin] };
    this.ctx.request(
      find.origin,
      next,
      msg,
      this.options.requestTimeout,
      (reply) => {
        if (find.cancelled) return;
        if (reply.type !== "stepReply" && reply.type !== "findStepReply") return;
        find.hops++;
        if (reply.owner >= 0) {
          find.done(reply.owner, find.hops);
          return;
        }
        // Better candidates first; the older ones stay as fallbacks.
        for (const c of reply.next) if (!find.namedBy.has(c)) find.namedBy.set(c, next);
        find.candidates = [...reply.next, ...find.candidates];
        this.ask(find);
      },
      () => {
        if (find.cancelled) return;
        this.ctx.count(find.lookup >= 0 ? "lookupTimeouts" : "maintenanceTimeouts");
        this.unusable(find, next);
      },
    );
  }

  /** `peer` timed out: avoid it, and ask again the peer that named it, which (told to avoid it) names the next best. */
  private unusable(find: Find, peer: PeerId): void {
    find.dead.push(peer);
    this.t.forget(find.origin, peer);
    const by = find.namedBy.get(peer);
    if (by !== undefined && !find.dead.includes(by)) {
      const at = find.asked.indexOf(by);
      if (at >= 0) find.asked.splice(at, 1);
      find.namedBy.delete(peer);
      find.candidates.unshift(by);
    }
    this.ask(find);
  }

  /**
   * A peer answers one iterative step: the owner if its successor owns the
   * target, else where to ask next. Peers the asker found dead are skipped,
   * as if this peer had found them dead itself.
   */
  private answerStep(peer: PeerId, target: Uint32Array, avoid: readonly PeerId[], passContacts: boolean): { owner: PeerId; next: PeerId[] } {
    const t = this.t;
    // A peer still joining cannot route, but passes on the contacts it is trying, which may be in the
    // ring: a way forward for another joiner and for a workload lookup. A peer in the ring refreshing its
    // fingers gets nothing: a detour through bootstrap contacts would only cost it hops.
    if (!t.inRing[peer]) return { owner: -1, next: passContacts ? this.contactsOf(peer).slice(0, CANDIDATES) : [] };
    let s = t.successor(peer);
    if (avoid.length > 0) {
      s = -1;
      for (const x of t.successorList(peer)) {
        if (!avoid.includes(x)) {
          s = x;
          break;
        }
      }
    }
    const { ids, W, space } = t;
    if (s >= 0 && space.inOpenClosed(target, 0, ids, peer * W, ids, s * W)) return { owner: s, next: [] };
    const next = t.candidates(peer, target, 0, CANDIDATES + avoid.length).filter((c) => !avoid.includes(c));
    if (next.length > CANDIDATES) next.length = CANDIDATES;
    return { owner: -1, next };
  }

  /**
   * True if `peer` misroutes a query from `asker` (malicious nodes route
   * their accomplices' queries honestly). Only called when adversaries are active.
   */
  private misroutes(peer: PeerId, asker: PeerId): boolean {
    const adversary = this.ctx.adversary;
    return this.t.inRing[peer] === 1 && adversary.misroutes(peer) && !adversary.isMalicious(asker);
  }

  /** A misrouting node's answer: the owner is the accomplice closest before the target (see adversary.ts); null if none is in the ring. */
  private misroute(target: Uint32Array): PeerId {
    const owner = this.accomplices!.preceding(target, 0);
    if (owner >= 0) this.ctx.adversary.misrouted();
    return owner;
  }

  // ── Recursive routing ─────────────────────────────────────────────

  /** `peer` passes `msg` on to its best next hop, falling back to the next best when a hop does not acknowledge. */
  private forward(peer: PeerId, msg: Extract<ChordMessage, { type: "route" }>): void {
    const t = this.t;
    if (msg.hops > this.options.maxHops) {
      this.ctx.count("hopLimit");
      this.report(peer, msg, -1);
      return;
    }
    const next = t.closestPreceding(peer, msg.target, 0);
    if (next < 0) {
      this.ctx.count("deadEnds");
      this.report(peer, msg, -1);
      return;
    }
    if (!this.options.hopAcks) {
      this.ctx.send(peer, next, msg);
      return;
    }
    this.ctx.request(peer, next, msg, this.options.requestTimeout, NOOP, () => {
      this.ctx.count("lookupTimeouts");
      t.forget(peer, next);
      // With the dead peer forgotten, the successor may now be the owner.
      if (t.successorOwns(peer, msg.target, 0)) this.report(peer, msg, t.successor(peer));
      else this.forward(peer, { type: "route", lookup: msg.lookup, target: msg.target, origin: msg.origin, hops: msg.hops });
    });
  }

  /** Tells the origin the owner (or -1: routing failed). */
  private report(peer: PeerId, msg: Extract<ChordMessage, { type: "route" }>, owner: PeerId): void {
    if (peer === msg.origin) this.onFound(peer, msg.lookup, owner, msg.hops);
    else this.ctx.send(peer, msg.origin, { type: "found", lookup: msg.lookup, owner, hops: msg.hops });
  }

  private onFound(to: PeerId, lookup: number, owner: PeerId, hops: number): void {
    const record = this.pending.get(lookup);
    if (!record || record.origin !== to || record.session !== this.t.session[to]) return;
    this.finish(lookup, owner, hops);
  }

  // ── Messages ──────────────────────────────────────────────────────

  handle(to: PeerId, from: PeerId, msg: ChordMessage): boolean {
    switch (msg.type) {
      case "step": {
        if (this.accomplices !== null && this.misroutes(to, from)) {
          const owner = this.misroute(msg.target);
          if (owner >= 0) {
            this.ctx.reply(to, from, msg, { type: "stepReply", lookup: msg.lookup, owner, next: [] });
            return true;
          }
        }
        const a = this.answerStep(to, msg.target, msg.avoid, true);
        this.ctx.reply(to, from, msg, { type: "stepReply", lookup: msg.lookup, owner: a.owner, next: a.next });
        return true;
      }
      case "findStep": {
        // Peers in the ring (fix_fingers, puts) are misrouted too, which poisons their fingers;
        // joiners are answered honestly (see docs/faults.md).
        if (this.accomplices !== null && !msg.joining && this.misroutes(to, from)) {
          const owner = this.misroute(msg.target);
          if (owner >= 0) {
            this.ctx.reply(to, from, msg, { type: "findStepReply", owner, next: [] });
            return true;
          }
        }
        const a = this.answerStep(to, msg.target, msg.avoid, msg.joining);
        this.ctx.reply(to, from, msg, { type: "findStepReply", owner: a.owner, next: a.next });
        return true;
      }
      case "route": {
        if ((msg as Message).rpc !== undefined) this.ctx.reply(to, from, msg, { type: "routeAck", lookup: msg.lookup });
        const t = this.t;
        if (this.accomplices !== null && this.misroutes(to, msg.origin)) {
          const owner = this.misroute(msg.target);
          if (owner >= 0) {
            this.report(to, msg, owner);
            return true;
          }
        }
        if (!t.inRing[to]) this.report(to, msg, -1);
        else if (t.successorOwns(to, msg.target, 0)) this.report(to, msg, t.successor(to));
        else this.forward(to, { type: "route", lookup: msg.lookup, target: msg.target, origin: msg.origin, hops: msg.hops + 1 });
        return true;
      }
      case "found":
        this.onFound(to, msg.lookup, msg.owner, msg.hops);
        return true;
      default:
        return false;
    }
  }
}

const NOOP = () => {};
