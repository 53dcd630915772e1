import type { PeerId } from "../../peers/population.js";
import { placeReplicas, replicaCounts } from "../../workload/placement.js";
import type { Overlay, OverlayContext, OverlayDefinition, OverlaySnapshot, OverlayWorld, PeerSnapshot, ServiceSpec } from "../protocol.js";
import { CentralPeers } from "./central.js";
import { IndexServers } from "./index-server.js";
import { hybridMessageTypes, type HybridMessage } from "./messages.js";
import { hybridSchema, type HybridOptions } from "./options.js";
import { SuperPeers } from "./super-peers.js";

/** The role of central index servers (service peers, see OverlayDefinition.services). */
export const INDEX_ROLE = "index";

/**
 * Hybrid P2P: search through an index, download directly from a holder.
 * Mode "central" is Napster (index servers with finite capacity, see
 * index-server.ts and central.ts); mode "super-peer" is KaZaA / Gnutella 0.6
 * (see super-peers.ts). Copies of keys are placed on the churn pool as in
 * every overlay (sim/workload/placement.ts).
 */
class HybridOverlay implements Overlay<HybridMessage> {
  private readonly holdings: Map<PeerId, Set<number>>;
  private readonly keyLists = new Map<PeerId, readonly number[]>();
  readonly index: IndexServers | undefined;
  private readonly central: CentralPeers | undefined;
  readonly superPeers: SuperPeers | undefined;

  constructor(options: HybridOptions, private readonly ctx: OverlayContext<HybridMessage>, world: OverlayWorld) {
    const popularity = Array.from({ length: world.keyCount }, (_, k) => world.keyPopularity(k));
    const counts = replicaCounts(popularity, options.replication.replicas, options.replication.strategy, world.allPeers.length);
    this.holdings = placeReplicas(counts, world.allPeers, ctx.rng);
    for (const [peer, keys] of this.holdings) this.keyLists.set(peer, [...keys]);
    const keysOf = (peer: PeerId) => this.keyLists.get(peer) ?? [];
    if (options.mode === "central") {
      this.index = new IndexServers(ctx, options, world.services[INDEX_ROLE] ?? []);
      this.central = new CentralPeers(ctx, options, this.index, keysOf);
    } else {
      // Each pool peer draws a capacity; the top `fraction` are super-peers.
      const capacity = world.allPeers.map((peer) => ({ peer, capacity: ctx.rng.next() }));
      capacity.sort((a, b) => b.capacity - a.capacity || a.peer - b.peer);
      const n = Math.max(1, Math.round(options.superPeers.fraction * world.allPeers.length));
      this.superPeers = new SuperPeers(ctx, options, new Set(capacity.slice(0, n).map((c) => c.peer)), keysOf);
    }
  }

  join(peer: PeerId): void {
    if (this.index?.isServer(peer)) this.index.start(peer);
    else this.central?.join(peer);
    this.superPeers?.join(peer);
  }

  leave(peer: PeerId): void {
    this.central?.leave(peer);
    this.superPeers?.leave(peer);
  }

  crash(peer: PeerId): void {
    if (this.index?.isServer(peer)) this.index.crash(peer);
    else this.central?.crash(peer);
    this.superPeers?.crash(peer);
  }

  deliver(to: PeerId, from: PeerId, msg: HybridMessage): void {
    if (this.index?.handle(to, from, msg)) return;
    if (this.central?.handle(to, from, msg)) return;
    if (this.superPeers?.handle(to, from, msg)) return;
    if (this.central && !this.central.online(to)) return;
    throw new Error(`hybrid: no handler for message type "${msg.type}"`);
  }

  lookup(peer: PeerId, key: number, lookup: number): void {
    if (this.holdings.get(peer)?.has(key)) {
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
      const keys = this.keyLists.get(peer) ?? [];
      let links: readonly PeerId[] = servers;
      let kind = "index";
      let role: string | undefined;
      const s = this.superPeers?.stateOf(peer);
      if (s) {
        links = s.isSuper ? s.neighbours : s.superPeer >= 0 ? [s.superPeer] : [];
        kind = s.isSuper ? "super-peer" : "leaf";
        role = s.isSuper ? "super-peer" : undefined;
      }
      peers.push({ peer, ...(role ? { role } : {}), links: links.slice(), linkKinds: links.map(() => kind), keys: keys.slice() });
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
