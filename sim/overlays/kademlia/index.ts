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
import { WorkloadLookups } from "./workload.js";
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
  /** The workload's FIND_NODE or FIND_VALUE lookups: started, judged, abandoned. */
  private readonly workload: WorkloadLookups;
  /** 1 while a peer is online (observers only: stale-contact share). */
  private online = new Uint8Array(0);
  private readonly replyScratch: Int32Array;
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
    const learn = (peer: PeerId, contact: PeerId) => this.maintenance.learn(peer, contact);
    // "keep": a contact that timed out for a lookup or a store stays in its bucket; only maintenance (a full
    // bucket's ping of its oldest contact) evicts it.
    const failed = options.onTimeout === "keep" ? () => {} : (peer: PeerId, contact: PeerId) => this.maintenance.failed(peer, contact);
    const acceptValue = (lookup: Lookup, holder: PeerId, value: number, hops: number) => this.workload.acceptValue(lookup, holder, value, hops);
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
    this.workload = new WorkloadLookups(ctx, options, this.ids, this.truth, this.engine, this.storage);
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
    this.engine.originGone(peer);
    this.online[peer] = 0;
    this.truth.remove(peer);
    this.buckets.reset(peer);
    this.storage?.gone(peer);
    this.workload.originGone(peer);
  }

  buildOracle(peers: readonly PeerId[]): void {
    for (const p of peers) {
      this.ensure(p);
      this.online[p] = 1;
    }
    this.truth.build(peers);
    fillBucketsFromOracle(this.truth, this.buckets, this.ids, this.ctx.rng);
    // Publishing waits for the first event, so every peer of the build is in place first. One function
    // for every peer's timer (setTimerWith): a closure and a timer object per peer, a million of them
    // alive until the first event, were what the garbage collector copied during a large build.
    for (const peer of peers) this.ctx.setTimerWith(peer, 0, this.joinedAfterBuild, 0, 0);
  }

  private readonly joinedAfterBuild = (peer: PeerId) => this.maintenance.joined(peer);

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
    this.workload.start(peer, key, id);
  }

  lookupAbandoned(_peer: PeerId, id: number): void {
    this.workload.abandon(id);
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
