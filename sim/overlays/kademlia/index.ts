import type { PeerId } from "../../peers/population.js";
import type {
  Overlay,
  OverlayContext,
  OverlayDefinition,
  OverlaySnapshot,
  OverlayWorld,
  PeerSnapshot,
  StorageAvailability,
} from "../../core/protocol.js";
import { Buckets } from "./buckets.js";
import { KadIds } from "./ids.js";
import { peerSalt } from "../shared/id-space.js";
import { Lookup, LookupEngine } from "./lookup.js";
import { Maintenance } from "./maintenance.js";
import { kademliaMessageTypes, type KademliaMessage } from "./messages.js";
import { kademliaSchema, type KademliaOptions } from "./options.js";
import { fillBucketsFromOracle } from "./oracle.js";
import { KadStorage } from "./storage.js";
import { LiveIndex } from "./truth.js";
import { answersOnly, dispatcher } from "../../core/handlers.js";

/** Kademlia (Maymounkov & Mazières, IPTPS 2002). */
class KademliaOverlay implements Overlay<KademliaMessage> {
  readonly ids: KadIds;
  readonly buckets: Buckets;
  /** The online peers sorted by id: for the oracle bootstrap and the exact-k-closest check only. */
  readonly truth: LiveIndex;
  readonly storage: KadStorage | undefined;
  readonly maintenance: Maintenance;
  private readonly engine: LookupEngine;
  /** 1 while a peer is online (observers only: stale-contact share). */
  private online = new Uint8Array(0);
  /** Workload lookups in progress, by lookup id. */
  private readonly running = new Map<number, Lookup>();
  /** Target peer of each running FIND_NODE workload lookup, by lookup id. */
  private readonly targets = new Map<number, PeerId>();
  private readonly replyScratch: Int32Array;
  private readonly checkScratch: Int32Array;
  /** The malicious peers sorted by id, for misrouting answers (built at the first one). */
  private accompliceIndex: LiveIndex | undefined;

  constructor(
    private readonly options: KademliaOptions,
    private readonly ctx: OverlayContext<KademliaMessage>,
    world: OverlayWorld,
  ) {
    let capacity = 0;
    for (const p of world.allPeers) capacity = Math.max(capacity, p + 1);
    this.ids = new KadIds(options.idBits, capacity, peerSalt(options.ids, ctx.rng));
    this.buckets = new Buckets(this.ids, options, capacity);
    this.truth = new LiveIndex(this.ids);
    this.online = new Uint8Array(Math.max(16, capacity));
    this.replyScratch = new Int32Array(options.k);
    this.checkScratch = new Int32Array(options.k);
    const learn = (peer: PeerId, contact: PeerId) => this.maintenance.learn(peer, contact);
    // "keep": a contact that timed out for a lookup or a store stays in its bucket; only maintenance (a full
    // bucket's ping of its oldest contact) evicts it.
    const failed = options.onTimeout === "keep" ? () => {} : (peer: PeerId, contact: PeerId) => this.maintenance.failed(peer, contact);
    const acceptValue = (lookup: Lookup, holder: PeerId, value: number, hops: number) => this.acceptValue(lookup, holder, value, hops);
    this.engine = new LookupEngine(ctx, options, this.ids, this.buckets, learn, failed, acceptValue);
    const findNodes = (origin: PeerId, target: Uint32Array, done: (lookup: Lookup) => void) => {
      this.ctx.count("maintenanceLookups");
      const lookup = new Lookup(origin, "maintenance", target, -1, -1, (l) => {
        if (l.timeouts > 0) this.ctx.count("maintenanceTimeouts", l.timeouts);
        done(l);
      });
      this.engine.start(lookup);
    };
    this.storage =
      options.lookups === "value"
        ? new KadStorage(ctx, options, this.ids, this.buckets, world.keyCount, world.allPeers, (o, t, done) => findNodes(o, t, (l) => done(l.closestAnswered(options.k))), learn, failed)
        : undefined;
    this.maintenance = new Maintenance(ctx, options, this.ids, this.buckets, findNodes, this.storage);
  }

  private ensure(peer: PeerId): void {
    this.ids.ensure(peer);
    this.buckets.ensure(peer);
    if (peer >= this.online.length) {
      const bigger = new Uint8Array(Math.max(peer + 1, this.online.length * 2));
      bigger.set(this.online);
      this.online = bigger;
    }
  }

  // ── Lifecycle ─────────────────────────────────────────────────────

  join(peer: PeerId): void {
    this.ensure(peer);
    this.online[peer] = 1;
    this.truth.insert(peer);
    this.buckets.reset(peer);
    this.maintenance.join(peer);
  }

  leave(peer: PeerId): void {
    this.gone(peer);
  }

  crash(peer: PeerId): void {
    this.gone(peer);
  }

  /** Kademlia has no goodbye: a leaving peer simply stops answering, like a crashed one. */
  private gone(peer: PeerId): void {
    this.online[peer] = 0;
    this.truth.remove(peer);
    this.buckets.reset(peer);
    this.storage?.gone(peer);
    for (const [id, lookup] of this.running) {
      if (lookup.origin !== peer) continue;
      lookup.cancelled = true;
      this.running.delete(id);
      this.targets.delete(id);
    }
  }

  buildOracle(peers: readonly PeerId[]): void {
    for (const p of peers) {
      this.ensure(p);
      this.online[p] = 1;
    }
    this.truth.build(peers);
    fillBucketsFromOracle(this.truth, this.buckets, this.ids, this.ctx.rng);
    // Publishing waits for the first event, so every peer of the build is in place first.
    for (const peer of peers) this.ctx.setTimer(peer, 0, () => this.maintenance.joined(peer));
  }

  /** The peer's id as a fraction of the id space: its top 32 bits over 2^32. */
  idFraction(peer: PeerId): number {
    this.ensure(peer);
    const { ids } = this;
    const at = peer * ids.W;
    const w0 = ids.ids[at]!;
    if (ids.pad === 0) return w0 / 2 ** 32;
    // The first word holds only 32 − pad bits: the rest of the top 32 come from the next word, if any.
    if (ids.W === 1) return w0 / 2 ** ids.bits;
    const top32 = ((w0 << ids.pad) | (ids.ids[at + 1]! >>> (32 - ids.pad))) >>> 0;
    return top32 / 2 ** 32;
  }

  // ── Messages ──────────────────────────────────────────────────────

  /** Every message tells its receiver of its sender (Kademlia learns contacts from traffic), then goes to its handler. */
  deliver(to: PeerId, from: PeerId, msg: KademliaMessage): void {
    this.maintenance.learn(to, from);
    this.dispatch(to, from, msg);
  }

  private readonly dispatch = dispatcher<KademliaMessage>("kademlia", {
    findNode: (to, from, msg) =>
      this.ctx.reply(to, from, msg, { type: "nodes", lookup: msg.lookup, contacts: this.contactsFor(to, msg.target, from), found: false, value: 0 }),
    findValue: (to, from, msg) => {
      if (this.answersWithValue(to, msg.key)) {
        this.ctx.reply(to, from, msg, { type: "nodes", lookup: msg.lookup, contacts: EMPTY, found: true, value: this.ctx.valueFrom(to, msg.key) });
      } else this.ctx.reply(to, from, msg, { type: "nodes", lookup: msg.lookup, contacts: this.contactsFor(to, msg.target, from), found: false, value: 0 });
    },
    maintenanceFindNode: (to, from, msg) => this.ctx.reply(to, from, msg, { type: "maintenanceNodes", contacts: this.contactsFor(to, msg.target, from) }),
    ping: (to, from, msg) => this.ctx.reply(to, from, msg, { type: "pong" }),
    store: (to, from, msg) => this.storage?.handleStore(to, from, msg),
    storeRepair: (to, from, msg) => this.storage?.handleStore(to, from, msg),
    ...answersOnly("kademlia", ["nodes", "maintenanceNodes", "pong", "stored"]),
  });

  /**
   * True if `peer` answers a FIND_VALUE for `key` with a value: it holds the
   * key, or it tampers (a tampering peer claims to hold every key, which is
   * what makes tampering bite). A misrouting peer never hands out a value.
   */
  private answersWithValue(peer: PeerId, key: number): boolean {
    const adversary = this.ctx.adversary;
    if (adversary.active) {
      if (adversary.tampers(peer)) return true;
      if (adversary.misroutes(peer)) return false;
    }
    return this.storage?.has(peer, key) === true;
  }

  /** What `peer` answers a FIND_NODE for `target` with: its k closest contacts, or, if it misroutes, its accomplices. */
  private contactsFor(peer: PeerId, target: Uint32Array, asker: PeerId): PeerId[] {
    const adversary = this.ctx.adversary;
    if (adversary.active && adversary.misroutes(peer)) {
      adversary.misrouted();
      return this.accomplicesNear(peer, target, asker);
    }
    return this.closestContacts(peer, target, asker);
  }

  /**
   * A misrouting peer's answer: the (up to) k malicious peers closest to the
   * target, nearest first, itself and the asker left out. They look like the
   * best possible answer, so the asker queries them next and keeps being
   * steered among them; the honest closest peers are never named.
   */
  private accomplicesNear(peer: PeerId, target: Uint32Array, asker: PeerId): PeerId[] {
    const k = this.options.k;
    if (this.accompliceIndex === undefined) {
      this.accompliceIndex = new LiveIndex(this.ids);
      this.accompliceIndex.build(this.ctx.adversary.accomplices);
    }
    const near = new Int32Array(k + 2);
    const n = this.accompliceIndex.kClosest(target, 0, k + 2, -1, near);
    const out: PeerId[] = [];
    for (let i = 0; i < n; i++) if (near[i] !== peer && near[i] !== asker) out.push(near[i]!);
    out.sort((x, y) => this.ids.cmpPeerDistance(target, 0, x, y));
    if (out.length > k) out.length = k;
    return out;
  }

  /** The k contacts of `peer` closest to `target`, leaving out the asker. */
  private closestContacts(peer: PeerId, target: Uint32Array, asker: PeerId): PeerId[] {
    const scratch = this.replyScratch;
    const n = this.buckets.closest(peer, target, 0, this.options.k, asker, scratch);
    // A plain array: V8 allocates small arrays of integers far faster than typed arrays.
    const out: PeerId[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = scratch[i]!;
    return out;
  }

  // ── Workload lookups ──────────────────────────────────────────────

  lookup(peer: PeerId, key: number, id: number): void {
    if (this.options.lookups === "value") {
      const storage = this.storage!;
      // Its own copy: the value is checked like any other (a correct one ends the lookup at 0 hops).
      if (storage.has(peer, key) && this.ctx.answer(id, key, peer, this.ctx.valueFrom(peer, key), 0) !== "rejected") return;
      this.startWorkload(new Lookup(peer, "value", storage.keyId(key), id, key, (l, found) => this.valueDone(l, found)));
      return;
    }
    // FIND_NODE for a random live peer other than the origin (the PeerSim workload).
    const live = this.ctx.livePeers();
    let target = peer;
    if (live.length > 1) while (target === peer) target = live[this.ctx.rng.int(live.length)]!;
    const W = this.ids.W;
    this.targets.set(id, target);
    this.startWorkload(new Lookup(peer, "node", this.ids.ids.subarray(target * W, (target + 1) * W), id, -1, (l) => this.nodeDone(l)));
  }

  private startWorkload(lookup: Lookup): void {
    this.running.set(lookup.id, lookup);
    this.engine.start(lookup);
  }

  lookupAbandoned(_peer: PeerId, id: number): void {
    this.storage?.abandonFetch(id);
    const lookup = this.running.get(id);
    if (lookup) lookup.cancelled = true;
    this.running.delete(id);
    this.targets.delete(id);
  }

  private ended(lookup: Lookup): void {
    this.running.delete(lookup.id);
    const c = this.ctx;
    c.count("lookupsFinished");
    c.count("lookupRpcs", lookup.rpcs);
    c.count("lookupRounds", lookup.rounds);
    if (lookup.timeouts > 0) c.count("lookupTimeouts", lookup.timeouts);
  }

  /** A FIND_NODE ended: success if the target is among the k closest that answered; checked against the true k closest. */
  private nodeDone(lookup: Lookup): void {
    this.ended(lookup);
    const target = this.targets.get(lookup.id)!;
    this.targets.delete(lookup.id);
    const k = this.options.k;
    const result = lookup.closestAnswered(k);
    this.ctx.count("lookupsChecked");
    if (this.isExactKClosest(lookup, result)) this.ctx.count("lookupsExactKClosest");
    // The lookup ended at the closest peer that answered.
    const endedAt = result.length > 0 ? result[0]! : -1;
    if (result.includes(target)) this.ctx.lookupSucceeded(lookup.id, lookup.depth[lookup.indexOf(target)]!, endedAt);
    else {
      this.ctx.count("targetNotFound");
      this.ctx.lookupFailed(lookup.id, endedAt);
    }
  }

  /** True if `result` is exactly the k online peers closest to the target (the origin left out). */
  private isExactKClosest(lookup: Lookup, result: readonly PeerId[]): boolean {
    const truth = this.checkScratch;
    const n = this.truth.kClosest(lookup.target, 0, this.options.k, lookup.origin, truth);
    if (n !== result.length) return false;
    // Both hold distinct peers, so equal sizes and every true one found means equal sets.
    for (let i = 0; i < n; i++) if (!result.includes(truth[i]!)) return false;
    return true;
  }

  /**
   * A FIND_VALUE's requester got `value` from `holder`: the runtime judges it
   * (`ctx.answer`), and the answer says whether the search is over (false: a
   * tampered value was caught; look on).
   */
  private acceptValue(lookup: Lookup, holder: PeerId, value: number, hops: number): boolean {
    if (lookup.cancelled) return true; // nobody waits for the answer any more
    if (!this.ctx.bandwidth) return this.ctx.answer(lookup.id, lookup.key, holder, value, hops) !== "rejected";
    // With network.bandwidth the value's bytes follow the answer as a transfer: the search ends here
    // and the lookup is reported when they have arrived (a value then found tampered fails it, as
    // does a cut transfer); either way the lookup ended with `holder`'s answer.
    const { id, key } = lookup;
    this.storage!.fetchValue(
      holder,
      lookup.origin,
      key,
      id,
      () => {
        if (this.ctx.answer(id, key, holder, value, hops) === "rejected") this.ctx.lookupFailed(id, holder);
      },
      () => this.ctx.lookupFailed(id, holder),
    );
    return true;
  }

  /** A FIND_VALUE ended; a value found has already been reported (acceptValue). */
  private valueDone(lookup: Lookup, found: boolean): void {
    this.ended(lookup);
    if (!found) {
      this.ctx.count("valueNotFound");
      // Observer's note: was the value ever stored at all (its publisher may not have been online yet)?
      if (!this.storage!.wasStored(lookup.key)) this.ctx.count("valueNeverStored");
      const closest = lookup.closestAnswered(1);
      this.ctx.lookupFailed(lookup.id, closest.length > 0 ? closest[0]! : -1);
      return;
    }
    // A corrupted value is not passed on (the store keeps no content, so a cached copy would launder it).
    const adversary = this.ctx.adversary;
    if (this.options.cacheOnPath && !(adversary.active && adversary.tampers(lookup.holder))) this.cacheOnPath(lookup);
  }

  /**
   * §2.3: the origin stores the value at the closest peer it asked that did
   * not have it. Its copy expires after `expire` halved once for every peer
   * the lookup saw closer to the key, so caches far from the key go fast.
   */
  private cacheOnPath(lookup: Lookup): void {
    let closer = 0;
    for (let i = 0; i < lookup.len; i++) {
      const e = lookup.order[i]!;
      const s = lookup.state[e];
      if (s === 2 /* answered without the value */) {
        const now = this.ctx.now();
        const expiresMs = now + this.options.expire / 2 ** closer;
        this.ctx.count("valuesCached");
        this.storage!.sendStore(lookup.origin, lookup.peers[e]!, lookup.key, now, expiresMs, true, false);
        return;
      }
      if (s !== 3) closer++;
    }
  }

  // ── Observers ─────────────────────────────────────────────────────

  availability(): StorageAvailability | undefined {
    return this.storage?.availability();
  }

  /**
   * Routing-table health over (at most `statsSample`) evenly spaced online
   * peers: mean contacts per peer, the share of contacts that point at
   * offline peers, and mean values held per peer.
   */
  sample(): Record<string, number> {
    const live = this.ctx.livePeers();
    const limit = this.options.statsSample;
    let peers = 0;
    let contacts = 0;
    let stale = 0;
    let values = 0;
    if (limit > 0 && live.length > 0) {
      const step = live.length > limit ? live.length / limit : 1;
      for (let x = 0; x < live.length; x += step) {
        const peer = live[Math.floor(x)]!;
        if (peer >= this.online.length) continue;
        peers++;
        contacts += this.buckets.contactCount[peer]!;
        this.buckets.forEachContact(peer, (c) => {
          if (!this.online[c]) stale++;
        });
        values += this.storage?.heldCount(peer) ?? 0;
      }
    }
    return {
      tableContacts: peers > 0 ? contacts / peers : 0,
      staleContacts: contacts > 0 ? stale / contacts : 0,
      valuesHeld: peers > 0 ? values / peers : 0,
    };
  }

  keyPosition(key: number): number {
    const id = new Uint32Array(this.ids.W);
    this.ids.keyId(key, id, 0);
    return this.ids.position(id, 0);
  }

  snapshot(): OverlaySnapshot {
    const peers: PeerSnapshot[] = [];
    const W = this.ids.W;
    for (const peer of this.truth.peers()) {
      const links: PeerId[] = [];
      this.buckets.forEachContact(peer, (c) => links.push(c));
      peers.push({
        peer,
        links,
        linkKinds: links.map(() => "bucket"),
        position: this.ids.position(this.ids.ids, peer * W),
        keys: this.storage?.heldBy(peer) ?? [],
      });
    }
    return { peers };
  }
}

const EMPTY: readonly PeerId[] = [];

export const kademlia: OverlayDefinition<KademliaOptions, KademliaMessage> = {
  name: "kademlia",
  description: "Kademlia: XOR metric and k-buckets; α-parallel iterative FIND_NODE/FIND_VALUE; values stored on the k closest peers",
  schema: kademliaSchema,
  messageTypes: kademliaMessageTypes,
  lookupTimeouts: true,
  counters: [
    "lookupsFinished",
    "lookupRpcs",
    "lookupRounds",
    "lookupTimeouts",
    "lookupsChecked",
    "lookupsExactKClosest",
    "targetNotFound",
    "valueNotFound",
    "valueNeverStored",
    "maintenanceLookups",
    "maintenanceTimeouts",
    "refreshes",
    "pings",
    "contactsDropped",
    "joinRetries",
    "publishes",
    "replications",
    "handovers",
    "valuesCached",
    "valuesLost",
  ],
  summary: (_options, counters) => {
    const finished = counters.lookupsFinished ?? 0;
    const checked = counters.lookupsChecked ?? 0;
    const per = (x: number | undefined, n: number) => (n > 0 ? Math.round(((x ?? 0) / n) * 1000) / 1000 : 0);
    return {
      rpcsPerLookup: per(counters.lookupRpcs, finished),
      roundsPerLookup: per(counters.lookupRounds, finished),
      exactKClosestShare: per(counters.lookupsExactKClosest, checked),
    };
  },
  create: (options, ctx, world) => new KademliaOverlay(options, ctx, world),
};
