import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../../core/protocol.js";
import type { Buckets } from "./buckets.js";
import type { KadIds } from "./ids.js";
import type { KademliaMessage } from "./messages.js";
import { RpcDeadlines } from "./rpc-deadlines.js";

/**
 * The iterative node lookup of §2.3, used for FIND_NODE and FIND_VALUE,
 * for workload lookups and for the lookups of joins, refreshes and stores.
 *
 * The origin keeps a *shortlist* of the peers it has heard of, sorted by
 * XOR distance to the target, each unqueried, pending, answered or failed.
 * It starts from the k closest contacts of its own table and keeps up to α
 * RPCs in flight, always to the closest unqueried peer among the k closest
 * that have not failed (a new RPC goes out as soon as one returns, as the
 * paper allows, rather than in lock-step rounds). When α replies in a row
 * (a round's worth) bring no peer closer than the closest already seen,
 * every unqueried peer among the k closest is asked at once, as the paper
 * prescribes, so the last step costs one round trip, not k/α. A peer that does not
 * answer within the timeout is failed and leaves the k closest. The lookup
 * ends when the k closest non-failed peers have all answered — the paper's
 * termination rule — or, for FIND_VALUE, as soon as one returns the value.
 *
 * **Depth.** Each shortlist entry has a depth: 1 for the origin's own
 * contacts, one more than the peer that named it otherwise. The depth of
 * the peer that holds the answer is the lookup's hop count (RPCs in
 * sequence to reach it); the deepest peer queried gives its rounds.
 *
 * **Timeouts.** RPCs have no timer each: the engine's RpcDeadlines times
 * them out, in the order they were sent, with one timer. A reply that
 * comes at or after its RPC's deadline is ignored, as it would be after a
 * timer of its own. RPCs still out when the lookup ends keep their
 * deadlines: a late timeout still counts against the contact's bucket
 * entry, as a reply still counts for it. A lookup whose origin has left
 * gets neither.
 */

export const UNQUERIED = 0;
export const PENDING = 1;
export const ANSWERED = 2;
export const FAILED = 3;
/** An unqueried entry dropped from the shortlist as too far (its slot is not reused). */
const DROPPED = 4;

export type LookupKind = "node" | "value" | "maintenance";

const NO_PEERS = new Int32Array(0);
const NO_BYTES = new Uint8Array(0);
const NO_WORDS = new Uint32Array(0);
const NO_TIMES = new Float64Array(0);
/** The `onTimeout` of a lookup's RPCs, which never runs: they have no timer of their own (see Timeouts above). */
const NO_TIMEOUT = () => {};
/** What an ended lookup keeps in place of its `onDone`. */
const NO_DONE = () => {};

/** The typed arrays behind one shortlist (see Lookup). */
export interface ShortlistBuffers {
  peers: Int32Array;
  state: Uint8Array;
  depth: Uint8Array;
  dist0: Uint32Array;
  order: Int32Array;
  known: Int32Array;
  deadline: Float64Array;
}

/** Fresh shortlist arrays: room for 64 entries, and a known set for a few hundred peers (most lookups never grow them). */
export function newShortlistBuffers(): ShortlistBuffers {
  return {
    peers: new Int32Array(64),
    state: new Uint8Array(64),
    depth: new Uint8Array(64),
    dist0: new Uint32Array(64),
    order: new Int32Array(64),
    known: new Int32Array(512),
    deadline: new Float64Array(64),
  };
}

/** One lookup in progress, with its shortlist in typed arrays. */
export class Lookup {
  /**
   * Shortlist entries, by entry number (0, 1, ... in the order they were
   * added; an entry keeps its number while it is on the list): the peer,
   * its state, depth, and the top word of its distance to the target. Only
   * the top word is kept: it orders almost every pair, and the rare tie is
   * settled from the ids (KadIds.cmpPeerDistance).
   */
  peers: Int32Array = NO_PEERS;
  state: Uint8Array = NO_BYTES;
  depth: Uint8Array = NO_BYTES;
  dist0: Uint32Array = NO_WORDS;
  /**
   * The entries on the shortlist, sorted by distance to the target:
   * order[0..len). Inserting shifts this one array, not the four above, and
   * an RPC's callback holds its entry number, so a reply finds its entry
   * without a search.
   */
  order: Int32Array = NO_PEERS;
  /** When each queried entry's RPC times out (ms). */
  deadline: Float64Array = NO_TIMES;
  /** RPCs neither answered nor timed out, the lookup ended or not (inFlight counts only while it runs). */
  outstanding = 0;
  /** How many sessions the origin had ended when the lookup started (see LookupEngine.originGone). */
  session = 0;
  len = 0;
  /** Entries numbered so far (dropped ones included). */
  entries = 0;
  /**
   * order[0..settled) are all answered or failed, `settledAnswered` of them
   * answered: the head of the list every `advance` would otherwise walk
   * again (it grows as replies come, and shrinks when a closer peer is
   * offered).
   */
  settled = 0;
  settledAnswered = 0;
  unqueried = 0;
  inFlight = 0;
  rpcs = 0;
  timeouts = 0;
  /** Deepest peer queried: the lookup's rounds. */
  rounds = 0;
  /** Depth of the peer that returned the value (FIND_VALUE), or 0. */
  foundDepth = 0;
  /** The peer whose value ended the lookup (FIND_VALUE), or -1. */
  holder: PeerId = -1;
  done = false;
  cancelled = false;
  /** Replies in a row that brought no peer closer than the closest already seen. */
  stale = 0;
  /** Set once α replies in a row brought nothing closer: every unqueried peer among the k closest is asked at once. */
  final = false;
  /** The target's top word (distances' top words are `top[peer] ^ target0`). */
  readonly target0: number;

  constructor(
    readonly origin: PeerId,
    readonly kind: LookupKind,
    /** The target id (own copy, W words). */
    readonly target: Uint32Array,
    /** The workload lookup id, or -1 for maintenance. */
    readonly id: number,
    /** The workload key of a FIND_VALUE, or -1. */
    readonly key: number,
    /** Called once when the lookup ends: with the value found (FIND_VALUE) or with the k closest settled. */
    onDone: (lookup: Lookup, found: boolean) => void,
  ) {
    this.target0 = target[0]!;
    this.onDone = onDone;
  }

  /**
   * Called once when the lookup ends, then dropped: the deadlines of RPCs
   * still out hold the lookup for up to a timeout longer, and they need not
   * hold what its caller's callback holds (a retrieval, its session).
   */
  onDone: (lookup: Lookup, found: boolean) => void;

  /**
   * Every peer ever put on the shortlist, as an open-addressing set of
   * peer + 1 (0 = empty, so a fresh array needs no fill), so the many
   * contacts a reply names that are already known cost one probe. A lookup
   * typically meets a few hundred peers: start at a size that rarely grows.
   */
  private known: Int32Array = NO_PEERS;
  private knownCount = 0;

  /** Takes the (empty) arrays of `buffers` for this lookup's shortlist and known set. */
  attach(buffers: ShortlistBuffers): void {
    this.peers = buffers.peers;
    this.state = buffers.state;
    this.depth = buffers.depth;
    this.dist0 = buffers.dist0;
    this.order = buffers.order;
    this.known = buffers.known;
    this.deadline = buffers.deadline;
  }

  /** True while the lookup holds shortlist arrays (from `attach` until `detach`). */
  get attached(): boolean {
    return this.peers !== NO_PEERS;
  }

  /**
   * Gives the arrays back, emptied, once the lookup has ended, its result
   * has been read and none of its RPCs is still out; the lookup then has none.
   */
  detach(): ShortlistBuffers {
    const buffers = { peers: this.peers, state: this.state, depth: this.depth, dist0: this.dist0, order: this.order, known: this.known, deadline: this.deadline };
    if (this.knownCount > 0) this.known.fill(0);
    this.peers = this.order = this.known = NO_PEERS;
    this.state = this.depth = NO_BYTES;
    this.dist0 = NO_WORDS;
    this.deadline = NO_TIMES;
    this.len = this.entries = this.knownCount = this.settled = this.settledAnswered = 0;
    return buffers;
  }

  /** Adds `peer` to the known set; false if it was there already. */
  remember(peer: PeerId): boolean {
    if (this.knownCount * 2 >= this.known.length) this.rehash();
    const known = this.known;
    const mask = known.length - 1;
    const key = peer + 1;
    let i = Math.imul(peer, 0x9e3779b1) >>> 0;
    for (;;) {
      i &= mask;
      const p = known[i]!;
      if (p === key) return false;
      if (p === 0) break;
      i++;
    }
    known[i] = key;
    this.knownCount++;
    return true;
  }

  private rehash(): void {
    const old = this.known;
    this.known = new Int32Array(Math.max(512, old.length * 2));
    this.knownCount = 0;
    for (const p of old) if (p !== 0) this.remember(p - 1);
  }

  /**
   * Offers `peer`, named at `depth`, to the shortlist: added in distance
   * order unless known, the origin, or too far to matter (with at least
   * `keepUnqueried` unqueried entries waiting, a newcomer farther than all of
   * them would be the one dropped). A newcomer that takes the unqueried
   * entries past `keepUnqueried` drops the farthest of them.
   */
  offer(peer: PeerId, depth: number, ids: KadIds, keepUnqueried: number): void {
    // Known already (on the list, or dropped from it as too far): one probe.
    if (peer === this.origin || !this.remember(peer)) return;
    const d0 = (ids.top[peer]! ^ this.target0) >>> 0;
    const order = this.order;
    let len = this.len;
    // The common rejection first, without the search: with enough unqueried entries waiting, a newcomer no
    // closer than the farthest entry would go last, with no unqueried entry after it.
    if (this.unqueried >= keepUnqueried && len > 0 && this.cmpEntry(order[len - 1]!, peer, d0, ids) <= 0) return;
    // The slot: after every entry no farther than the newcomer (binary search: the list is sorted).
    let at = 0;
    for (let hi = len; at < hi; ) {
      const mid = (at + hi) >>> 1;
      if (this.cmpEntry(order[mid]!, peer, d0, ids) > 0) hi = mid;
      else at = mid + 1;
    }
    if (this.unqueried >= keepUnqueried && !this.unqueriedFrom(at)) return;
    if (this.entries === this.peers.length) this.grow();
    const e = this.entries++;
    this.peers[e] = peer;
    this.state[e] = UNQUERIED;
    this.depth[e] = depth > 255 ? 255 : depth;
    this.dist0[e] = d0;
    const list = this.order;
    if (at < this.settled) {
      // The newcomer, unqueried, ends the settled head at its place.
      for (let j = at; j < this.settled; j++) if (this.state[list[j]!] === ANSWERED) this.settledAnswered--;
      this.settled = at;
    }
    for (let j = len; j > at; j--) list[j] = list[j - 1]!;
    list[at] = e;
    this.len = ++len;
    if (++this.unqueried > keepUnqueried) {
      // Drop the farthest unqueried peer (almost always the last one).
      const state = this.state;
      for (let j = len - 1; j >= 0; j--) {
        const f = list[j]!;
        if (state[f] !== UNQUERIED) continue;
        state[f] = DROPPED;
        for (let i = j + 1; i < len; i++) list[i - 1] = list[i]!;
        this.len--;
        this.unqueried--;
        break;
      }
    }
  }

  /** True if some entry at or after sorted position `at` is unqueried (looked for from the far end, where they gather). */
  private unqueriedFrom(at: number): boolean {
    const order = this.order;
    const state = this.state;
    for (let j = this.len - 1; j >= at; j--) if (state[order[j]!] === UNQUERIED) return true;
    return false;
  }

  /** Compares the distance of entry e with that of `peer` (top distance word d0): -1, 0 or 1. */
  private cmpEntry(e: number, peer: PeerId, d0: number, ids: KadIds): number {
    const e0 = this.dist0[e]!;
    if (e0 !== d0) return e0 < d0 ? -1 : 1;
    return ids.cmpPeerDistance(this.target, 0, this.peers[e]!, peer);
  }

  /** The entry of `peer` on the shortlist, or -1. */
  indexOf(peer: PeerId): number {
    const peers = this.peers;
    for (let e = 0; e < this.entries; e++) if (peers[e] === peer && this.state[e] !== DROPPED) return e;
    return -1;
  }

  /** The closest peer that has not failed, or -1. */
  closestLive(): PeerId {
    for (let i = 0; i < this.len; i++) {
      const e = this.order[i]!;
      if (this.state[e] !== FAILED) return this.peers[e]!;
    }
    return -1;
  }

  /** The (at most) `k` closest peers that answered: the lookup's result once it has ended. */
  closestAnswered(k: number): PeerId[] {
    const out: PeerId[] = [];
    for (let i = 0; i < this.len && out.length < k; i++) {
      const e = this.order[i]!;
      if (this.state[e] === ANSWERED) out.push(this.peers[e]!);
      else if (this.state[e] !== FAILED) break;
    }
    return out;
  }

  private grow(): void {
    const cap = Math.max(64, this.peers.length * 2);
    const peers = new Int32Array(cap);
    peers.set(this.peers);
    const state = new Uint8Array(cap);
    state.set(this.state);
    const depth = new Uint8Array(cap);
    depth.set(this.depth);
    const dist0 = new Uint32Array(cap);
    dist0.set(this.dist0);
    const order = new Int32Array(cap);
    order.set(this.order);
    const deadline = new Float64Array(cap);
    deadline.set(this.deadline);
    this.peers = peers;
    this.state = state;
    this.depth = depth;
    this.dist0 = dist0;
    this.order = order;
    this.deadline = deadline;
  }
}

export interface LookupEngineOptions {
  readonly k: number;
  readonly alpha: number;
  readonly requestTimeout: number;
}

export class LookupEngine {
  /** Unqueried entries a shortlist keeps beyond which the farthest are dropped: only the k closest non-failed matter, plus a margin for failures. */
  private readonly keepUnqueried: number;
  private readonly contacts: Int32Array;
  /**
   * Shortlist arrays of ended lookups, for the next ones: typed arrays live
   * outside the JS heap, and allocating (and later freeing) five per lookup
   * cost more than a short lookup's own work.
   */
  private readonly spare: ShortlistBuffers[] = [];
  private readonly deadlines: RpcDeadlines<Lookup>;
  /** Sessions each peer has ended (leaves and crashes): a lookup started in an earlier one is abandoned. */
  private readonly sessionsEnded: number[] = [];

  constructor(
    private readonly ctx: OverlayContext<KademliaMessage>,
    private readonly options: LookupEngineOptions,
    private readonly ids: KadIds,
    private readonly buckets: Buckets,
    /** `peer` heard from `contact`: update its buckets (and maybe ping). */
    private readonly learn: (peer: PeerId, contact: PeerId) => void,
    /** An RPC from `peer` to `contact` timed out. */
    private readonly failed: (peer: PeerId, contact: PeerId) => void,
    /**
     * `holder` answered a FIND_VALUE with `value`, `hops` deep: true ends the
     * lookup; false rejects the value (a tampered one caught by verification)
     * and the lookup goes on without that holder.
     */
    private readonly acceptValue: (lookup: Lookup, holder: PeerId, value: number, hops: number) => boolean = () => true,
    /** A lookup has read the contacts of a reply and keeps no reference to them (the sender may reuse the list). */
    private readonly contactsRead: (contacts: readonly PeerId[]) => void = () => {},
  ) {
    this.keepUnqueried = options.k + options.alpha;
    this.contacts = new Int32Array(options.k);
    this.deadlines = new RpcDeadlines<Lookup>(
      options.requestTimeout,
      { now: () => ctx.now(), after: (delayMs, fn) => ctx.setOverlayTimer(delayMs, fn) },
      (lookup, e) => lookup.state[e] === PENDING && this.current(lookup),
      (lookup, e) => this.onTimeout(lookup, lookup.peers[e]!, e),
    );
  }

  /**
   * `peer` has left or crashed: its lookups are over. Their replies are
   * dropped by the runtime (they reach no later session); their RPCs do not
   * time out either, as a request's own timer would not fire.
   */
  originGone(peer: PeerId): void {
    this.sessionsEnded[peer] = (this.sessionsEnded[peer] ?? 0) + 1;
  }

  /** True if the origin of `lookup` is still in the session it started it in. */
  private current(lookup: Lookup): boolean {
    return lookup.session === (this.sessionsEnded[lookup.origin] ?? 0);
  }

  /** Starts a lookup from the origin's own k closest contacts. */
  start(lookup: Lookup): void {
    lookup.attach(this.spare.pop() ?? newShortlistBuffers());
    lookup.session = this.sessionsEnded[lookup.origin] ?? 0;
    const { origin, target } = lookup;
    this.buckets.markLookup(origin, target, 0, this.ctx.now());
    const n = this.buckets.closest(origin, target, 0, this.options.k, -1, this.contacts);
    for (let i = 0; i < n; i++) this.insert(lookup, this.contacts[i]!, 1);
    this.advance(lookup);
  }

  /** Starts a lookup from given contacts (a join, before the peer has a table). */
  startFrom(lookup: Lookup, contacts: readonly PeerId[]): void {
    lookup.attach(this.spare.pop() ?? newShortlistBuffers());
    lookup.session = this.sessionsEnded[lookup.origin] ?? 0;
    for (const c of contacts) this.insert(lookup, c, 1);
    this.advance(lookup);
  }

  /** Offers `peer` (named at `depth`) to the shortlist (see Lookup.offer). */
  private insert(lookup: Lookup, peer: PeerId, depth: number): void {
    lookup.offer(peer, depth, this.ids, this.keepUnqueried);
  }

  /**
   * Sends RPCs to the closest unqueried peers among the k closest
   * non-failed ones while fewer than α are in flight; ends the lookup when
   * all of those k have answered.
   */
  private advance(lookup: Lookup): void {
    if (lookup.done) return;
    const k = this.options.k;
    const alpha = lookup.final ? Infinity : this.options.alpha;
    const state = lookup.state;
    const order = lookup.order;
    const len = lookup.len;
    // The settled head holds nothing to ask or wait for: count its answered peers and start after it.
    let i = lookup.settled;
    let seen = lookup.settledAnswered;
    for (; i < len; i++) {
      const s = state[order[i]!];
      if (s === ANSWERED) seen++;
      else if (s !== FAILED) break;
    }
    lookup.settled = i;
    lookup.settledAnswered = seen;
    let waiting = false;
    for (; i < len && seen < k; i++) {
      const e = order[i]!;
      const s = state[e];
      if (s === FAILED) continue;
      seen++;
      if (s === ANSWERED) continue;
      waiting = true;
      if (s === UNQUERIED && lookup.inFlight < alpha) this.query(lookup, e);
    }
    if (!waiting) this.finish(lookup, false);
  }

  /** Sends the RPC to entry e. */
  private query(lookup: Lookup, e: number): void {
    const peer = lookup.peers[e]!;
    lookup.state[e] = PENDING;
    lookup.unqueried--;
    lookup.inFlight++;
    lookup.rpcs++;
    const depth = lookup.depth[e]!;
    if (depth > lookup.rounds) lookup.rounds = depth;
    // `rpc: undefined` makes room for the token the context stamps on a request: a property added
    // later would not fit the object and cost each RPC a second allocation.
    const msg =
      lookup.kind === "node"
        ? ({ type: "findNode", lookup: lookup.id, target: lookup.target, rpc: undefined } as KademliaMessage)
        : lookup.kind === "value"
          ? ({ type: "findValue", lookup: lookup.id, key: lookup.key, target: lookup.target, rpc: undefined } as KademliaMessage)
          : ({ type: "maintenanceFindNode", target: lookup.target, rpc: undefined } as KademliaMessage);
    // Queued before the request goes out: where the RPC's own timer would have been set.
    lookup.deadline[e] = this.deadlines.add(lookup, e);
    lookup.outstanding++;
    // The reply's closure holds the entry, which stays on the shortlist while its RPC is pending (only unqueried entries are dropped).
    this.ctx.request(lookup.origin, peer, msg, Infinity, (reply: KademliaMessage) => this.onReply(lookup, peer, e, reply), NO_TIMEOUT);
  }

  /** Recycles the arrays of an ended lookup once none of its RPCs is out. */
  private release(lookup: Lookup): void {
    if (lookup.done && lookup.outstanding === 0 && lookup.attached) this.spare.push(lookup.detach());
  }

  private onReply(lookup: Lookup, peer: PeerId, i: number, reply: KademliaMessage): void {
    // At or after the deadline the RPC has timed out (or is about to, at this very time): the reply comes too late.
    // So does any reply once the arrays are recycled: that waits until every RPC was answered or timed out.
    if (!lookup.attached || this.ctx.now() >= lookup.deadline[i]!) return;
    this.learn(lookup.origin, peer);
    lookup.outstanding--;
    if (lookup.done) {
      lookup.state[i] = ANSWERED;
      this.release(lookup);
      if (reply.type === "nodes" || reply.type === "maintenanceNodes") this.contactsRead(reply.contacts);
      return;
    }
    lookup.inFlight--;
    lookup.state[i] = ANSWERED;
    const depth = lookup.depth[i]!;
    if (reply.type === "nodes" && reply.found) {
      if (this.acceptValue(lookup, peer, reply.value, depth)) {
        lookup.foundDepth = depth;
        lookup.holder = peer;
        this.finish(lookup, true);
        return;
      }
      // Rejected: the holder leaves the k closest (it is never asked again) and the search goes on.
      lookup.state[i] = FAILED;
      this.advance(lookup);
      return;
    }
    if (reply.type === "nodes" || reply.type === "maintenanceNodes") {
      const closest = lookup.closestLive();
      const contacts = reply.contacts;
      for (let j = 0; j < contacts.length; j++) this.insert(lookup, contacts[j]!, depth + 1);
      this.contactsRead(contacts);
      // §2.3: when a round brings nothing closer, the rest of the k closest are all asked at once.
      if (lookup.closestLive() === closest) {
        if (++lookup.stale >= this.options.alpha) lookup.final = true;
      } else lookup.stale = 0;
    }
    this.advance(lookup);
  }

  /** The RPC to entry i reached its deadline unanswered (RpcDeadlines). */
  private onTimeout(lookup: Lookup, peer: PeerId, i: number): void {
    lookup.outstanding--;
    this.failed(lookup.origin, peer);
    if (lookup.done) {
      lookup.state[i] = FAILED;
      this.release(lookup);
      return;
    }
    lookup.inFlight--;
    lookup.timeouts++;
    if (lookup.id >= 0) this.ctx.lookupTimedOut(lookup.id);
    lookup.state[i] = FAILED;
    this.advance(lookup);
  }

  private finish(lookup: Lookup, found: boolean): void {
    lookup.done = true;
    const onDone = lookup.onDone;
    lookup.onDone = NO_DONE;
    if (!lookup.cancelled) onDone(lookup, found);
    // onDone has read the result; RPCs still out keep the arrays until they are answered or time out.
    this.release(lookup);
  }
}
