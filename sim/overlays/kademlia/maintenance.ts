import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../../core/protocol.js";
import type { Buckets } from "./buckets.js";
import type { KadIds } from "./ids.js";
import type { Lookup } from "./lookup.js";
import type { KademliaMessage } from "./messages.js";
import type { KademliaOptions } from "./options.js";
import type { KadStorage } from "./storage.js";

/**
 * Keeping each peer's routing table and values in shape:
 *
 * - **Learning** (§2.2): every message a peer receives, request or reply,
 *   updates the bucket of its sender; a full bucket pings its least recently
 *   seen contact and evicts it only if it does not answer.
 * - **Joining** (§2.3): the peer puts its bootstrap contacts in its buckets,
 *   looks up its own id, then refreshes every bucket farther away than its
 *   closest neighbour. If no contact answers it asks the host cache again
 *   after JOIN_RETRY_MS.
 * - **Refresh** (§2.3): every `refreshInterval` a peer looks up a random id
 *   in each bucket, up to its closest neighbour's level, that it has not
 *   looked up in for that long.
 * - **Republish and replicate**: the timers of storage.ts; a contact new to
 *   a peer's buckets is offered the values it should hold (storage.offerTo).
 * - **Freeze** (a fault timeline's `freeze`): the periodic refresh,
 *   replication and republishing run on the runtime's `every`, which stops
 *   them for every peer until the freeze is lifted. Lookups and joins go on,
 *   a join with its own steps (self-lookup, refresh of the farther buckets,
 *   publishing the joiner's keys), and so does what messages trigger
 *   (learning contacts, eviction pings, hand-over to newcomers).
 */

/** How long a joiner whose bootstrap contacts all failed waits before asking the host cache again. */
const JOIN_RETRY_MS = 30_000;

export class Maintenance {
  /** Every run comes a jittered interval after the last, the first one included. */
  private readonly everyOptions: { readonly start: "after-interval"; readonly jitter: number };
  // The periodic jobs, each one function for every peer (the runtime passes the peer): no closure per peer.
  private readonly refreshJob = (peer: PeerId) => this.refresh(peer);
  private readonly replicateJob = (peer: PeerId) => this.storage!.replicate(peer);
  private readonly republishJob = (peer: PeerId) => this.storage!.publishAll(peer);

  constructor(
    private readonly ctx: OverlayContext<KademliaMessage>,
    private readonly options: KademliaOptions,
    private readonly ids: KadIds,
    private readonly buckets: Buckets,
    /** Starts a maintenance node lookup for the id `target` from `origin`, from its own table or from `via`. */
    private readonly findNodes: (origin: PeerId, target: Uint32Array, done: (lookup: Lookup) => void) => void,
    private readonly storage: KadStorage | undefined,
  ) {
    this.everyOptions = { start: "after-interval", jitter: options.jitter };
  }

  // ── Contacts ──────────────────────────────────────────────────────

  /** `peer` heard from `contact`. */
  learn(peer: PeerId, contact: PeerId): void {
    const oldest = this.buckets.seen(peer, contact);
    if (this.buckets.added && this.storage) this.storage.offerTo(peer, contact);
    // Only with immediate probing does a full bucket ask for a ping (Buckets knows the option).
    if (oldest >= 0) this.pingOldest(peer, oldest);
  }

  /** An RPC from `peer` to `contact` timed out. */
  failed(peer: PeerId, contact: PeerId): void {
    if (this.buckets.failed(peer, contact)) this.ctx.count("contactsDropped");
  }

  /** A full bucket checks its least recently seen contact before a newcomer may take its place. */
  private pingOldest(peer: PeerId, oldest: PeerId): void {
    this.ctx.count("pings");
    this.ctx.request(
      peer,
      oldest,
      { type: "ping" },
      this.options.requestTimeout,
      () => {
        this.buckets.pingDone(peer, oldest);
        this.learn(peer, oldest);
      },
      () => {
        this.buckets.pingDone(peer, oldest);
        this.failed(peer, oldest);
      },
    );
  }

  // ── Joining ───────────────────────────────────────────────────────

  /** `peer` comes online with an empty table. */
  join(peer: PeerId): void {
    this.bootstrap(peer, () => this.joined(peer));
  }

  /**
   * `peer`, online all along, has lost every contact (IPFS asks this of a
   * lonely peer): it looks itself up again from the bootstrap contacts. Its
   * timers are already running for this session, so none are started: a
   * second set would refresh and republish twice as often.
   */
  rebootstrap(peer: PeerId): void {
    this.bootstrap(peer, () => {});
  }

  /** Seeds `peer`'s table from the bootstrap contacts, looks up its own id, refreshes the farther buckets, then `done` (retried until someone answers). */
  private bootstrap(peer: PeerId, done: () => void): void {
    const contacts = this.ctx.bootstrapContacts(peer).filter((c) => c !== peer);
    if (contacts.length === 0) {
      // Nobody to ask: the first peer of the network.
      done();
      return;
    }
    for (const c of contacts) this.buckets.seen(peer, c);
    const own = this.ids.ids.subarray(peer * this.ids.W, (peer + 1) * this.ids.W);
    this.findNodes(peer, own, (lookup) => {
      if (lookup.closestAnswered(1).length === 0) {
        this.ctx.count("joinRetries");
        this.ctx.setTimer(peer, JOIN_RETRY_MS, () => this.bootstrap(peer, done));
        return;
      }
      this.refreshFartherBuckets(peer);
      done();
    });
  }

  /** After the self-lookup: a lookup of a random id in every bucket farther than the closest neighbour. */
  private refreshFartherBuckets(peer: PeerId): void {
    const level = this.buckets.closestLevel(peer);
    const top = level * this.buckets.perLevel;
    for (let bucket = 0; bucket < top; bucket++) this.refreshBucket(peer, bucket);
  }

  private refreshBucket(peer: PeerId, bucket: number): void {
    this.ctx.count("refreshes");
    this.findNodes(peer, this.randomIdIn(peer, bucket), () => {});
  }

  /** A uniformly random id in `peer`'s bucket: its own prefix, the bucket's digit, random bits after. */
  randomIdIn(peer: PeerId, bucket: number): Uint32Array {
    const { ids } = this;
    const { b, perLevel } = this.buckets;
    const W = ids.W;
    const out = ids.ids.slice(peer * W, (peer + 1) * W);
    const level = Math.floor(bucket / perLevel);
    const start = level * b;
    const width = Math.min(b, ids.bits - start);
    const digit = ids.bitsAt(out, 0, start, width) ^ ((bucket % perLevel) + 1);
    const rng = this.ctx.rng;
    for (let pos = start; pos < ids.bits; pos++) {
      const bit = pos < start + width ? (digit >>> (start + width - 1 - pos)) & 1 : rng.next() < 0.5 ? 1 : 0;
      const s = pos + ids.pad;
      const mask = 1 << (31 - (s & 31));
      const w = s >>> 5;
      out[w] = bit ? (out[w]! | mask) >>> 0 : (out[w]! & ~mask) >>> 0;
    }
    return out;
  }

  // ── Periodic work ─────────────────────────────────────────────────

  /** `peer` has a routing table: it publishes its keys and starts its timers. */
  joined(peer: PeerId): void {
    this.storage?.publishAll(peer);
    this.startTimers(peer);
  }

  /**
   * Starts the periodic refresh, replication and republishing of `peer` for
   * the rest of its session (the runtime stops them while maintenance is
   * frozen). Each run comes a jittered interval after the last.
   */
  private startTimers(peer: PeerId): void {
    const o = this.options;
    const every = this.everyOptions;
    this.ctx.every(peer, o.refreshInterval, this.refreshJob, every);
    if (this.storage) {
      this.ctx.every(peer, o.replicateInterval, this.replicateJob, every);
      if (this.storage.isPublisher(peer)) this.ctx.every(peer, o.republishInterval, this.republishJob, every);
    }
  }

  /** Refreshes every bucket up to the closest neighbour's level not looked up in for `refreshInterval`. */
  refresh(peer: PeerId): void {
    const since = this.ctx.now() - this.options.refreshInterval;
    const level = this.buckets.closestLevel(peer);
    const top = (level + 1) * this.buckets.perLevel;
    for (let bucket = 0; bucket < top; bucket++) {
      if (this.buckets.lastLookupIn(peer, bucket) <= since) this.refreshBucket(peer, bucket);
    }
  }
}
