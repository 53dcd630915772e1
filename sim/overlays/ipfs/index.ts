import { round } from "../../metrics/stats.js";
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
// The one place an overlay composes another (test/layering.test.ts allows exactly this import):
// IPFS runs the Kademlia DHT for content routing next to Bitswap.
import { ProviderDht, kademliaRouting, providerDhtMessageTypes, type ProviderDhtMessage } from "../kademlia/provider-dht.js";
import { Bitswap } from "./bitswap.js";
import { Blockstore } from "./blockstore.js";
import { Connections } from "./connections.js";
import { Dags } from "./dag.js";
import { DHT, ipfsMessageTypes, type BitswapMessage, type IpfsMessage } from "./messages.js";
import { Namespace } from "../shared/namespace.js";
import { ipfsSchema, type IpfsOptions } from "./options.js";
import { PublishStats, RetrievalStats } from "./stats.js";
import { answersOnly, dispatcher } from "../../core/handlers.js";

/** The role of pinning-service peers (service peers, see OverlayDefinition.services). */
export const PINNING_ROLE = "pinning";

/** Kubo's reprovider first runs this long after the node starts, then every providerRepublish. */
const FIRST_REPROVIDE_MS = 60_000;
/**
 * A peer whose DHT table is still empty this long after it came online (it
 * joined when nobody else was there, like a pinning service at time 0)
 * joins again through the host cache.
 */
const REJOIN_MS = 30_000;
/** Files listed one by one in overlay.json (where their blocks and records live). */
const FILES_LISTED = 20;

/**
 * IPFS (Trautwein et al., "Design and evaluation of IPFS", SIGCOMM 2022):
 * content-addressed files (dag.ts) in each peer's blockstore (blockstore.ts),
 * found through provider records on a Kademlia DHT (kademlia/provider-dht.ts,
 * run under the "dht/" message prefix) and moved by Bitswap (bitswap.ts)
 * over the connections each peer keeps (connections.ts).
 *
 * **Files.** Workload key f is a file of workload.fileSize bytes, created by
 * a pool peer drawn at random and published at a random time within
 * `publish.window`: its creator stores and pins it, and announces it in the
 * DHT (when the creator is offline at that time it publishes when it is next
 * online). `pinning.policy` says who pins it: the creator, a pinning service
 * the creator uploads it to (which announces it too), both, or nobody. An
 * upload cut short (the creator left) is tried again when the creator is
 * next online.
 *
 * **Retrievals** are the workload's lookups: a lookup of key f at peer p
 * is p fetching file f. It succeeds when every block has arrived and
 * checked out; it is also a download (downloads.csv) of the file's bytes.
 * A peer that fetched a file keeps it in its cache and, with
 * `storage.provideFetched`, announces it.
 *
 * **Announcing.** Each peer announces every file it holds whole (Kubo's
 * reprovider) a minute after coming online and every `dht.providerRepublish`.
 */
class IpfsOverlay implements Overlay<IpfsMessage> {
  readonly dht: ProviderDht;
  readonly bitswap: Bitswap;
  readonly store: Blockstore;
  readonly connections: Connections;
  readonly dags: Dags;
  private readonly retrievals = new RetrievalStats();
  private readonly publications = new PublishStats();
  private readonly online: number[] = [];
  /** 1 for pool peers behind a NAT (DHT clients). */
  private readonly client: Uint8Array;
  private readonly services: readonly PeerId[];
  private readonly creator: Int32Array;
  private readonly publishAtMs: Float64Array;
  /** The pinning service each file is uploaded to, or -1. */
  private readonly pinnedBy: Int32Array;
  private readonly published: Uint8Array;
  /** Files each creator has yet to publish. */
  private readonly pending = new Map<PeerId, number[]>();
  private readonly allPeers: readonly PeerId[];
  private readonly dhtNamespace = new Namespace(DHT, providerDhtMessageTypes, ipfsMessageTypes);

  /** Bitswap's messages and the dials, by type. */
  private readonly dispatch: (to: PeerId, from: PeerId, msg: BitswapMessage) => void;

  constructor(
    private readonly options: IpfsOptions,
    private readonly ctx: OverlayContext<IpfsMessage>,
    world: OverlayWorld,
  ) {
    this.services = world.services[PINNING_ROLE] ?? [];
    this.allPeers = [...world.allPeers, ...this.services];
    let capacity = 16;
    for (const p of this.allPeers) capacity = Math.max(capacity, p + 1);
    const rng = ctx.rng;
    this.client = new Uint8Array(capacity);
    if (options.dht.clientShare > 0) for (const p of world.allPeers) this.client[p] = rng.next() < options.dht.clientShare ? 1 : 0;
    const isServer = (peer: PeerId) => peer >= this.client.length || this.client[peer] === 0;
    this.dht = new ProviderDht(
      // Every DHT exchange leaves a connection open between the two peers (libp2p dials to talk), so connections
      // come from DHT traffic, as on the live network.
      this.dhtNamespace.context<ProviderDhtMessage, IpfsMessage>(ctx),
      {
        kademlia: kademliaRouting(options.bootstrap, options.dht),
        providerExpireMs: options.dht.providerExpire,
        isServer,
        answered: (from, to) => {
          if (this.online[from] === 1 && this.online[to] === 1) this.connections.connect(from, to);
        },
      },
      capacity,
    );
    this.dags = new Dags(world.keyCount, (f) => ctx.fileSize(f), options.blockSize, options.linksPerNode);
    const count = (name: string, amount?: number) => ctx.count(name, amount);
    // A file garbage collection took whole from a peer: the peer no longer announces it (its reprovider reads the store).
    this.store = new Blockstore(this.dags, capacity, options.storage.max, options.storage.gcWatermark, () => ctx.count("filesCollected"), count);
    const serviceSet = new Set(this.services);
    this.connections = new Connections((peer) =>
      serviceSet.has(peer)
        ? { low: options.pinning.connections, high: Math.ceil(options.pinning.connections * 1.5) }
        : { low: options.connections.low, high: options.connections.high },
    );
    this.bitswap = new Bitswap(
      ctx,
      options,
      this.dags,
      this.store,
      this.connections,
      this.retrievals,
      (peer, file, lookup, want, onProviders, done) => this.dht.findProviders(peer, file, lookup, want, onProviders, () => done()),
      (peer, other, lookup, done) => this.dial(peer, other, lookup, done),
      (peer, file) => {
        if (options.storage.provideFetched) this.provide(peer, file);
      },
    );
    // Files: a creator, a publication time and maybe a pinning service each, drawn in file order.
    const files = world.keyCount;
    this.creator = new Int32Array(files);
    this.publishAtMs = new Float64Array(files);
    this.pinnedBy = new Int32Array(files).fill(-1);
    this.published = new Uint8Array(files);
    for (let f = 0; f < files; f++) {
      this.creator[f] = world.allPeers[rng.int(world.allPeers.length)]!;
      this.publishAtMs[f] = options.publish.window * rng.next();
      const policy = options.pinning.policy;
      if (policy === "service" || policy === "both") this.pinnedBy[f] = this.services[f % this.services.length]!;
      const list = this.pending.get(this.creator[f]!);
      if (list) list.push(f);
      else this.pending.set(this.creator[f]!, [f]);
    }
    this.dispatch = dispatcher<BitswapMessage>("ipfs", {
      ...this.bitswap.handlers,
      dial: (to, from, msg) => {
        if (this.online[from] === 1) this.connections.connect(to, from);
        this.ctx.reply(to, from, msg, msg.lookup === undefined ? { type: "dialed" } : { type: "dialed", lookup: msg.lookup });
      },
      ...answersOnly("ipfs", ["dialed"]),
    });
  }

  // ── Lifecycle ─────────────────────────────────────────────────────

  join(peer: PeerId): void {
    this.online[peer] = 1;
    this.store.setOnline(peer, true);
    this.dht.join(peer);
    this.startPeer(peer);
  }

  buildOracle(peers: readonly PeerId[]): void {
    for (const p of peers) {
      this.online[p] = 1;
      this.store.setOnline(p, true);
    }
    this.dht.buildOracle(peers);
    // Connections straight from each peer's buckets, up to its low water mark.
    for (const p of peers) {
      this.dht.buckets.forEachContact(p, (c) => {
        if (this.connections.wantsMore(p) && this.online[c] === 1) this.connections.connect(p, c);
      });
    }
    for (const s of this.services) {
      if (this.online[s] !== 1) continue;
      const others = peers.filter((p) => p !== s);
      for (const p of this.ctx.rng.sample(others, Math.min(others.length, this.options.pinning.connections))) this.connections.connect(s, p);
    }
    for (const p of peers) this.startPeer(p);
  }

  /** Timers of a peer that has just come online: its pending publications and the reprovider. */
  private startPeer(peer: PeerId): void {
    const now = this.ctx.now();
    for (const f of this.pending.get(peer) ?? []) {
      if (this.published[f]) this.upload(peer, f);
      else this.ctx.setTimer(peer, Math.max(0, this.publishAtMs[f]! - now), () => this.publish(peer, f));
    }
    this.ctx.setTimer(peer, FIRST_REPROVIDE_MS, () => this.reprovide(peer));
    this.ctx.setTimer(peer, REJOIN_MS, () => this.rejoinIfAlone(peer));
    this.ctx.every(peer, this.options.dht.providerRepublish, () => this.reprovide(peer), { start: "after-interval" });
  }

  private rejoinIfAlone(peer: PeerId): void {
    if (this.dht.buckets.contactCount[peer]! > 0) return;
    this.ctx.count("dhtRejoins");
    this.dht.rejoin(peer);
    this.ctx.setTimer(peer, REJOIN_MS, () => this.rejoinIfAlone(peer));
  }

  leave(peer: PeerId): void {
    this.gone(peer);
  }

  crash(peer: PeerId): void {
    this.gone(peer);
  }

  private gone(peer: PeerId): void {
    this.online[peer] = 0;
    this.store.setOnline(peer, false);
    this.dht.gone(peer);
    this.connections.gone(peer);
    this.bitswap.gone(peer);
  }

  // ── Connections ───────────────────────────────────────────────────

  /** `peer` dials `other` (a libp2p handshake, one round trip); `done` says whether it answered. */
  private dial(peer: PeerId, other: PeerId, lookup: number, done: (ok: boolean) => void): void {
    this.ctx.count("dials");
    this.ctx.request(
      peer,
      other,
      lookup >= 0 ? { type: "dial", lookup } : { type: "dial" },
      this.options.dht.requestTimeout,
      () => done(true),
      () => {
        this.ctx.count("dialFailures");
        done(false);
      },
    );
  }

  // ── Publishing and announcing ─────────────────────────────────────

  /** `creator` adds `file`: it pins every block, announces the root, and uploads the file to its pinning service, if any. */
  private publish(creator: PeerId, file: number): void {
    if (this.published[file]) return;
    this.published[file] = 1;
    this.ctx.count("publishes");
    const policy = this.options.pinning.policy;
    this.store.addAll(creator, file, policy === "creator" || policy === "both");
    this.store.markPublished(file);
    this.provide(creator, file, true);
    this.upload(creator, file);
  }

  /** `creator` sends `file` to its pinning service, if it has one; the service pins and announces it. */
  private upload(creator: PeerId, file: number): void {
    const service = this.pinnedBy[file]!;
    if (service < 0 || this.store.hasAll(service, file)) return;
    this.ctx.count("uploads");
    this.ctx.transfer(
      creator,
      service,
      this.dags.of(file).bytes,
      () => {
        this.store.addAll(service, file, true);
        this.provide(service, file);
      },
      () => this.ctx.count("uploadsFailed"),
    );
  }

  /** `peer` announces `file` in the DHT: its root, or every block (publish.provide: all). */
  private provide(peer: PeerId, file: number, measured = false): void {
    const dag = this.dags.of(file);
    const blocks = this.options.publish.provide === "all" ? dag.blocks : 1;
    for (let b = 0; b < blocks; b++) {
      this.ctx.count("provides");
      this.dht.provide(peer, dag.cid(b), (walkMs, putMs, stored) => {
        if (measured && b === 0) this.publications.record(walkMs, putMs, stored);
      });
    }
  }

  /** Kubo's reprovider: every file the peer holds whole is announced again. */
  private reprovide(peer: PeerId): void {
    for (const file of this.store.filesOf(peer)) {
      if (!this.store.isPinned(peer, file) && !this.options.storage.provideFetched) continue;
      this.ctx.count("reprovides");
      this.provide(peer, file);
    }
  }

  // ── Messages ──────────────────────────────────────────────────────

  /** The DHT's messages (prefixed "dht/") go to the DHT under their own names; the rest are Bitswap's and the dials'. */
  deliver(to: PeerId, from: PeerId, msg: IpfsMessage): void {
    if (this.dhtNamespace.owns(msg.type)) {
      this.dht.deliver(to, from, this.dhtNamespace.strip<ProviderDhtMessage>(msg));
      return;
    }
    this.dispatch(to, from, msg as BitswapMessage);
  }


  lookup(peer: PeerId, key: number, id: number): void {
    this.bitswap.retrieve(peer, key, id);
  }

  lookupAbandoned(_peer: PeerId, id: number): void {
    this.bitswap.abandon(id);
  }

  // ── Observers ─────────────────────────────────────────────────────

  availability(): StorageAvailability {
    return this.store.availability();
  }

  sample(): Record<string, number> {
    const live = this.ctx.livePeers();
    let connections = 0;
    for (const p of live) connections += this.connections.count(p);
    return { connectionsMean: live.length > 0 ? connections / live.length : 0, sessionsRunning: this.bitswap.running };
  }

  keyPosition(key: number): number {
    return this.dht.keyPosition(key);
  }

  idFraction(peer: PeerId): number {
    return this.dht.peerPosition(peer);
  }

  snapshot(): OverlaySnapshot {
    const peers: PeerSnapshot[] = [];
    const serviceSet = new Set(this.services);
    for (const peer of this.ctx.livePeers()) {
      const links = [...this.connections.of(peer)];
      const role = serviceSet.has(peer) ? PINNING_ROLE : this.client[peer] === 1 ? "dht-client" : undefined;
      peers.push({
        peer,
        links,
        linkKinds: links.map(() => "connection"),
        keys: this.store.filesOf(peer),
        position: this.dht.peerPosition(peer),
        ...(role ? { role } : {}),
      });
    }
    return { peers };
  }

  /**
   * overlay.json: retrieval and publication timings, and for the first files
   * where they live: the peers holding every block (online or not) and the
   * DHT servers holding an unexpired provider record, with their positions.
   */
  results(): Record<string, unknown> {
    const servers = this.allPeers.filter((p) => this.client[p] !== 1);
    const files = [];
    for (let f = 0; f < Math.min(FILES_LISTED, this.dags.count); f++) {
      const dag = this.dags.of(f);
      files.push({
        file: f,
        bytes: dag.bytes,
        blocks: dag.blocks,
        position: round(this.dht.keyPosition(f)),
        creator: this.creator[f],
        pinningService: this.pinnedBy[f]! >= 0 ? this.pinnedBy[f] : null,
        published: this.published[f] === 1,
        holders: this.store
          .holders(f, this.allPeers)
          .map((p) => ({ peer: p, online: this.online[p] === 1, pinned: this.store.isPinned(p, f), position: round(this.dht.peerPosition(p)) })),
        providerRecords: this.dht.recordHolders(f, servers).map((p) => ({ peer: p, position: round(this.dht.peerPosition(p)), providers: this.dht.providersAt(p, f) })),
      });
    }
    return { retrievals: this.retrievals.summary(), publications: this.publications.summary(), files };
  }
}

export const ipfs: OverlayDefinition<IpfsOptions, IpfsMessage> = {
  name: "ipfs",
  description: "IPFS: files as Merkle DAGs of hashed blocks; provider records on a Kademlia DHT; blocks exchanged by Bitswap sessions; pinning, caches and garbage collection",
  schema: ipfsSchema,
  messageTypes: ipfsMessageTypes,
  lookupTimeouts: true,
  downloads: true,
  counters: [
    "dhtMaintenanceLookups",
    "dhtRejoins",
    "refreshes",
    "pings",
    "contactsDropped",
    "joinRetries",
    "wantHaveSent",
    "wantBlockSent",
    "haveSent",
    "dontHaveSent",
    "cancelSent",
    "blocksSent",
    "blocksReceived",
    "blocksRejected",
    "rebroadcasts",
    "providerSearches",
    "providerSearchesEmpty",
    "retrievalsLocal",
    "retrievalsViaBroadcast",
    "retrievalsViaDht",
    "publishes",
    "uploads",
    "uploadsFailed",
    "provides",
    "reprovides",
    "dials",
    "dialFailures",
    "gcRuns",
    "blocksCollected",
    "filesCollected",
  ],
  services: (options) => (options.pinning.services > 0 ? [{ role: PINNING_ROLE, count: options.pinning.services }] : []),
  checkScenario: (options, scenario) => {
    const network = scenario.peers + options.pinning.services;
    if (options.dht.k <= network) return [];
    const services = options.pinning.services > 0 ? ` and ${options.pinning.services} pinning services` : "";
    return [{ path: ["dht", "k"], message: `expected at most ${network} (the network has ${scenario.peers} peers${services}: a provider record cannot go to more servers than exist), got ${options.dht.k}` }];
  },
  summary: (_options, counters) => {
    const retrievals = (counters.retrievalsViaBroadcast ?? 0) + (counters.retrievalsViaDht ?? 0);
    const per = (x: number | undefined, n: number) => (n > 0 ? Math.round(((x ?? 0) / n) * 1000) / 1000 : 0);
    return {
      wantHavePerRetrieval: per(counters.wantHaveSent, retrievals),
      cancelPerRetrieval: per(counters.cancelSent, retrievals),
      wantBlockPerRetrieval: per(counters.wantBlockSent, retrievals),
      providerSearchesPerRetrieval: per(counters.providerSearches, retrievals),
      dhtShareOfRetrievals: per(counters.retrievalsViaDht, retrievals),
    };
  },
  create: (options, ctx, world) => new IpfsOverlay(options, ctx, world),
};
