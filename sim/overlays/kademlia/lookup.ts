import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../protocol.js";
import type { Buckets } from "./buckets.js";
import type { KadIds } from "./ids.js";
import type { KademliaMessage } from "./messages.js";

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
 */

export const UNQUERIED = 0;
export const PENDING = 1;
export const ANSWERED = 2;
export const FAILED = 3;

export type LookupKind = "node" | "value" | "maintenance";

/** One lookup in progress, with its shortlist in typed arrays. */
export class Lookup {
  /** Shortlist: peers sorted by distance, their state, depth and XOR distance (W words each). */
  peers: Int32Array;
  state: Uint8Array;
  depth: Uint8Array;
  dist: Uint32Array;
  len = 0;
  unqueried = 0;
  inFlight = 0;
  rpcs = 0;
  timeouts = 0;
  /** Deepest peer queried: the lookup's rounds. */
  rounds = 0;
  /** Depth of the peer that returned the value (FIND_VALUE), or 0. */
  foundDepth = 0;
  done = false;
  cancelled = false;
  /** Replies in a row that brought no peer closer than the closest already seen. */
  stale = 0;
  /** Set once α replies in a row brought nothing closer: every unqueried peer among the k closest is asked at once. */
  final = false;

  constructor(
    readonly origin: PeerId,
    readonly kind: LookupKind,
    /** The target id (own copy, W words). */
    readonly target: Uint32Array,
    /** The workload lookup id, or -1 for maintenance. */
    readonly id: number,
    /** The workload key of a FIND_VALUE, or -1. */
    readonly key: number,
    readonly W: number,
    /** Called once when the lookup ends: with the value found (FIND_VALUE) or with the k closest settled. */
    readonly onDone: (lookup: Lookup, found: boolean) => void,
  ) {
    const cap = 64;
    this.peers = new Int32Array(cap);
    this.state = new Uint8Array(cap);
    this.depth = new Uint8Array(cap);
    this.dist = new Uint32Array(cap * W);
  }

  /**
   * Every peer ever put on the shortlist (an open-addressing set, -1 = empty),
   * so the many contacts a reply names that are already known cost one probe.
   */
  private known = new Int32Array(128).fill(-1);
  private knownCount = 0;

  /** Adds `peer` to the known set; false if it was there already. */
  remember(peer: PeerId): boolean {
    if (this.knownCount * 2 >= this.known.length) this.rehash();
    const known = this.known;
    const mask = known.length - 1;
    let i = Math.imul(peer, 0x9e3779b1) >>> 0;
    for (;;) {
      i &= mask;
      const p = known[i]!;
      if (p === peer) return false;
      if (p === -1) break;
      i++;
    }
    known[i] = peer;
    this.knownCount++;
    return true;
  }

  private rehash(): void {
    const old = this.known;
    this.known = new Int32Array(old.length * 2).fill(-1);
    this.knownCount = 0;
    for (const p of old) if (p !== -1) this.remember(p);
  }

  /** Position of `peer` in the shortlist, or -1. */
  indexOf(peer: PeerId): number {
    const peers = this.peers;
    for (let i = 0; i < this.len; i++) if (peers[i] === peer) return i;
    return -1;
  }

  /** The closest peer that has not failed, or -1. */
  closestLive(): PeerId {
    for (let i = 0; i < this.len; i++) if (this.state[i] !== FAILED) return this.peers[i]!;
    return -1;
  }

  /** The (at most) `k` closest peers that answered: the lookup's result once it has ended. */
  closestAnswered(k: number): PeerId[] {
    const out: PeerId[] = [];
    for (let i = 0; i < this.len && out.length < k; i++) {
      if (this.state[i] === ANSWERED) out.push(this.peers[i]!);
      else if (this.state[i] !== FAILED) break;
    }
    return out;
  }

  grow(): void {
    const cap = this.peers.length * 2;
    const peers = new Int32Array(cap);
    peers.set(this.peers);
    const state = new Uint8Array(cap);
    state.set(this.state);
    const depth = new Uint8Array(cap);
    depth.set(this.depth);
    const dist = new Uint32Array(cap * this.W);
    dist.set(this.dist);
    this.peers = peers;
    this.state = state;
    this.depth = depth;
    this.dist = dist;
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
  private readonly scratch: Uint32Array;

  constructor(
    private readonly ctx: OverlayContext<KademliaMessage>,
    private readonly options: LookupEngineOptions,
    private readonly ids: KadIds,
    private readonly buckets: Buckets,
    /** `peer` heard from `contact`: update its buckets (and maybe ping). */
    private readonly learn: (peer: PeerId, contact: PeerId) => void,
    /** An RPC from `peer` to `contact` timed out. */
    private readonly failed: (peer: PeerId, contact: PeerId) => void,
  ) {
    this.keepUnqueried = options.k + options.alpha;
    this.contacts = new Int32Array(options.k);
    this.scratch = new Uint32Array(ids.W);
  }

  /** Starts a lookup from the origin's own k closest contacts. */
  start(lookup: Lookup): void {
    const { origin, target } = lookup;
    this.buckets.markLookup(origin, target, 0, this.ctx.now());
    const n = this.buckets.closest(origin, target, 0, this.options.k, -1, this.contacts);
    for (let i = 0; i < n; i++) this.insert(lookup, this.contacts[i]!, 1);
    this.advance(lookup);
  }

  /** Starts a lookup from given contacts (a join, before the peer has a table). */
  startFrom(lookup: Lookup, contacts: readonly PeerId[]): void {
    for (const c of contacts) this.insert(lookup, c, 1);
    this.advance(lookup);
  }

  /**
   * Adds `peer` (named at `depth`) to the shortlist in distance order, unless
   * known, the origin, or too far to matter. Most contacts a reply names are
   * far or already known, so the search walks from the far end; shifting by
   * hand beats copyWithin on lists this short.
   */
  private insert(lookup: Lookup, peer: PeerId, depth: number): void {
    // Known already (on the list, or dropped from it as too far): one probe.
    if (peer === lookup.origin || !lookup.remember(peer)) return;
    const ids = this.ids;
    const W = ids.W;
    const d = this.scratch;
    ids.distance(ids.ids, peer * W, lookup.target, 0, d, 0);
    let len = lookup.len;
    // Farther than everything, with enough unqueried peers already: it cannot matter.
    if (lookup.unqueried >= this.keepUnqueried && len > 0 && cmpWords(d, 0, lookup.dist, (len - 1) * W, W) > 0) return;
    if (len === lookup.peers.length) lookup.grow();
    const { peers, state, depth: depths, dist } = lookup;
    // Find the slot from the far end, deciding on the top distance word when it differs.
    const d0 = d[0]!;
    let at = len;
    while (at > 0) {
      const e0 = dist[(at - 1) * W]!;
      if (e0 < d0 || (e0 === d0 && cmpWords(dist, (at - 1) * W, d, 0, W) <= 0)) break;
      at--;
    }
    for (let j = len; j > at; j--) {
      peers[j] = peers[j - 1]!;
      state[j] = state[j - 1]!;
      depths[j] = depths[j - 1]!;
      for (let w = 0; w < W; w++) dist[j * W + w] = dist[(j - 1) * W + w]!;
    }
    peers[at] = peer;
    state[at] = UNQUERIED;
    depths[at] = depth > 255 ? 255 : depth;
    for (let w = 0; w < W; w++) dist[at * W + w] = d[w]!;
    lookup.len = ++len;
    if (++lookup.unqueried > this.keepUnqueried) {
      // Drop the farthest unqueried peer (almost always the last one).
      for (let j = len - 1; j >= 0; j--) {
        if (state[j] !== UNQUERIED) continue;
        for (let i = j + 1; i < len; i++) {
          peers[i - 1] = peers[i]!;
          state[i - 1] = state[i]!;
          depths[i - 1] = depths[i]!;
          for (let w = 0; w < W; w++) dist[(i - 1) * W + w] = dist[i * W + w]!;
        }
        lookup.len--;
        lookup.unqueried--;
        break;
      }
    }
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
    let seen = 0;
    let waiting = false;
    for (let i = 0; i < lookup.len && seen < k; i++) {
      const s = state[i];
      if (s === FAILED) continue;
      seen++;
      if (s === ANSWERED) continue;
      waiting = true;
      if (s === UNQUERIED && lookup.inFlight < alpha) this.query(lookup, i);
    }
    if (!waiting) this.finish(lookup, false);
  }

  private query(lookup: Lookup, i: number): void {
    const peer = lookup.peers[i]!;
    lookup.state[i] = PENDING;
    lookup.unqueried--;
    lookup.inFlight++;
    lookup.rpcs++;
    const depth = lookup.depth[i]!;
    if (depth > lookup.rounds) lookup.rounds = depth;
    const msg: KademliaMessage =
      lookup.kind === "node"
        ? { type: "findNode", lookup: lookup.id, target: lookup.target }
        : lookup.kind === "value"
          ? { type: "findValue", lookup: lookup.id, key: lookup.key, target: lookup.target }
          : { type: "maintenanceFindNode", target: lookup.target };
    this.ctx.request(
      lookup.origin,
      peer,
      msg,
      this.options.requestTimeout,
      (reply) => this.onReply(lookup, peer, reply),
      () => this.onTimeout(lookup, peer),
    );
  }

  private onReply(lookup: Lookup, peer: PeerId, reply: KademliaMessage): void {
    this.learn(lookup.origin, peer);
    if (lookup.done) return;
    const i = lookup.indexOf(peer);
    if (i < 0) return;
    lookup.inFlight--;
    lookup.state[i] = ANSWERED;
    const depth = lookup.depth[i]!;
    if (reply.type === "nodes" && reply.found) {
      lookup.foundDepth = depth;
      this.finish(lookup, true);
      return;
    }
    if (reply.type === "nodes" || reply.type === "maintenanceNodes") {
      const closest = lookup.closestLive();
      const contacts = reply.contacts;
      for (let j = 0; j < contacts.length; j++) this.insert(lookup, contacts[j]!, depth + 1);
      // §2.3: when a round brings nothing closer, the rest of the k closest are all asked at once.
      if (lookup.closestLive() === closest) {
        if (++lookup.stale >= this.options.alpha) lookup.final = true;
      } else lookup.stale = 0;
    }
    this.advance(lookup);
  }

  private onTimeout(lookup: Lookup, peer: PeerId): void {
    this.failed(lookup.origin, peer);
    if (lookup.done) return;
    const i = lookup.indexOf(peer);
    if (i < 0) return;
    lookup.inFlight--;
    lookup.timeouts++;
    lookup.state[i] = FAILED;
    this.advance(lookup);
  }

  private finish(lookup: Lookup, found: boolean): void {
    lookup.done = true;
    if (!lookup.cancelled) lookup.onDone(lookup, found);
  }
}

/** Compares W-word unsigned numbers a[ao..] and b[bo..]. */
function cmpWords(a: Uint32Array, ao: number, b: Uint32Array, bo: number, W: number): number {
  for (let k = 0; k < W; k++) {
    const x = a[ao + k]!;
    const y = b[bo + k]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
