import type { PeerId } from "../../peers/population.js";
import type { OverlayContext, StorageAvailability } from "../../core/protocol.js";
import type { ChordMessage } from "./messages.js";
import type { ChordOptions } from "./options.js";
import { KEY_SALT } from "../shared/id-space.js";
import { ItemLedger } from "../shared/item-ledger.js";
import { fetchFrom } from "../shared/fetch.js";
import { Publishers } from "../shared/publishers.js";
import type { Routing } from "./routing.js";
import { approxOf, type ChordTables } from "./tables.js";
import type { TrueRing } from "./truth.js";
import { handlersFor, unhandled } from "../../core/handlers.js";

export type StorageOptions = NonNullable<ChordOptions["storage"]>;

/** The messages this part takes. */
export const STORAGE_TYPES = ["store", "replicate", "handoff", "get", "storeAck", "getReply"] as const;
type StorageMessage = Extract<ChordMessage, { type: (typeof STORAGE_TYPES)[number] }>;

/**
 * Keys stored in the ring, the way the Chord paper (§IV-A) and its storage
 * layer DHash/CFS describe it: an item lives at the successor of its id (its
 * owner) and copies live on the owner's next `replicas` successors.
 *
 * - **Put**: every workload key has a publisher, one peer of the pool. Once
 *   the publisher is in the ring it finds the owner (an iterative lookup) and
 *   sends it the item; the owner keeps it and copies it to its successors.
 * - **Keys move on join**: a peer that accepts a new predecessor hands it
 *   the items that now belong to it (and keeps its own copy, being the new
 *   owner's first successor).
 * - **Keys move on leave**: a peer leaving gracefully hands the items it owns
 *   to its successor.
 * - **Replication**: every `replicateInterval` an owner pushes the items it
 *   owns (those in (predecessor, self]) to its first `replicas` successors,
 *   so copies lost to crashes are made again. It is a plain push of every
 *   item, not a Merkle-tree sync of differences, so its bytes are an upper
 *   bound on what a careful implementation would send.
 * - A crash loses every item on the peer; a session's state never survives it.
 *
 * Gets are the workload's lookups: route to the owner, then fetch; if the
 * owner lacks the item the origin tries the holders the owner names (its
 * successors). With network.bandwidth a found value then moves from the
 * holder as a transfer of its workload.fileSize bytes, so a get takes as
 * long as the links allow; puts, copies and hand-overs stay messages of
 * item ids (the value's bytes are not sent for them).
 *
 * Adversaries (docs/faults.md): a value is modelled by its content hash. A
 * tampering holder answers every get, for items it holds or not, with a
 * corrupted value. Every value the origin receives goes to the runtime
 * (`ctx.answer`), which ends the lookup or (when honest peers verify)
 * rejects it: the origin then goes on with the other holders, which is why,
 * with `verify`, a found item's reply also names the holder's successors. A
 * misrouting node named as the owner serves nothing it does not hold and
 * names no other holder.
 *
 * What is true (which peer holds what, how many copies are online) is kept
 * in the shared item ledger (shared/item-ledger.ts) for the availability
 * observer; the protocol itself only acts on what each peer holds.
 */
export class ChordStorage {
  readonly handlers = handlersFor<ChordMessage, typeof STORAGE_TYPES>(STORAGE_TYPES, (to, from, msg) => this.handle(to, from, msg));
  /** Items held by each online peer (owned and replicas); an item is stored once a put reached a holder (or the oracle placed it). */
  private readonly ledger: ItemLedger;
  /** Every key's id, `W` words each. */
  readonly keyIds: Uint32Array;
  private readonly publishers: Publishers;
  /** Gets waiting for a holder's answer, by lookup id (for abandon). */
  private readonly gets = new Map<number, { cancelled: boolean }>();

  constructor(
    private readonly ctx: OverlayContext<ChordMessage>,
    private readonly options: StorageOptions,
    private readonly requestTimeout: number,
    /** How long a publisher waits after joining, and between put attempts: a stabilize interval. */
    private readonly retryMs: number,
    private readonly t: ChordTables,
    private readonly truth: TrueRing,
    private readonly routing: Routing,
    readonly keyCount: number,
    /** The pool, in order: key k's publisher is publishers[k mod length]. */
    publishers: readonly PeerId[],
  ) {
    this.ledger = new ItemLedger(keyCount, "session");
    this.publishers = new Publishers(publishers, keyCount);
    this.keyIds = new Uint32Array(keyCount * t.W);
    for (let k = 0; k < keyCount; k++) t.space.hash(k, KEY_SALT, this.keyIds, k * t.W);
  }

  /**
   * Items stored, available (a copy on an online peer) and lost. Peers keep
   * items in memory only (a crash or leave ends the session and its items),
   * so an item with no online copy is lost for good, unless its publisher
   * puts it again on its next join (`republishOnJoin`: the publisher keeps
   * its items, so nothing is ever lost). An item whose last copy is on the
   * wire in a hand-off counts as lost until it arrives.
   */
  availability(): StorageAvailability {
    const stored = this.ledger.storedCount();
    const available = this.ledger.availableCount();
    return { stored, available, lost: this.options.republishOnJoin ? 0 : stored - available };
  }

  /** The items `peer` holds, in the order it got them. */
  heldBy(peer: PeerId): readonly number[] {
    return this.ledger.itemsOf(peer);
  }

  // ── What peers hold ───────────────────────────────────────────────

  private hold(peer: PeerId, key: number): void {
    this.ledger.add(peer, key, true);
  }

  /**
   * `peer` went offline: everything it held is gone with its session. An
   * item whose last copy goes may still be on the wire (a leaving peer's
   * handoff), so no loss is declared here: the time series shows stored
   * minus available items.
   */
  gone(peer: PeerId): void {
    this.ledger.setOnline(peer, false);
  }

  /** True if `peer` believes it owns `key`: the key's id is in (predecessor, peer]. Unknown predecessor: it cannot tell. */
  private owns(peer: PeerId, key: number): boolean {
    const p = this.t.predecessor[peer]!;
    if (p < 0) return false;
    const { ids, W, space } = this.t;
    return p === peer || space.inOpenClosed(this.keyIds, key * W, ids, p * W, ids, peer * W);
  }

  /** The items `peer` holds whose id lies in (from, to]. */
  private heldIn(peer: PeerId, from: PeerId, to: PeerId): number[] {
    const held = this.ledger.holdingsOf(peer);
    if (held === undefined) return [];
    const { ids, W, space } = this.t;
    const out: number[] = [];
    for (const key of held.keys()) if (space.inOpenClosed(this.keyIds, key * W, ids, from * W, ids, to * W)) out.push(key);
    return out;
  }

  // ── Oracle placement ──────────────────────────────────────────────

  /** Places every item on its owner and the next `replicas` successors of the true ring (oracle bootstrap). */
  placeOracle(): void {
    const ring = this.truth.peers;
    const n = ring.length;
    if (n === 0) return;
    const W = this.t.W;
    for (let key = 0; key < this.keyCount; key++) {
      const at = this.truth.lowerBound(this.keyIds, key * W, approxOf(this.keyIds, key * W, W));
      for (let j = 0; j <= this.options.replicas && j < n; j++) this.hold(ring[(at + j) % n]!, key);
    }
  }

  // ── Puts ──────────────────────────────────────────────────────────

  /** `peer` is in the ring: after a stabilize interval (so its successor is settled) it puts the items it publishes that are not stored yet. */
  joined(peer: PeerId): void {
    if (this.publishers.firstItemOf(peer) < 0) return;
    this.ctx.setTimer(peer, this.retryMs, () => {
      for (const key of this.publishers.itemsOf(peer)) {
        if (this.options.republishOnJoin || !this.ledger.wasStored(key)) this.put(peer, key);
      }
    });
  }

  /**
   * Finds the owner of `key` and stores the item there. An owner that knows
   * its predecessor refuses items outside its range (the lookup went wrong in
   * a ring still forming); the publisher tries again after a stabilize
   * interval, doubling the wait each time up to MAX_BACKOFF intervals, for
   * as long as it is online.
   */
  private put(peer: PeerId, key: number, attempt = 1): void {
    this.ctx.count("puts");
    const target = this.keyIds.subarray(key * this.t.W, (key + 1) * this.t.W);
    const failed = () => {
      this.ctx.count("putsFailed");
      const wait = this.retryMs * Math.min(2 ** (attempt - 1), MAX_BACKOFF);
      this.ctx.setTimer(peer, wait, () => this.put(peer, key, attempt + 1));
    };
    this.routing.findOwner(
      peer,
      target,
      -1,
      (owner) =>
        this.ctx.request(
          peer,
          owner,
          { type: "store", keys: [key] },
          this.requestTimeout,
          (reply) => {
            if (reply.type === "storeAck" && !reply.accepted) failed();
          },
          failed,
        ),
      failed,
    );
  }

  // ── Replication rounds, joins and leaves ──────────────────────────

  /** One replication round of `peer`: the ids of the items it owns go to its first `replicas` successors. */
  replicate(peer: PeerId): void {
    if (this.options.replicas === 0 || !this.t.inRing[peer]) return;
    const held = this.ledger.holdingsOf(peer);
    if (held === undefined || held.size === 0) return;
    const owned: number[] = [];
    for (const key of held.keys()) if (this.owns(peer, key)) owned.push(key);
    if (owned.length === 0) return;
    const succs = this.t.successorList(peer);
    for (let j = 0; j < this.options.replicas && j < succs.length; j++) {
      if (succs[j] !== peer) this.ctx.send(peer, succs[j]!, { type: "replicate", keys: owned });
    }
  }

  /**
   * `peer` accepted `newPred` as its predecessor (it was `oldPred`): the
   * items in (oldPred, newPred], which `newPred` now owns, move to it.
   * With no known old predecessor `peer` cannot tell the newcomer's items
   * from copies it keeps for earlier owners, so it sends every item outside
   * its own new range (newPred, peer]: the newcomer, being closer to those
   * owners, is a better place for the copies anyway.
   */
  newPredecessor(peer: PeerId, oldPred: PeerId, newPred: PeerId): void {
    const from = oldPred >= 0 && oldPred !== peer ? oldPred : peer;
    const keys = this.heldIn(peer, from, newPred);
    if (keys.length > 0) this.ctx.send(peer, newPred, { type: "handoff", keys });
  }

  /** `peer` leaves gracefully: the items it owns go to its successor. */
  leave(peer: PeerId): void {
    const s = this.t.successor(peer);
    if (s < 0 || s === peer) return;
    const held = this.ledger.holdingsOf(peer);
    if (held === undefined) return;
    const owned: number[] = [];
    for (const key of held.keys()) if (this.owns(peer, key)) owned.push(key);
    if (owned.length > 0) this.ctx.send(peer, s, { type: "handoff", keys: owned });
  }

  // ── Gets ──────────────────────────────────────────────────────────

  /**
   * Lookup `lookup` from `origin` found `owner` in `hops` hops: fetch the
   * item, from the owner first and then from the holders it names.
   */
  fetch(origin: PeerId, key: number, lookup: number, owner: PeerId, hops: number): void {
    const state = { cancelled: false };
    this.gets.set(lookup, state);
    const tried: PeerId[] = [];
    /** The last holder that answered: a lookup that fails for want of holders ended with its answer. */
    let answered = -1;
    const tryNext = (queue: PeerId[]) => {
      if (state.cancelled) return;
      let next = -1;
      while (queue.length > 0 && next < 0) {
        const c = queue.shift()!;
        if (c !== origin && !tried.includes(c)) next = c;
        else if (c === origin && this.ledger.holds(origin, key)) return this.got(lookup, hops);
      }
      if (next < 0 || tried.length > this.options.replicas) {
        this.gets.delete(lookup);
        this.ctx.count("getsMissing");
        this.ctx.lookupFailed(lookup, answered);
        return;
      }
      tried.push(next);
      // The shared fetch step (shared/fetch.ts): with network.bandwidth the value follows the answer as a transfer.
      fetchFrom(this.ctx, origin, next, lookup, key, hops, { type: "get", lookup, key }, isGetReply, this.requestTimeout, {
        live: () => !state.cancelled,
        replied: () => (answered = next),
        done: () => this.gets.delete(lookup),
        // Not there, a corrupted value detected, or the holder left mid-way: the other holders (never this one again).
        refused: (_why, reply) => tryNext([...queue, ...reply.holders]),
        timedOut: () => {
          this.ctx.count("lookupTimeouts");
          tryNext(queue);
        },
      });
    };
    if (owner === origin) tryNext([origin, ...this.t.successorList(origin)]);
    else tryNext([owner]);
  }

  /** The origin holds the item itself: its own copy is the true value, nothing to check. */
  private got(lookup: number, hops: number): void {
    this.gets.delete(lookup);
    this.ctx.lookupSucceeded(lookup, hops);
  }

  abandon(lookup: number): void {
    const state = this.gets.get(lookup);
    if (state) state.cancelled = true;
    this.gets.delete(lookup);
  }

  // ── Messages ──────────────────────────────────────────────────────

  private handle(to: PeerId, from: PeerId, msg: StorageMessage): void {
    switch (msg.type) {
      case "store": {
        const accepted = msg.keys.every((key) => this.owns(to, key));
        this.ctx.reply(to, from, msg, { type: "storeAck", accepted });
        if (!accepted) return;
        for (const key of msg.keys) this.hold(to, key);
        // The owner copies new items to its successors at once rather than waiting for its next round.
        const succs = this.t.successorList(to);
        for (let j = 0; j < this.options.replicas && j < succs.length; j++) {
          if (succs[j] !== to) this.ctx.send(to, succs[j]!, { type: "replicate", keys: msg.keys });
        }
        return;
      }
      case "replicate":
        for (const key of msg.keys) this.hold(to, key);
        return;
      case "handoff": {
        // Items handed over in a ring still forming may belong farther back: they walk back
        // predecessor by predecessor (each keeping a copy) until they reach their owner.
        const p = this.t.predecessor[to]!;
        const behind: number[] = [];
        for (const key of msg.keys) {
          this.hold(to, key);
          if (p >= 0 && p !== to && p !== from && !this.owns(to, key)) behind.push(key);
        }
        if (behind.length > 0) this.ctx.send(to, p, { type: "handoff", keys: behind });
        return;
      }
      case "get": {
        const adversary = this.ctx.adversary;
        const holds = this.ledger.holds(to, msg.key);
        let found = holds;
        let holders: PeerId[];
        if (adversary.active) {
          // A tampering node claims every item; a misrouting one names no other holder.
          found = holds || adversary.tampers(to);
          holders = adversary.misroutes(to) || (found && !adversary.verify) ? [] : this.t.successorList(to).slice(0, this.options.replicas);
        } else holders = found ? [] : this.t.successorList(to).slice(0, this.options.replicas);
        const value = found ? this.ctx.valueFrom(to, msg.key) : 0;
        this.ctx.reply(to, from, msg, { type: "getReply", lookup: msg.lookup, found, value, holders });
        return;
      }
      case "storeAck":
      case "getReply":
        return; // replies reach their requests through the context
      default:
        unhandled(msg);
    }
  }
}

const isGetReply = (reply: ChordMessage): reply is Extract<ChordMessage, { type: "getReply" }> => reply.type === "getReply";

/** The longest wait between two put attempts, in stabilize intervals. */
const MAX_BACKOFF = 16;
