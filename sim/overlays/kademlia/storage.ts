import type { PeerId } from "../../peers/population.js";
import type { OverlayContext, StorageAvailability } from "../../core/protocol.js";
import type { Buckets } from "./buckets.js";
import type { KadIds } from "./ids.js";
import type { KademliaMessage } from "./messages.js";
import type { KademliaOptions } from "./options.js";
import { ItemLedger } from "../shared/item-ledger.js";
import { Publishers } from "../shared/publishers.js";

/**
 * Values stored in the DHT (§2.3 and §2.5 of the paper). The workload's keys
 * are the values: key k has one publisher, peer allPeers[k mod |allPeers|].
 *
 * - **Publish.** An online publisher finds the k closest peers to the key's
 *   id (a node lookup) and STOREs the value on each, stamped with the time
 *   of publication; it does so when it joins and every `republishInterval`.
 * - **Expire.** A copy lapses `expire` after its publication, so a value
 *   whose publisher stays away dies out.
 * - **Replicate.** Every `replicateInterval` a holder re-stores each value
 *   it holds on the k closest peers it finds now, unless it received a
 *   STORE for that value within the interval (the paper's optimisation: the
 *   holders then take turns rather than all republishing every hour). The
 *   publication time travels with the copy, so replication never extends
 *   its life.
 * - **Hand over to newcomers** (§2.5): a peer that learns of a new contact
 *   stores on it each value for which the newcomer is closer to the key than
 *   the k-th closest contact the peer knows, if the peer itself is closer to
 *   the key than all of its contacts (so of the holders, about one sends).
 * - **Cache.** With `cacheOnPath`, a FIND_VALUE that succeeded stores a copy
 *   at the closest peer it asked that lacked one (see lookup.ts).
 * - **Repair traffic.** A key's first publication is its put ("store"); every
 *   later STORE of it by republishing, replication or hand-over restores
 *   copies and travels as "storeRepair" (the repair_* columns).
 * - A peer's values live in its session: one that goes offline loses them.
 * - **Bytes.** With network.bandwidth a value found by a lookup moves from
 *   its holder as a transfer (`fetchValue`); STOREs stay messages of their
 *   headers (the value's bytes are not sent for them).
 *
 * Bookkeeping: the shared item ledger (shared/item-ledger.ts) keeps each
 * online peer's copies with their times, and every key's online copies,
 * updated on every store, expiry and departure, so availability is O(1) to
 * read.
 */

interface Copy {
  publishedMs: number;
  expiresMs: number;
  /** A cached copy from a lookup path: it expires early and is not replicated. */
  cached: boolean;
  /** When a STORE for it last arrived (or the holder re-stored it itself). */
  lastStoreMs: number;
}

export class KadStorage {
  /** Online, unexpired-when-last-checked copies of each key; a key is stored once some peer has held it. */
  private readonly ledger: ItemLedger<Copy>;
  /** 1 once a key's publisher has published it: later publications are repair. */
  private readonly published: Uint8Array;
  /** Every key's id, W words each. */
  readonly keyIds: Uint32Array;
  private readonly publishers: Publishers;
  private readonly W: number;

  constructor(
    private readonly ctx: OverlayContext<KademliaMessage>,
    private readonly options: KademliaOptions,
    private readonly ids: KadIds,
    private readonly buckets: Buckets,
    readonly keyCount: number,
    publishers: readonly PeerId[],
    /** Runs a node lookup from `origin` for the id at target[to..] and passes the k closest peers that answered. */
    private readonly findNodes: (origin: PeerId, target: Uint32Array, done: (closest: readonly PeerId[]) => void) => void,
    /** An RPC from `peer` to `contact` was answered / timed out. */
    private readonly learn: (peer: PeerId, contact: PeerId) => void,
    private readonly failed: (peer: PeerId, contact: PeerId) => void,
  ) {
    this.W = ids.W;
    this.ledger = new ItemLedger<Copy>(keyCount, "session");
    this.publishers = new Publishers(publishers, keyCount);
    this.published = new Uint8Array(keyCount);
    this.keyIds = new Uint32Array(keyCount * ids.W);
    for (let key = 0; key < keyCount; key++) ids.keyId(key, this.keyIds, key * ids.W);
  }

  /** Lookups whose found value is on its way as a transfer (network.bandwidth), until it arrives, is cut or the lookup is abandoned. */
  private readonly fetching = new Set<number>();

  /**
   * With network.bandwidth: the value of `key` found at `holder` moves to
   * `origin` as a transfer of its workload.fileSize bytes; `arrived` or
   * `cut` (the holder or the origin left mid-way) runs once, unless lookup
   * `id` was abandoned first.
   */
  fetchValue(holder: PeerId, origin: PeerId, key: number, id: number, arrived: () => void, cut: () => void): void {
    this.fetching.add(id);
    this.ctx.transfer(
      holder,
      origin,
      this.ctx.fileSize(key),
      () => {
        if (this.fetching.delete(id)) arrived();
      },
      () => {
        if (this.fetching.delete(id)) cut();
      },
    );
  }

  abandonFetch(id: number): void {
    this.fetching.delete(id);
  }

  /** The id of workload key `key` (a view, W words). */
  keyId(key: number): Uint32Array {
    return this.keyIds.subarray(key * this.W, (key + 1) * this.W);
  }

  /**
   * Items stored so far, those with a copy online now, and those with no
   * copy left on any peer (`lost`): peers keep values only for a session, so
   * an item with no online copy has none at all. Its publisher can still
   * bring it back by republishing when it is online.
   */
  availability(): StorageAvailability {
    const stored = this.ledger.storedCount();
    const available = this.ledger.availableCount();
    return { stored, available, lost: stored - available };
  }

  /** True once some peer has held `key` (observers only). */
  wasStored(key: number): boolean {
    return this.ledger.wasStored(key);
  }

  /** The keys `peer` holds, in the order it got them. */
  heldBy(peer: PeerId): number[] {
    return this.ledger.itemsOf(peer);
  }

  /** Number of copies `peer` holds. */
  heldCount(peer: PeerId): number {
    return this.ledger.countOf(peer);
  }

  /** True if `peer` holds an unexpired copy of `key`; an expired one is dropped on the way. */
  has(peer: PeerId, key: number): boolean {
    const copy = this.ledger.copyOf(peer, key);
    if (copy === undefined) return false;
    if (copy.expiresMs > this.ctx.now()) return true;
    this.drop(peer, key);
    return false;
  }

  // ── Holding ───────────────────────────────────────────────────────

  /** `peer` receives a STORE. A copy it already has is refreshed if the new one is more recent. */
  private keep(peer: PeerId, key: number, publishedMs: number, expiresMs: number, cached: boolean): void {
    const now = this.ctx.now();
    if (expiresMs <= now) return;
    const copy = this.ledger.copyOf(peer, key);
    if (copy !== undefined) {
      copy.lastStoreMs = now;
      if (expiresMs > copy.expiresMs) {
        copy.expiresMs = expiresMs;
        copy.publishedMs = publishedMs;
        // A real (replicated) copy replaces a cached one.
        copy.cached = cached && copy.cached;
      }
      return;
    }
    this.ledger.add(peer, key, { publishedMs, expiresMs, cached, lastStoreMs: now });
  }

  private drop(peer: PeerId, key: number): void {
    if (this.ledger.remove(peer, key)) this.ctx.count("valuesLost");
  }

  /** `peer` went offline: its copies are gone with its session. */
  gone(peer: PeerId): void {
    const lost = this.ledger.setOnline(peer, false);
    if (lost > 0) this.ctx.count("valuesLost", lost);
  }

  // ── Publishing and replication ────────────────────────────────────

  /** True if `peer` publishes any key. */
  isPublisher(peer: PeerId): boolean {
    return this.publishers.firstItemOf(peer) >= 0;
  }

  /** `peer` (online, with a routing table) publishes every key it owns, stamped now. */
  publishAll(peer: PeerId): void {
    const now = this.ctx.now();
    for (const key of this.publishers.itemsOf(peer)) {
      this.ctx.count("publishes");
      const repair = this.published[key] === 1;
      this.published[key] = 1;
      this.storeAtClosest(peer, key, now, now + this.options.expire, repair);
    }
  }

  /**
   * One replication round of `holder`: expired copies go; every other
   * uncached copy that no STORE refreshed within the interval is stored
   * again on the k closest peers found now.
   */
  replicate(holder: PeerId): void {
    const map = this.ledger.holdingsOf(holder);
    if (map === undefined) return;
    const now = this.ctx.now();
    const since = now - this.options.replicateInterval;
    const expired: number[] = [];
    const again: number[] = [];
    for (const [key, copy] of map) {
      if (copy.expiresMs <= now) expired.push(key);
      else if (!copy.cached && copy.lastStoreMs <= since) again.push(key);
    }
    for (const key of expired) this.drop(holder, key);
    for (const key of again) {
      const copy = map.get(key)!;
      copy.lastStoreMs = now;
      this.ctx.count("replications");
      this.storeAtClosest(holder, key, copy.publishedMs, copy.expiresMs, true);
    }
  }

  /**
   * Finds the k closest peers to the key and stores the value on them. The
   * storer keeps a copy itself when it is one of the k closest (closer than
   * the k-th found, or fewer than k found): a publisher alone in a young
   * network then still holds its value, and hands it over as peers arrive.
   */
  private storeAtClosest(origin: PeerId, key: number, publishedMs: number, expiresMs: number, repair: boolean): void {
    this.findNodes(origin, this.keyId(key), (closest) => {
      for (const peer of closest) this.sendStore(origin, peer, key, publishedMs, expiresMs, false, repair);
      const { ids } = this;
      const W = ids.W;
      const farthest = closest[closest.length - 1];
      if (closest.length < this.options.k || ids.cmpDistance(this.keyIds, key * W, ids.ids, origin * W, ids.ids, farthest! * W) < 0) {
        this.keep(origin, key, publishedMs, expiresMs, false);
      }
    });
  }

  /**
   * `holder` has just added `newcomer` to its buckets: it stores on it the
   * values the newcomer should now hold (§2.5). Both conditions are counts,
   * not orderings (see Buckets.hasCloserThanSelf and countNoFarther): the
   * holder knows no one closer to the key than itself (the newcomer aside),
   * and fewer than k of its other contacts are as close as the newcomer,
   * which is the newcomer being closer than the k-th closest of them (or the
   * holder knowing fewer than k).
   */
  offerTo(holder: PeerId, newcomer: PeerId): void {
    const map = this.ledger.holdingsOf(holder);
    if (map === undefined || map.size === 0) return;
    const { buckets } = this;
    const k = this.options.k;
    const W = this.W;
    const t = this.keyIds;
    const now = this.ctx.now();
    // The table is the same for every key: which of its groups could be closer than the holder is worked out once.
    const occupied = buckets.occupiedGroups(holder, newcomer);
    for (const key of map.keys()) {
      const to = key * W;
      // The cheap test that nearly every key fails comes first, before the copy is read.
      if (buckets.hasCloserThanSelf(holder, t, to, newcomer, occupied)) continue;
      const copy = map.get(key)!;
      if (copy.cached || copy.expiresMs <= now) continue;
      if (buckets.countNoFarther(holder, t, to, newcomer, k) >= k) continue;
      this.ctx.count("handovers");
      this.sendStore(holder, newcomer, key, copy.publishedMs, copy.expiresMs, false, true);
    }
  }

  /** A STORE RPC (`repair`: restoring copies, see above); the acknowledgement only tells the sender the peer is alive. */
  sendStore(from: PeerId, to: PeerId, key: number, publishedMs: number, expiresMs: number, cached: boolean, repair: boolean): void {
    this.ctx.request(
      from,
      to,
      { type: repair ? "storeRepair" : "store", key, publishedMs, expiresMs, cached },
      this.options.requestTimeout,
      () => this.learn(from, to),
      () => this.failed(from, to),
    );
  }

  /** Handles a STORE arriving at `to`. */
  handleStore(to: PeerId, from: PeerId, msg: Extract<KademliaMessage, { type: "store" | "storeRepair" }>): void {
    this.keep(to, msg.key, msg.publishedMs, msg.expiresMs, msg.cached);
    this.ctx.reply(to, from, msg, { type: "stored" });
  }
}
