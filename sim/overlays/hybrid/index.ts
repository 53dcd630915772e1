import type { PeerId } from "../../peers/population.js";
import { placeReplicas, replicaCounts } from "../shared/placement.js";
import { ItemLedger } from "../shared/item-ledger.js";
import { CopyCache } from "../shared/copy-cache.js";
import type {
  Overlay,
  OverlayContext,
  OverlayDefinition,
  OverlaySnapshot,
  OverlayWorld,
  PeerSnapshot,
  ServiceSpec,
  StorageAvailability,
} from "../../core/protocol.js";
import { CentralPeers } from "./central.js";
import { IndexServers } from "./index-server.js";
import { hybridMessageTypes, type HybridMessage } from "./messages.js";
import { hybridSchema, type HybridOptions } from "./options.js";
import { SuperPeers } from "./super-peers.js";
import { answersOnly, dispatcher, refused } from "../../core/handlers.js";

/** The role of central index servers (service peers, see OverlayDefinition.services). */
export const INDEX_ROLE = "index";

/**
 * Hybrid P2P: search through an index, download directly from a holder.
 * Mode "central" is Napster (index servers with finite capacity, see
 * index-server.ts and central.ts); mode "super-peer" is KaZaA / Gnutella 0.6
 * (see super-peers.ts). Copies of keys are placed on the churn pool as in
 * every overlay (sim/workload/placement.ts).
 *
 * Holders keep their files across sessions (on disk), so a key is available
 * while at least one of its holders is online, and no key is ever lost.
 *
 * Adversaries (docs/faults.md). Misrouting peers poison the index (Liang,
 * Kumar, Xi & Ross, "Pollution in P2P file sharing systems", INFOCOM 2005):
 * they register every key of the workload, popular or not, so index answers
 * and super-peer hits list them as holders; asked for a file they lack they
 * answer "not found" (or, if they also tamper, hand out a decoy). Misrouting
 * super-peers answer queries with malicious holders only (super-peers.ts).
 * Tampering holders hand out corrupted files (downloads.ts).
 */
class HybridOverlay implements Overlay<HybridMessage> {
  /** Who holds which key; holders keep their files on disk across sessions. */
  private readonly ledger: ItemLedger;
  readonly index: IndexServers | undefined;
  private readonly central: CentralPeers | undefined;
  readonly superPeers: SuperPeers | undefined;
  /** Owner replication: the copies each peer made of what it downloaded. */
  private readonly copies: CopyCache;
  private readonly replication: HybridOptions["replication"];

  constructor(options: HybridOptions, private readonly ctx: OverlayContext<HybridMessage>, world: OverlayWorld) {
    const popularity = Array.from({ length: world.keyCount }, (_, k) => world.keyPopularity(k));
    const counts = replicaCounts(popularity, options.replication.replicas, options.replication.strategy, world.allPeers.length);
    this.ledger = new ItemLedger(world.keyCount, "disk");
    for (const [peer, keys] of placeReplicas(counts, world.allPeers, ctx.rng)) for (const key of keys) this.ledger.add(peer, key, true);
    this.replication = options.replication;
    this.copies = new CopyCache(this.ledger, options.replication.maxStored);
    const downloaded = (peer: PeerId, key: number) => this.keepCopy(peer, key);
    const adversary = ctx.adversary;
    // Every key of the workload: what a poisoning peer registers.
    const allKeys = adversary.active ? Array.from({ length: world.keyCount }, (_, k) => k) : [];
    const keysOf = (peer: PeerId) => (adversary.active && adversary.misroutes(peer) ? allKeys : this.ledger.itemsOf(peer));
    const holds = (peer: PeerId, key: number) => this.ledger.holds(peer, key);
    const answers = answersOnly("hybrid", ["registerAck", "keepAliveAck", "spConnectReply", "spPong", "queryReply", "fetchReply"]);
    if (options.mode === "central") {
      const index = new IndexServers(ctx, options, world.services[INDEX_ROLE] ?? []);
      const central = new CentralPeers(ctx, options, index, keysOf, holds, downloaded);
      this.index = index;
      this.central = central;
      this.deliver = dispatcher<HybridMessage>("hybrid", {
        ...index.handlers,
        ...central.handlers,
        ...refused("hybrid", ["spConnect", "spPing", "bye", "spQuery", "spHit"], "the central mode has no super-peers"),
        ...answers,
      });
    } else {
      // Each pool peer draws a capacity; the top `fraction` are super-peers.
      const capacity = world.allPeers.map((peer) => ({ peer, capacity: ctx.rng.next() }));
      capacity.sort((a, b) => b.capacity - a.capacity || a.peer - b.peer);
      const n = Math.max(1, Math.round(options.superPeers.fraction * world.allPeers.length));
      const superPeers = new SuperPeers(ctx, options, new Set(capacity.slice(0, n).map((c) => c.peer)), keysOf, holds, downloaded);
      this.superPeers = superPeers;
      this.deliver = dispatcher<HybridMessage>("hybrid", { ...superPeers.handlers, ...answers });
    }
  }

  join(peer: PeerId): void {
    if (this.index?.isServer(peer)) this.index.start(peer);
    else this.central?.join(peer);
    this.superPeers?.join(peer);
    this.ledger.setOnline(peer, true);
  }

  leave(peer: PeerId): void {
    this.central?.leave(peer);
    this.superPeers?.leave(peer);
    this.ledger.setOnline(peer, false);
  }

  crash(peer: PeerId): void {
    if (this.index?.isServer(peer)) this.index.crash(peer);
    else this.central?.crash(peer);
    this.superPeers?.crash(peer);
    this.ledger.setOnline(peer, false);
  }

  /**
   * Owner replication (`replication.onSuccess: owner`), Napster's own way of
   * spreading files: a peer that downloaded a file keeps it and shares it,
   * registering it like its own files. At most `maxStored` such copies per
   * peer (the oldest is dropped first); a peer's own files are never dropped.
   */
  private keepCopy(peer: PeerId, key: number): void {
    if (this.replication.onSuccess !== "owner" || !this.copies.keep(peer, key)) return;
    this.ctx.count("copiesMade");
    this.central?.advertise(peer);
    this.superPeers?.advertise(peer);
  }

  /** Keys placed on some holder, those with a holder online now, and none lost (holders keep their files on disk). */
  availability(): StorageAvailability {
    return { stored: this.ledger.storedCount(), available: this.ledger.availableCount(), lost: 0 };
  }

  /** Each message type to the part that owns it, in the mode the scenario chose. */
  readonly deliver: (to: PeerId, from: PeerId, msg: HybridMessage) => void;

  lookup(peer: PeerId, key: number, lookup: number): void {
    if (this.ledger.holds(peer, key)) {
      // Its own copy: the true content, nothing to check.
      this.ctx.lookupSucceeded(lookup, 0);
      return;
    }
    this.central?.lookup(peer, key, lookup);
    this.superPeers?.lookup(peer, key, lookup);
  }

  lookupAbandoned(peer: PeerId, lookup: number): void {
    this.central?.abandon(peer, lookup);
    this.superPeers?.abandon(peer, lookup);
  }

  sample(): Record<string, number> {
    return this.index?.sample() ?? this.superPeers!.sample();
  }

  snapshot(): OverlaySnapshot {
    const peers: PeerSnapshot[] = [];
    // Index servers that are up come first, with role "index" (livePeers() lists only churn peers).
    const servers = this.index ? this.index.servers.filter((server) => this.index!.isUp(server)) : [];
    for (const server of servers) peers.push({ peer: server, role: INDEX_ROLE, links: [], linkKinds: [], keys: [] });
    for (const peer of this.ctx.livePeers()) {
      const keys = this.ledger.itemsOf(peer);
      let links: readonly PeerId[] = servers;
      let kind = "index";
      let role: string | undefined;
      const s = this.superPeers?.stateOf(peer);
      if (s) {
        links = s.isSuper ? s.neighbours : s.superPeer >= 0 ? [s.superPeer] : [];
        kind = s.isSuper ? "super-peer" : "leaf";
        role = s.isSuper ? "super-peer" : undefined;
      }
      peers.push({ peer, ...(role ? { role } : {}), links: links.slice(), linkKinds: links.map(() => kind), keys });
    }
    return { peers };
  }
}

export const hybrid: OverlayDefinition<HybridOptions, HybridMessage> = {
  name: "hybrid",
  description: "Napster-style central index with finite capacity, or KaZaA-style super-peers; files fetched directly from holders",
  schema: hybridSchema,
  messageTypes: hybridMessageTypes,
  counters: [
    // Central index.
    "indexQueries",
    "indexServed",
    "indexRejected",
    "indexWaitMs",
    "indexBusyMs",
    "indexQueueMs",
    "indexCrashes",
    "indexTimeouts",
    "lookupsIndexDown",
    "lookupsRejected",
    "notFound",
    // Both modes.
    "registrations",
    "reRegistrations",
    "keepAliveTimeouts",
    "purgedByTimeout",
    "purgedByReport",
    "fetchTimeouts",
    "copiesMade",
    // Super-peers.
    "leafAttaches",
    "attachRetries",
    "reattachments",
    "superPeerLinksLost",
    "duplicateQueries",
  ],
  services: (options): readonly ServiceSpec[] => {
    if (options.mode !== "central") return [];
    const servers = options.index.servers;
    const outages = options.index.failures.flatMap((f) =>
      (f.server === undefined ? Array.from({ length: servers }, (_, i) => i) : [f.server]).map((index) => ({
        index,
        atMs: f.at,
        ...(f.restartAt === undefined ? {} : { restartAtMs: f.restartAt }),
      })),
    );
    return [{ role: INDEX_ROLE, count: servers, outages }];
  },
  summary: (options, c, measuredSeconds): Record<string, number> => {
    if (options.mode !== "central") return {};
    const serverMs = options.index.servers * measuredSeconds * 1000;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
    return {
      indexUtilisation: ratio(c.indexBusyMs!, serverMs),
      indexQueueMean: ratio(c.indexQueueMs!, serverMs),
      indexWaitMeanMs: ratio(c.indexWaitMs!, c.indexServed!),
      indexServedPerSecond: ratio(c.indexServed!, measuredSeconds),
      indexRejectedRatio: ratio(c.indexRejected!, c.indexQueries!),
    };
  },
  create: (options, ctx, world) => new HybridOverlay(options, ctx, world),
};
