import type { PeerId } from "../../peers/population.js";
import type { Message, OverlayContext } from "../../core/protocol.js";
import { Accomplices } from "./adversary.js";
import type { ChordMessage } from "./messages.js";
import type { ChordOptions } from "./options.js";
import type { ChordTables } from "./tables.js";
import type { TrueRing } from "./truth.js";
import { ANSWERED, ASKED, ASKING, CANCELLED, CANDIDATES, DEAD, FindSlots, HOPS, LOOKUP, NAMED, ORIGIN, OWNERS, OWNERS_AT, OWNS, PHASE, REFILLS, STEP, WAITING } from "./find-slots.js";
import { handlersFor, unhandled } from "../../core/handlers.js";

/**
 * Finding the owner of an id: iterative routing (the origin asks each hop
 * for the next one; the paper's simulator, and what join and fix_fingers
 * always use) and recursive routing (each hop forwards the query, the hop
 * after it acknowledges, the last hop answers the origin).
 *
 * Every lookup ends at a live, responsible owner: whoever learns the
 * presumed owner (the origin, iteratively; the owner's predecessor,
 * recursively) contacts it, and on a timeout goes on with the next entry
 * of the successor list that named it, as the paper's lookup does (ToN
 * 2003, §IV-E). A contacted node whose predecessor shows it is not
 * responsible (a newcomer took part of its range) redirects: backwards to
 * its predecessor, or onwards like a routing step.
 *
 * Hops are counted as the paper counts path length: the distinct nodes
 * that answered with routing information after the origin, up to and
 * including the one that knows the owner (the owner's predecessor, which
 * names its successor), plus any presumed owner that redirected. The owner
 * confirming is not a hop, and a node asked again is not a new hop. A
 * lookup the origin answers from its own table takes 0 hops. Requests that
 * timed out are retries, not hops: they are counted per lookup
 * (`ctx.lookupTimedOut`) and in `lookupTimeouts`.
 */

/** How many fallbacks a peer names besides the next hop in an iterative reply. */
const CANDIDATES_PER_STEP = 3;
/** How often an iterative lookup whose candidates all failed starts again from the origin's own table. */
const REFILLS_MAX = 8;
/** How many of the peers it found dead an iterative asker names in each step, so the next hop skips them. */
const AVOID = 32;

interface Pending {
  origin: PeerId;
  session: number;
  /** The workload key looked up, and its id. */
  key: number;
  target: Uint32Array;
  /** Iteratively, the slot of its find in `finds`; -1 for recursive routing. */
  find: number;
}

/** The messages this part takes. */
const ROUTING_TYPES = ["step", "findStep", "route", "routeOwner", "owns", "findOwns", "found"] as const;
type RoutingMessage = Extract<ChordMessage, { type: (typeof ROUTING_TYPES)[number] }>;

export class Routing {
  readonly handlers = handlersFor<ChordMessage, typeof ROUTING_TYPES>(ROUTING_TYPES, (to, from, msg) => this.handle(to, from, msg));
  /** Workload lookups in progress, by lookup id. */
  private readonly pending = new Map<number, Pending>();
  /** The iterative finds in progress (workload lookups and maintenance), one slot each. */
  private readonly finds = new FindSlots((slot) => ({
    reply: (reply) => this.onFindReply(slot, reply as ChordMessage),
    timeout: () => this.onFindTimeout(slot),
  }));
  /** Where misrouting nodes send lookups; null when no node misroutes. */
  private readonly accomplices: Accomplices | null;

  /** Scratch id: a node's id plus half the ring. */
  private readonly half: Uint32Array;

  constructor(
    private readonly ctx: OverlayContext<ChordMessage>,
    private readonly options: ChordOptions,
    private readonly t: ChordTables,
    private readonly truth: TrueRing,
    /** The bootstrap contacts a peer that has not joined yet knows of: it names them when asked the way. */
    private readonly contactsOf: (peer: PeerId, max: number) => PeerId[],
    /** With storage, a lookup that found the true owner goes on to fetch the item; without, it has succeeded. */
    private readonly fetch?: (origin: PeerId, key: number, lookup: number, owner: PeerId, hops: number) => void,
  ) {
    this.accomplices = ctx.adversary.active ? new Accomplices(ctx.adversary, t) : null;
    this.half = new Uint32Array(t.W);
  }

  // ── Workload lookups ──────────────────────────────────────────────

  lookup(origin: PeerId, key: number, target: Uint32Array, lookup: number): void {
    const t = this.t;
    if (!t.inRing[origin]) {
      this.ctx.count("lookupsNotInRing");
      this.ctx.lookupFailed(lookup);
      return;
    }
    const record: Pending = { origin, session: t.session[origin]!, key, target, find: -1 };
    this.pending.set(lookup, record);
    if (this.options.routing === "recursive") {
      if (t.successorOwns(origin, target, 0)) this.toOwner(origin, { type: "routeOwner", lookup, target, origin, hops: 0, avoid: NONE }, 0, NONE);
      else this.forward(origin, { type: "route", lookup, target, origin, hops: 1 }, NONE);
      return;
    }
    const slot = this.finds.take(origin);
    this.finds.set(slot, LOOKUP, lookup);
    this.finds.target[slot] = target;
    record.find = slot;
    this.startFind(slot);
  }

  abandon(lookup: number): void {
    const record = this.pending.get(lookup);
    if (record !== undefined && record.find >= 0) this.cancelFind(record.find);
    this.pending.delete(lookup);
  }

  /** `peer` went offline: its lookups in progress end with it, and so do its finds (their answers and timeouts will never come). */
  dropLookupsOf(peer: PeerId): void {
    for (const [id, record] of this.pending) {
      if (record.origin !== peer) continue;
      this.pending.delete(id);
    }
    this.finds.releaseAllOf(peer);
  }

  /** A find given up from outside (its workload lookup timed out): freed now, or when the request in flight ends. */
  private cancelFind(slot: number): void {
    const finds = this.finds;
    if (finds.get(slot, WAITING) === 0) finds.release(slot);
    else finds.set(slot, CANCELLED, 1);
  }

  /** The find in `slot` found `owner` (or -1: it failed): its slot is freed, then its origin told. */
  private endFind(slot: number, owner: PeerId): void {
    const finds = this.finds;
    const lookup = finds.get(slot, LOOKUP);
    const hops = finds.get(slot, HOPS);
    const done = finds.done[slot]!;
    const fail = finds.fail[slot]!;
    finds.release(slot);
    if (lookup >= 0) this.finish(lookup, owner, owner < 0 ? 0 : hops);
    else if (owner >= 0) done(owner, hops);
    else fail();
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
    if (!this.truth.isOwner(owner, record.target, 0)) {
      this.ctx.count("wrongOwner");
      // A malicious node named as the owner (a misrouted lookup): the origin cannot tell, so with
      // storage it asks that node for the item, which serves nothing or a corrupted value.
      if (this.fetch && adversary.active && adversary.isMalicious(owner)) {
        this.fetch(record.origin, record.key, lookup, owner, hops);
        return;
      }
      this.ctx.lookupFailed(lookup, owner);
      return;
    }
    // Without storage the lookup is a routing one: reaching the true owner is its success.
    if (this.fetch) this.fetch(record.origin, record.key, lookup, owner, hops);
    else this.ctx.lookupSucceeded(lookup, hops, owner);
  }

  // ── Iterative routing ─────────────────────────────────────────────
  //
  // A find's numbers and lists are one record in FindSlots, read and written through its methods
  // (see find-slots.ts for why).

  /** Maintenance lookup (join, fix_fingers): iterative, from `origin`, or from `via` when the origin has no table yet. */
  findOwner(origin: PeerId, target: Uint32Array, via: PeerId, done: (owner: PeerId) => void, fail: () => void): void {
    const finds = this.finds;
    const slot = finds.take(origin);
    finds.target[slot] = target;
    finds.done[slot] = done;
    finds.fail[slot] = fail;
    if (via >= 0) {
      finds.push(slot, CANDIDATES, via);
      this.ask(slot);
    } else this.startFind(slot);
  }

  /** The origin's own step: answers from its table, or picks the first peer to ask. */
  private startFind(slot: number): void {
    const t = this.t;
    const finds = this.finds;
    const origin = finds.get(slot, ORIGIN);
    const target = finds.target[slot]!;
    if (t.successorOwns(origin, target, 0)) {
      const base = origin * t.r;
      const count = t.successorCount[origin]!;
      finds.makeRoom(slot, OWNERS, count);
      for (let j = 0; j < count; j++) finds.setItem(slot, OWNERS, j, t.successors[base + j]!);
      finds.setLength(slot, OWNERS, count);
      finds.set(slot, OWNERS_AT, 0);
      this.confirm(slot);
      return;
    }
    this.replaceCandidates(slot, t.candidates(origin, target, 0, CANDIDATES_PER_STEP + 1));
    this.ask(slot);
  }

  /**
   * Sends the find's request (a step or an ownership question) to `to`, answered through the slot's own handlers.
   * Requests are made with `rpc: undefined` and replies with `replyTo: undefined`: room for the token the
   * context stamps on them, as a property added later would not fit the object and cost a second allocation.
   */
  private sendFindRequest(slot: number, to: PeerId, phase: number, msg: ChordMessage): void {
    const finds = this.finds;
    finds.set(slot, ASKING, to);
    finds.set(slot, PHASE, phase);
    finds.set(slot, WAITING, 1);
    this.ctx.request(finds.get(slot, ORIGIN), to, msg, this.options.requestTimeout, finds.reply[slot]!, finds.timeout[slot]!);
  }

  /** The reply to the find's request in flight. */
  private onFindReply(slot: number, reply: ChordMessage): void {
    const peer = this.requestEnded(slot);
    if (peer < 0) return;
    if (this.finds.get(slot, PHASE) === OWNS) this.onOwnsReply(slot, peer, reply);
    else this.onStepReply(slot, peer, reply);
  }

  /** The find's request in flight got no answer in time. */
  private onFindTimeout(slot: number): void {
    const peer = this.requestEnded(slot);
    if (peer < 0) return;
    this.timedOut(slot, peer);
    if (this.finds.get(slot, PHASE) === OWNS) this.confirm(slot);
    else this.unusable(slot, peer);
  }

  /**
   * The find's request in flight ended (answered or timed out): the peer it asked, or −1 when
   * there is nothing to go on with — no request was in flight (the slot was freed with its
   * origin's session; the runtime drops such calls, this is a guard), or the find was given up
   * meanwhile (its slot is freed now).
   */
  private requestEnded(slot: number): PeerId {
    const finds = this.finds;
    if (finds.get(slot, WAITING) === 0) return -1;
    finds.set(slot, WAITING, 0);
    if (finds.get(slot, CANCELLED) !== 0) {
      finds.release(slot);
      return -1;
    }
    return finds.get(slot, ASKING);
  }

  /**
   * Contacts the presumed owner (the next of the find's owners not found
   * dead): it confirms, or redirects (a newcomer took part of its range, or
   * the presumption was wrong). Once every presumed owner has failed,
   * routing steps go on from the candidates, with the dead ones avoided.
   */
  private confirm(slot: number): void {
    const finds = this.finds;
    const origin = finds.get(slot, ORIGIN);
    // A joiner looking up its own id wants the peer after itself: others may already name it (it notified
    // them, or they remember its previous session), and taking that as a failed contact kept joiners out.
    const joining = !this.t.inRing[origin];
    const ownersN = finds.length(slot, OWNERS);
    let at = finds.get(slot, OWNERS_AT);
    let owner = -1;
    while (at < ownersN && owner < 0) {
      const o = finds.item(slot, OWNERS, at++);
      if (!finds.has(slot, DEAD, o) && !(joining && o === origin)) owner = o;
    }
    finds.set(slot, OWNERS_AT, at);
    if (owner < 0) {
      this.ask(slot);
      return;
    }
    // The origin owns the target itself (its own successor list wrapped round to it).
    if (owner === origin) {
      this.endFind(slot, owner);
      return;
    }
    const avoid = this.lastDead(slot);
    const lookup = finds.get(slot, LOOKUP);
    const target = finds.target[slot]!;
    const msg = lookup >= 0 ? ({ type: "owns", lookup, target, avoid, rpc: undefined } as ChordMessage) : ({ type: "findOwns", target, avoid, rpc: undefined } as ChordMessage);
    this.sendFindRequest(slot, owner, OWNS, msg);
  }

  private onOwnsReply(slot: number, owner: PeerId, reply: ChordMessage): void {
    if (reply.type !== "ownsReply" && reply.type !== "findOwnsReply") return;
    if (reply.owner === owner) {
      this.endFind(slot, owner);
      return;
    }
    if (reply.owner < 0 && reply.next.length === 0) {
      // Not in the ring (it crashed and is joining again): on to the next presumed owner.
      this.markDead(slot, owner);
      this.confirm(slot);
      return;
    }
    this.advance(slot, owner, reply);
  }

  /** `peer` answered with routing information: one more hop, unless it had answered before. */
  private answeredBy(slot: number, peer: PeerId): void {
    const finds = this.finds;
    if (finds.has(slot, ANSWERED, peer)) return;
    finds.push(slot, ANSWERED, peer);
    finds.set(slot, HOPS, finds.get(slot, HOPS) + 1);
  }

  /** Adds `peer` to the find's dead peers, unless it is there. */
  private markDead(slot: number, peer: PeerId): void {
    const finds = this.finds;
    if (!finds.has(slot, DEAD, peer)) finds.push(slot, DEAD, peer);
  }

  /** A request of the find to `peer` got no answer: a retry, counted per lookup; the table forgets `peer` unless the policy keeps it. */
  private timedOut(slot: number, peer: PeerId): void {
    const finds = this.finds;
    const lookup = finds.get(slot, LOOKUP);
    if (lookup >= 0) {
      this.ctx.count("lookupTimeouts");
      this.ctx.lookupTimedOut(lookup);
    } else this.ctx.count("maintenanceTimeouts");
    this.markDead(slot, peer);
    if (this.options.onTimeout === "forget") this.t.forget(finds.get(slot, ORIGIN), peer);
  }

  /** The origin refills the candidates from its own table, past the peers found dead or asked (which its table still holds under onTimeout "keep"). */
  private refill(slot: number): void {
    const finds = this.finds;
    finds.set(slot, REFILLS, finds.get(slot, REFILLS) + 1);
    const many = CANDIDATES_PER_STEP + 1 + finds.length(slot, DEAD) + finds.length(slot, ASKED);
    this.replaceCandidates(slot, this.t.candidates(finds.get(slot, ORIGIN), finds.target[slot]!, 0, many));
  }

  /** True if the find may refill its candidates: none left, refills left, and its origin in the ring. */
  private mayRefill(slot: number): boolean {
    const finds = this.finds;
    return finds.length(slot, CANDIDATES) === 0 && finds.get(slot, REFILLS) < REFILLS_MAX && this.t.inRing[finds.get(slot, ORIGIN)] === 1;
  }

  private ask(slot: number): void {
    const finds = this.finds;
    const t = this.t;
    const origin = finds.get(slot, ORIGIN);
    const target = finds.target[slot]!;
    let next = -1;
    if (this.mayRefill(slot)) this.refill(slot);
    while (finds.length(slot, CANDIDATES) > 0 && next < 0) {
      const c = finds.pop(slot, CANDIDATES);
      if (c === origin && t.inRing[c] && !finds.has(slot, ASKED, c)) {
        // Routing led back to the origin (a lookup that started elsewhere, like the successor check of
        // fix_fingers): it answers this step from its own table, once.
        finds.push(slot, ASKED, c);
        const deadN = finds.length(slot, DEAD);
        const next = this.answerStep(c, target, deadN === 0 ? NONE : finds.slice(slot, DEAD, 0, deadN), false);
        if (this.answerOwner >= 0) {
          this.setOwners(slot, this.answerOwner, next);
          this.confirm(slot);
          return;
        }
        this.preferCandidates(slot, next);
        continue;
      }
      if (c !== origin && !finds.has(slot, DEAD, c) && !finds.has(slot, ASKED, c)) next = c;
      // Every candidate failed: start again from what the origin itself knows.
      if (next < 0 && this.mayRefill(slot)) this.refill(slot);
    }
    if (next < 0 || finds.get(slot, HOPS) >= this.options.maxHops) {
      this.ctx.count(next < 0 ? "deadEnds" : "hopLimit");
      this.endFind(slot, -1);
      return;
    }
    finds.push(slot, ASKED, next);
    const lookup = finds.get(slot, LOOKUP);
    const avoid = this.lastDead(slot);
    const msg =
      lookup >= 0
        ? ({ type: "step", lookup, target, avoid, rpc: undefined } as ChordMessage)
        : ({ type: "findStep", target, avoid, joining: !t.inRing[origin], rpc: undefined } as ChordMessage);
    this.sendFindRequest(slot, next, STEP, msg);
  }

  /** The peers the find names as dead in its next request (the shared empty list when there are none: messages only read it). */
  private lastDead(slot: number): readonly PeerId[] {
    const n = this.finds.length(slot, DEAD);
    return n === 0 ? NONE : this.finds.slice(slot, DEAD, Math.max(0, n - AVOID), n);
  }

  private onStepReply(slot: number, next: PeerId, reply: ChordMessage): void {
    if (reply.type !== "stepReply" && reply.type !== "findStepReply") return;
    this.advance(slot, next, reply);
  }

  /** `peer` answered a step: confirm the owners it names, or go on to the candidates it names. */
  private advance(slot: number, peer: PeerId, reply: { readonly owner: PeerId; readonly next: readonly PeerId[] }): void {
    this.answeredBy(slot, peer);
    if (reply.owner >= 0) {
      this.setOwners(slot, reply.owner, reply.next);
      this.confirm(slot);
      return;
    }
    // Better candidates first; the older ones stay as fallbacks.
    this.nameCandidates(slot, reply.next, peer);
    this.preferCandidates(slot, reply.next);
    this.ask(slot);
  }

  /** `peer` timed out: avoid it, and ask again the peer that named it, which (told to avoid it) names the next best. */
  private unusable(slot: number, peer: PeerId): void {
    const finds = this.finds;
    const by = this.namerOf(slot, peer);
    if (by >= 0 && !finds.has(slot, DEAD, by)) {
      // Asked no more: out of the asked list (the rest keep their order).
      const at = finds.indexOf(slot, ASKED, by);
      if (at >= 0) finds.removeAt(slot, ASKED, at);
      this.forgetNamer(slot, peer);
      finds.push(slot, CANDIDATES, by);
    }
    this.ask(slot);
  }

  /** The presumed owner and the successors after it become the find's owners to contact. */
  private setOwners(slot: number, owner: PeerId, next: readonly PeerId[]): void {
    const finds = this.finds;
    finds.makeRoom(slot, OWNERS, 1 + next.length);
    finds.setItem(slot, OWNERS, 0, owner);
    for (let j = 0; j < next.length; j++) finds.setItem(slot, OWNERS, 1 + j, next[j]!);
    finds.setLength(slot, OWNERS, 1 + next.length);
    finds.set(slot, OWNERS_AT, 0);
  }

  /** Puts `better` (best first) ahead of every candidate the find has. */
  private preferCandidates(slot: number, better: readonly PeerId[]): void {
    const finds = this.finds;
    const n = finds.length(slot, CANDIDATES);
    finds.makeRoom(slot, CANDIDATES, n + better.length);
    for (let j = better.length - 1, k = n; j >= 0; j--, k++) finds.setItem(slot, CANDIDATES, k, better[j]!);
    finds.setLength(slot, CANDIDATES, n + better.length);
  }

  /** Makes `list` (best first) the candidates of the find. */
  private replaceCandidates(slot: number, list: readonly PeerId[]): void {
    const finds = this.finds;
    const n = list.length;
    finds.makeRoom(slot, CANDIDATES, n);
    for (let j = 0; j < n; j++) finds.setItem(slot, CANDIDATES, j, list[n - 1 - j]!);
    finds.setLength(slot, CANDIDATES, n);
  }

  /** Remembers that `by` named each of `next` (the first peer to name a candidate keeps it: see `namerOf`). */
  private nameCandidates(slot: number, next: readonly PeerId[], by: PeerId): void {
    const finds = this.finds;
    const n = finds.length(slot, NAMED);
    finds.makeRoom(slot, NAMED, n + 2 * next.length);
    for (let j = 0; j < next.length; j++) {
      finds.setItem(slot, NAMED, n + 2 * j, next[j]!);
      finds.setItem(slot, NAMED, n + 2 * j + 1, by);
    }
    finds.setLength(slot, NAMED, n + 2 * next.length);
  }

  /** The first peer that named `candidate` since it was last forgotten, or -1. */
  private namerOf(slot: number, candidate: PeerId): PeerId {
    const finds = this.finds;
    const n = finds.length(slot, NAMED);
    for (let k = 0; k < n; k += 2) if (finds.item(slot, NAMED, k) === candidate) return finds.item(slot, NAMED, k + 1);
    return -1;
  }

  /** Forgets who named `candidate` so far (a later naming counts anew): its pairs are struck out. */
  private forgetNamer(slot: number, candidate: PeerId): void {
    const finds = this.finds;
    const n = finds.length(slot, NAMED);
    for (let k = 0; k < n; k += 2) if (finds.item(slot, NAMED, k) === candidate) finds.setItem(slot, NAMED, k, -1);
  }

  /** The owner named by the last `answerStep` or `answerOwns` (-1: none), beside the list they return: no result object per step. */
  private answerOwner: PeerId = -1;

  private answer(owner: PeerId, next: PeerId[]): PeerId[] {
    this.answerOwner = owner;
    return next;
  }

  /**
   * A peer answers one iterative step: the owner if its successor owns the
   * target, else where to ask next. Peers the asker found dead are skipped,
   * as if this peer had found them dead itself.
   */
  private answerStep(peer: PeerId, target: Uint32Array, avoid: readonly PeerId[], passContacts: boolean): PeerId[] {
    const t = this.t;
    // A peer still joining cannot route, but passes on the contacts it is trying, which may be in the
    // ring: a way forward for another joiner and for a workload lookup. A peer in the ring refreshing its
    // fingers gets nothing: a detour through bootstrap contacts would only cost it hops.
    if (!t.inRing[peer]) return this.answer(-1, passContacts ? this.contactsOf(peer, CANDIDATES_PER_STEP) : []);
    if (avoid.length === 0) {
      // The hot record answers "does my successor own it?" without reading the successor list or either id.
      if (t.successorOwns(peer, target, 0)) {
        const s = t.successor(peer);
        return this.answer(s, this.fallbacks(peer, s, avoid));
      }
    } else {
      let s = -1;
      for (const x of t.successorList(peer)) {
        if (!avoid.includes(x)) {
          s = x;
          break;
        }
      }
      const { ids, W, space } = t;
      if (s >= 0 && space.inOpenClosed(target, 0, ids, peer * W, ids, s * W)) return this.answer(s, this.fallbacks(peer, s, avoid));
    }
    const found = t.candidates(peer, target, 0, CANDIDATES_PER_STEP + avoid.length);
    const next = avoid.length === 0 ? found : found.filter((c) => !avoid.includes(c));
    if (next.length > CANDIDATES_PER_STEP) next.length = CANDIDATES_PER_STEP;
    return this.answer(-1, next);
  }

  /** The successors of `peer` after `owner`, to try in turn if `owner` does not answer (the paper's successor-list fallback). */
  private fallbacks(peer: PeerId, owner: PeerId, avoid: readonly PeerId[]): PeerId[] {
    const t = this.t;
    const base = peer * t.r;
    const count = t.successorCount[peer]!;
    let at = 0;
    while (at < count && t.successors[base + at] !== owner) at++;
    // Read from the successor list in place, into an array of the right size when nothing is avoided
    // (the reply carries it for a round trip: one allocation, no growth).
    const from = at < count ? at + 1 : 0;
    if (avoid.length === 0) {
      const out: PeerId[] = new Array(count - from);
      for (let j = from; j < count; j++) out[j - from] = t.successors[base + j]!;
      return out;
    }
    const out: PeerId[] = [];
    for (let j = from; j < count; j++) if (!avoid.includes(t.successors[base + j]!)) out.push(t.successors[base + j]!);
    return out;
  }

  /**
   * A node asked whether it owns `target`: yes (`owner` is itself) when
   * target ∈ (predecessor, self], or when it knows no live predecessor; if
   * the target lies behind it, its predecessor is the presumed owner; else
   * it answers as a routing step would. Peers the asker found dead do not
   * count as a predecessor.
   */
  private answerOwns(peer: PeerId, asker: PeerId, target: Uint32Array, avoid: readonly PeerId[]): PeerId[] {
    const t = this.t;
    if (!t.inRing[peer]) return this.answer(-1, []);
    const { ids, W, space } = t;
    const p = t.predecessor[peer]!;
    // The asker is this node's predecessor: a joiner (or a peer checking its successor) asking for the peer after itself.
    if (p < 0 || p === peer || p === asker || avoid.includes(p) || t.inRangeOf(peer, p, target, 0)) return this.answer(peer, []);
    // Behind: within half a ring counter-clockwise. A newcomer between the old predecessor and this node owns it.
    space.addPow2(ids, peer * W, t.m - 1, this.half, 0);
    // If that predecessor turns out dead, this node has taken over its range: it is the fallback.
    if (space.inOpen(target, 0, this.half, 0, ids, peer * W)) return this.answer(p, [peer]);
    return this.answerStep(peer, target, avoid, false);
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

  /**
   * `peer` passes `msg` on to its best next hop, falling back to the next
   * best when a hop does not acknowledge. `tried` are the hops that already
   * failed for this message here (needed when the table keeps dead entries).
   */
  private forward(peer: PeerId, msg: RouteMessage, tried: readonly PeerId[]): void {
    const t = this.t;
    if (msg.hops > this.options.maxHops) {
      this.ctx.count("hopLimit");
      this.report(peer, msg, -1);
      return;
    }
    const next = tried.length === 0 ? t.closestPreceding(peer, msg.target, 0) : this.nextUntried(peer, msg.target, tried);
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
      const failed = [...tried, next];
      this.hopTimedOut(peer, msg.lookup, next);
      // With the dead hop out of the way, the successor may now be the presumed owner.
      const j = this.firstUntriedSuccessor(peer, failed);
      const retry: RouteMessage = { type: "route", lookup: msg.lookup, target: msg.target, origin: msg.origin, hops: msg.hops };
      if (j >= 0 && t.space.inOpenClosed(msg.target, 0, t.ids, peer * t.W, t.ids, t.successors[peer * t.r + j]! * t.W)) {
        this.toOwner(peer, { type: "routeOwner", lookup: msg.lookup, target: msg.target, origin: msg.origin, hops: msg.hops - 1, avoid: NONE }, j, failed);
      } else this.forward(peer, retry, failed);
    });
  }

  /** The best known peer towards `target` that is not in `tried`, or -1. */
  private nextUntried(peer: PeerId, target: Uint32Array, tried: readonly PeerId[]): PeerId {
    for (const c of this.t.candidates(peer, target, 0, CANDIDATES_PER_STEP + tried.length)) if (!tried.includes(c)) return c;
    return -1;
  }

  /** Index in `peer`'s successor list of the first entry not in `tried`, or -1. */
  private firstUntriedSuccessor(peer: PeerId, tried: readonly PeerId[]): number {
    const t = this.t;
    const base = peer * t.r;
    for (let j = 0; j < t.successorCount[peer]!; j++) if (!tried.includes(t.successors[base + j]!)) return j;
    return -1;
  }

  /** A hop of recursive lookup `lookup` from `peer` did not acknowledge: a retry for that lookup; forgotten unless the policy keeps it. */
  private hopTimedOut(peer: PeerId, lookup: number, dead: PeerId): void {
    this.ctx.count("lookupTimeouts");
    this.ctx.lookupTimedOut(lookup);
    if (this.options.onTimeout === "forget") this.t.forget(peer, dead);
  }

  /**
   * The last hop `peer` (whose successor list holds the owner) hands the
   * query to its successor-list entry `j`, the presumed owner, which answers
   * the origin; if it does not acknowledge, the next entry is tried.
   */
  private toOwner(peer: PeerId, msg: OwnerMessage, j: number, tried: readonly PeerId[]): void {
    const t = this.t;
    let owner = -1;
    const base = peer * t.r;
    for (; j < t.successorCount[peer]! && owner < 0; j++) {
      const s = t.successors[base + j]!;
      if (!tried.includes(s)) owner = s;
    }
    if (owner < 0) {
      this.ctx.count("deadEnds");
      this.report(peer, msg, -1);
      return;
    }
    if (owner === peer) {
      this.report(peer, msg, peer);
      return;
    }
    if (!this.options.hopAcks) {
      this.ctx.send(peer, owner, msg);
      return;
    }
    this.ctx.request(peer, owner, msg, this.options.requestTimeout, NOOP, () => {
      this.hopTimedOut(peer, msg.lookup, owner);
      this.toOwner(peer, { ...msg, avoid: [...msg.avoid, owner].slice(-AVOID) }, 0, [...tried, owner]);
    });
  }

  /** Tells the origin the owner (or -1: routing failed). */
  private report(peer: PeerId, msg: RouteMessage | OwnerMessage, owner: PeerId): void {
    if (peer === msg.origin) this.onFound(peer, msg.lookup, owner, msg.hops);
    else this.ctx.send(peer, msg.origin, { type: "found", lookup: msg.lookup, owner, hops: msg.hops });
  }

  private onFound(to: PeerId, lookup: number, owner: PeerId, hops: number): void {
    const record = this.pending.get(lookup);
    if (!record || record.origin !== to || record.session !== this.t.session[to]) return;
    this.finish(lookup, owner, hops);
  }

  // ── Messages ──────────────────────────────────────────────────────

  private handle(to: PeerId, from: PeerId, msg: RoutingMessage): void {
    switch (msg.type) {
      case "step": {
        if (this.accomplices !== null && this.misroutes(to, from)) {
          const owner = this.misroute(msg.target);
          if (owner >= 0) {
            this.ctx.reply(to, from, msg, { type: "stepReply", lookup: msg.lookup, owner, next: [], replyTo: undefined } as ChordMessage);
            return;
          }
        }
        const next = this.answerStep(to, msg.target, msg.avoid, true);
        this.ctx.reply(to, from, msg, { type: "stepReply", lookup: msg.lookup, owner: this.answerOwner, next, replyTo: undefined } as ChordMessage);
        return;
      }
      case "findStep": {
        // Peers in the ring (fix_fingers, puts) are misrouted too, which poisons their fingers;
        // joiners are answered honestly (see docs/faults.md).
        if (this.accomplices !== null && !msg.joining && this.misroutes(to, from)) {
          const owner = this.misroute(msg.target);
          if (owner >= 0) {
            this.ctx.reply(to, from, msg, { type: "findStepReply", owner, next: [], replyTo: undefined } as ChordMessage);
            return;
          }
        }
        const next = this.answerStep(to, msg.target, msg.avoid, msg.joining);
        this.ctx.reply(to, from, msg, { type: "findStepReply", owner: this.answerOwner, next, replyTo: undefined } as ChordMessage);
        return;
      }
      case "route": {
        if ((msg as Message).rpc !== undefined) this.ctx.reply(to, from, msg, { type: "routeAck", lookup: msg.lookup });
        const t = this.t;
        if (this.accomplices !== null && this.misroutes(to, msg.origin)) {
          const owner = this.misroute(msg.target);
          if (owner >= 0) {
            this.report(to, msg, owner);
            return;
          }
        }
        if (!t.inRing[to]) this.report(to, msg, -1);
        else if (t.successorOwns(to, msg.target, 0)) this.toOwner(to, { type: "routeOwner", lookup: msg.lookup, target: msg.target, origin: msg.origin, hops: msg.hops, avoid: NONE }, 0, NONE);
        else if (!this.options.hopAcks) {
          // Nothing holds on to a delivered query sent without acknowledgement: it travels on as the same object.
          msg.hops++;
          this.forward(to, msg, NONE);
        } else this.forward(to, { type: "route", lookup: msg.lookup, target: msg.target, origin: msg.origin, hops: msg.hops + 1 }, NONE);
        return;
      }
      case "routeOwner": {
        if ((msg as Message).rpc !== undefined) this.ctx.reply(to, from, msg, { type: "routeAck", lookup: msg.lookup });
        if (this.accomplices !== null && this.misroutes(to, msg.origin)) {
          this.report(to, msg, to);
          return;
        }
        const next = this.answerOwns(to, msg.origin, msg.target, msg.avoid);
        const owner = this.answerOwner;
        if (owner === to) this.report(to, msg, to);
        else if (owner >= 0) {
          // A redirecting presumed owner is one more node on the path.
          const hops = msg.hops + 1;
          if (hops > this.options.maxHops) {
            this.ctx.count("hopLimit");
            this.report(to, msg, -1);
          } else this.redirect(to, { type: "routeOwner", lookup: msg.lookup, target: msg.target, origin: msg.origin, hops, avoid: msg.avoid }, owner, next);
        } else if (!this.t.inRing[to]) this.report(to, msg, -1);
        else this.forward(to, { type: "route", lookup: msg.lookup, target: msg.target, origin: msg.origin, hops: msg.hops + 1 }, NONE);
        return;
      }
      case "owns": {
        if (this.accomplices !== null && this.misroutes(to, from)) {
          this.ctx.reply(to, from, msg, { type: "ownsReply", lookup: msg.lookup, owner: to, next: [], replyTo: undefined } as ChordMessage);
          return;
        }
        const next = this.answerOwns(to, from, msg.target, msg.avoid);
        this.ctx.reply(to, from, msg, { type: "ownsReply", lookup: msg.lookup, owner: this.answerOwner, next, replyTo: undefined } as ChordMessage);
        return;
      }
      case "findOwns": {
        // A peer still joining accepts, as before this check existed: its own join will place it (a joiner that
        // was refused kept retrying while the ring around it formed).
        const next = this.t.inRing[to] ? this.answerOwns(to, from, msg.target, msg.avoid) : this.answer(to, []);
        this.ctx.reply(to, from, msg, { type: "findOwnsReply", owner: this.answerOwner, next, replyTo: undefined } as ChordMessage);
        return;
      }
      case "found":
        this.onFound(to, msg.lookup, msg.owner, msg.hops);
        return;
      default:
        unhandled(msg);
    }
  }

  /** A presumed owner that is not responsible passes the query to `owner` (then `fallbacks`), which it believes is. */
  private redirect(peer: PeerId, msg: OwnerMessage, owner: PeerId, fallbacks: readonly PeerId[]): void {
    const targets = [owner, ...fallbacks];
    const tryAt = (i: number, avoid: readonly PeerId[]): void => {
      if (i >= targets.length) {
        this.ctx.count("deadEnds");
        this.report(peer, msg, -1);
        return;
      }
      if (targets[i] === peer) {
        // Its predecessor did not answer: this node now covers the predecessor's range, and is not a hop.
        this.report(peer, { ...msg, hops: msg.hops - 1 }, peer);
        return;
      }
      const next: OwnerMessage = { ...msg, avoid };
      if (!this.options.hopAcks) {
        this.ctx.send(peer, targets[i]!, next);
        return;
      }
      this.ctx.request(peer, targets[i]!, next, this.options.requestTimeout, NOOP, () => {
        this.hopTimedOut(peer, msg.lookup, targets[i]!);
        tryAt(i + 1, [...avoid, targets[i]!].slice(-AVOID));
      });
    };
    tryAt(0, msg.avoid);
  }
}

type RouteMessage = Extract<ChordMessage, { type: "route" }>;
type OwnerMessage = Extract<ChordMessage, { type: "routeOwner" }>;

const NOOP = () => {};
const NONE: readonly PeerId[] = [];
