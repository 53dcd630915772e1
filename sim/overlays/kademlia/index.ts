import type { PeerId } from "../../peers/population.js";
import type {
  Overlay,
  OverlayContext,
  OverlayDefinition,
  OverlaySnapshot,
  OverlayWorld,
  PeerSnapshot,
  StorageAvailability,
} from "../protocol.js";
import { Buckets } from "./buckets.js";
import { KadIds } from "./ids.js";
import { Lookup, LookupEngine } from "./lookup.js";
import { Maintenance } from "./maintenance.js";
import { kademliaMessageTypes, type KademliaMessage } from "./messages.js";
import { kademliaSchema, type KademliaOptions } from "./options.js";
import { fillBucketsFromOracle } from "./oracle.js";
import { KadStorage } from "./storage.js";
import { LiveIndex } from "./truth.js";

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

  constructor(
    private readonly options: KademliaOptions,
    private readonly ctx: OverlayContext<KademliaMessage>,
    world: OverlayWorld,
  ) {
    let capacity = 0;
    for (const p of world.allPeers) capacity = Math.max(capacity, p + 1);
    this.ids = new KadIds(options.idBits, capacity);
    this.buckets = new Buckets(this.ids, options, capacity);
    this.truth = new LiveIndex(this.ids);
    this.online = new Uint8Array(Math.max(16, capacity));
    this.replyScratch = new Int32Array(options.k);
    this.checkScratch = new Int32Array(options.k);
    const learn = (peer: PeerId, contact: PeerId) => this.maintenance.learn(peer, contact);
    const failed = (peer: PeerId, contact: PeerId) => this.maintenance.failed(peer, contact);
    this.engine = new LookupEngine(ctx, options, this.ids, this.buckets, learn, failed);
    const findNodes = (origin: PeerId, target: Uint32Array, done: (lookup: Lookup) => void) => {
      this.ctx.count("maintenanceLookups");
      const lookup = new Lookup(origin, "maintenance", target, -1, -1, this.ids.W, (l) => {
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

  // ── Messages ──────────────────────────────────────────────────────

  deliver(to: PeerId, from: PeerId, msg: KademliaMessage): void {
    this.maintenance.learn(to, from);
    switch (msg.type) {
      case "findNode":
        this.ctx.reply(to, from, msg, { type: "nodes", lookup: msg.lookup, contacts: this.closestContacts(to, msg.target, from), found: false });
        return;
      case "findValue":
        if (this.storage?.has(to, msg.key)) this.ctx.reply(to, from, msg, { type: "nodes", lookup: msg.lookup, contacts: EMPTY, found: true });
        else this.ctx.reply(to, from, msg, { type: "nodes", lookup: msg.lookup, contacts: this.closestContacts(to, msg.target, from), found: false });
        return;
      case "maintenanceFindNode":
        this.ctx.reply(to, from, msg, { type: "maintenanceNodes", contacts: this.closestContacts(to, msg.target, from) });
        return;
      case "ping":
        this.ctx.reply(to, from, msg, { type: "pong" });
        return;
      case "store":
        this.storage?.handleStore(to, from, msg);
        return;
      case "nodes":
      case "maintenanceNodes":
      case "pong":
      case "stored":
        return; // replies reach their requests through the context
      default: {
        const never: never = msg;
        throw new Error(`kademlia: no handler for ${JSON.stringify(never)}`);
      }
    }
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
      if (storage.has(peer, key)) {
        this.ctx.lookupSucceeded(id, 0);
        return;
      }
      this.startWorkload(new Lookup(peer, "value", storage.keyId(key), id, key, this.ids.W, (l, found) => this.valueDone(l, found)));
      return;
    }
    // FIND_NODE for a random live peer other than the origin (the PeerSim workload).
    const live = this.ctx.livePeers();
    let target = peer;
    if (live.length > 1) while (target === peer) target = live[this.ctx.rng.int(live.length)]!;
    const W = this.ids.W;
    this.targets.set(id, target);
    this.startWorkload(new Lookup(peer, "node", this.ids.ids.subarray(target * W, (target + 1) * W), id, -1, W, (l) => this.nodeDone(l)));
  }

  private startWorkload(lookup: Lookup): void {
    this.running.set(lookup.id, lookup);
    this.engine.start(lookup);
  }

  lookupAbandoned(_peer: PeerId, id: number): void {
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
    const at = result.indexOf(target);
    if (at >= 0) this.ctx.lookupSucceeded(lookup.id, lookup.depth[lookup.indexOf(target)]!);
    else {
      this.ctx.count("targetNotFound");
      this.ctx.lookupFailed(lookup.id);
    }
  }

  /** True if `result` is exactly the k online peers closest to the target (the origin left out). */
  private isExactKClosest(lookup: Lookup, result: readonly PeerId[]): boolean {
    const truth = this.checkScratch;
    const n = this.truth.kClosest(lookup.target, 0, this.options.k, lookup.origin, truth);
    if (n !== result.length) return false;
    const sorted = truth.slice(0, n).sort();
    const got = Int32Array.from(result).sort();
    for (let i = 0; i < n; i++) if (sorted[i] !== got[i]) return false;
    return true;
  }

  private valueDone(lookup: Lookup, found: boolean): void {
    this.ended(lookup);
    if (!found) {
      this.ctx.count("valueNotFound");
      // Observer's note: was the value ever stored at all (its publisher may not have been online yet)?
      if (!this.storage!.wasStored(lookup.key)) this.ctx.count("valueNeverStored");
      this.ctx.lookupFailed(lookup.id);
      return;
    }
    this.ctx.lookupSucceeded(lookup.id, lookup.foundDepth);
    if (this.options.cacheOnPath) this.cacheOnPath(lookup);
  }

  /**
   * §2.3: the origin stores the value at the closest peer it asked that did
   * not have it. Its copy expires after `expire` halved once for every peer
   * the lookup saw closer to the key, so caches far from the key go fast.
   */
  private cacheOnPath(lookup: Lookup): void {
    let closer = 0;
    for (let i = 0; i < lookup.len; i++) {
      const s = lookup.state[i];
      if (s === 2 /* answered without the value */) {
        const now = this.ctx.now();
        const expiresMs = now + this.options.expire / 2 ** closer;
        this.ctx.count("valuesCached");
        this.storage!.sendStore(lookup.origin, lookup.peers[i]!, lookup.key, now, expiresMs, true);
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
