import type { Overlay, OverlayContext, OverlayDefinition, OverlaySnapshot, OverlayWorld, PeerSnapshot, ServiceSpec } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import { Arrivals } from "./arrivals.js";
import { distributionBounds } from "./bounds.js";
import { ClientServer } from "./client-server.js";
import { bittorrentMessageTypes, type BittorrentMessage } from "./messages.js";
import { bittorrentSchema, type BittorrentOptions } from "./options.js";
import type { PeerState } from "./state.js";
import { SwarmStats } from "./stats.js";
import { RoundSwarm } from "./round-swarm.js";
import { Swarm } from "./swarm.js";
import { Tracker } from "./tracker.js";
import { Torrent } from "./torrent.js";

export const TRACKER_ROLE = "tracker";
export const SEED_ROLE = "seed";
export const SERVER_ROLE = "server";

/** One download as the overlay saw it, for the distribution time and share ratios. */
interface Finished {
  startMs: number;
  endMs: number;
}

/**
 * BitTorrent (docs/bittorrent.md): mode "swarm" runs the protocol (swarm.ts)
 * around a tracker and initial seeds, all service peers; mode
 * "client-server" lets the same peers fetch the file from one server
 * (client-server.ts). Both report each leecher's download (the downloads
 * operation), the Kumar–Ross minimum distribution time for the run's own
 * link capacities and the measured time against it.
 */
class BittorrentOverlay implements Overlay<BittorrentMessage> {
  private readonly torrent: Torrent;
  private readonly tracker: Tracker | undefined;
  /** The swarm, event-level (swarm.ts) or in rounds (round-swarm.ts); undefined in mode client-server. */
  private readonly swarm: Swarm | RoundSwarm | undefined;
  private readonly clientServer: ClientServer | undefined;
  private readonly stats: SwarmStats;
  private readonly seeds: readonly PeerId[];
  private readonly server: PeerId;
  private readonly kinds = new Map<PeerId, PeerState["kind"]>();

  constructor(
    private readonly options: BittorrentOptions,
    private readonly ctx: OverlayContext<BittorrentMessage>,
    world: OverlayWorld,
  ) {
    const t = options.torrent;
    // Rounds move bytes into whole pieces, one uploader's request at a time, as piece mode does.
    const rounds = options.mode === "swarm" && options.execution === "rounds";
    this.torrent = new Torrent(t.size, t.pieceSize, t.transferUnit === "piece" || rounds ? t.pieceSize : t.blockSize);
    this.stats = new SwarmStats(this.torrent.pieces);
    this.seeds = world.services[SEED_ROLE] ?? [];
    this.server = world.services[SERVER_ROLE]?.[0] ?? -1;
    for (const seed of this.seeds) this.kinds.set(seed, "seed");
    // Free riders are drawn from the pool in pool order, so the draw does not depend on join order.
    for (const peer of world.allPeers) {
      if (ctx.adversary.active && ctx.adversary.tampers(peer)) this.kinds.set(peer, "malicious");
      else if (options.freeRiders > 0 && ctx.rng.chance(options.freeRiders)) this.kinds.set(peer, "free-rider");
    }
    const arrivals = new Arrivals(ctx, options.arrivals.process, options.arrivals.rate);
    const label = (peer: PeerId) => this.labelOf(peer);
    if (options.mode === "client-server") {
      this.clientServer = new ClientServer(ctx, this.server, t.size, arrivals, options.connections.handshakeTimeout, label);
    } else {
      const trackerPeer = world.services[TRACKER_ROLE]![0]!;
      this.tracker = new Tracker(ctx, trackerPeer, 2 * options.tracker.announceInterval);
      const kindOf = (peer: PeerId) => this.kinds.get(peer) ?? "leecher";
      this.swarm = rounds
        ? new RoundSwarm(ctx, options, this.torrent, this.tracker, arrivals, this.stats, kindOf, label)
        : new Swarm(ctx, options, this.torrent, trackerPeer, arrivals, this.stats, kindOf, label);
    }
  }

  private labelOf(peer: PeerId): string {
    const kind = this.kinds.get(peer) ?? "leecher";
    if (this.options.labels === "kind" || kind !== "leecher") return kind;
    const up = capacity(this.ctx, peer).upload;
    return Number.isFinite(up) ? `up ${Math.round(up * 8)}kbit/s` : "up unlimited";
  }

  join(peer: PeerId): void {
    if (peer === this.tracker?.peer) {
      this.tracker.start();
      return;
    }
    this.swarm?.join(peer);
    this.clientServer?.join(peer);
  }

  leave(peer: PeerId): void {
    this.swarm?.leave(peer);
    this.clientServer?.leave(peer);
  }

  crash(peer: PeerId): void {
    this.swarm?.crash(peer);
    this.clientServer?.crash(peer);
  }

  deliver(to: PeerId, from: PeerId, msg: BittorrentMessage): void {
    if (to === this.tracker?.peer) {
      if (msg.type === "announce") this.tracker.handle(from, msg);
      return;
    }
    if (to === this.server) {
      if (msg.type === "get") this.clientServer?.serve(from, msg);
      return;
    }
    if (this.swarm instanceof Swarm) this.swarm.deliver(to, from, msg);
  }

  sample(): Record<string, number> {
    return this.stats.sample();
  }

  snapshot(): OverlaySnapshot {
    const peers: PeerSnapshot[] = [];
    if (this.tracker) peers.push({ peer: this.tracker.peer, role: TRACKER_ROLE, links: [], linkKinds: [], keys: [] });
    if (this.server >= 0) peers.push({ peer: this.server, role: SERVER_ROLE, links: [], linkKinds: [], keys: [] });
    if (this.swarm) {
      for (const s of this.swarm.allStates()) {
        if (!s.active) continue;
        const links: PeerId[] = [];
        const kinds: string[] = [];
        for (const c of s.connections.values()) {
          links.push(c.peer);
          kinds.push(c.amChoking ? "connection" : "unchoked");
        }
        const role = s.kind === "seed" ? SEED_ROLE : s.complete ? "seed" : s.kind === "leecher" ? undefined : s.kind;
        peers.push({ peer: s.peer, ...(role ? { role } : {}), links, linkKinds: kinds, keys: [] });
      }
    }
    return { peers };
  }

  /** Every download the overlay started: when it started and when it ended (−1: not finished). */
  private downloads(): Finished[] {
    const out: Finished[] = [];
    if (this.swarm) {
      for (const s of this.swarm.allStates()) {
        if (s.kind === "seed" || Number.isNaN(s.downloadStartMs)) continue;
        out.push({ startMs: s.downloadStartMs, endMs: s.complete ? s.completedMs : -1 });
      }
    }
    if (this.clientServer) for (const c of this.clientServer.allClients()) out.push({ startMs: c.startMs, endMs: c.endMs });
    return out;
  }

  /** The Kumar–Ross bounds for the peers that downloaded, with the run's capacities (ms). */
  private bounds() {
    const ctx = this.ctx;
    const peers: PeerId[] = [];
    if (this.swarm) for (const s of this.swarm.allStates()) if (s.kind !== "seed" && !Number.isNaN(s.downloadStartMs)) peers.push(s.peer);
    if (this.clientServer) for (const c of this.clientServer.allClients()) peers.push(c.peer);
    const sources = this.clientServer ? [this.server] : this.seeds;
    const serverUpload = sources.reduce((a, p) => a + capacity(ctx, p).upload, 0);
    return distributionBounds(
      this.torrent.fileBytes,
      serverUpload,
      peers.map((p) => capacity(ctx, p).upload),
      peers.map((p) => capacity(ctx, p).download),
    );
  }

  /** Figures for summary.json: the distribution time against its lower bound. */
  summary(): Record<string, number> {
    const downloads = this.downloads();
    const first = downloads.reduce((a, d) => Math.min(a, d.startMs), Infinity);
    const allDone = downloads.length > 0 && downloads.every((d) => d.endMs >= 0);
    const last = downloads.reduce((a, d) => Math.max(a, d.endMs), -Infinity);
    const b = this.bounds();
    const tMin = this.clientServer ? b.clientServerMs : b.peerToPeerMs;
    const t = allDone ? last - first : NaN;
    return {
      leechersStarted: downloads.length,
      distributionTimeS: t / 1000,
      tMinS: tMin / 1000,
      tOverTMin: t / tMin,
      tMinClientServerS: b.clientServerMs / 1000,
      tMinPeerToPeerS: b.peerToPeerMs / 1000,
      ...(this.swarm instanceof RoundSwarm ? { uploadUtilisation: Math.round(this.swarm.uploadUtilisation() * 1e6) / 1e6 } : {}),
    };
  }

  /** overlay.json: the bounds, share ratios by class, the piece map and optimistic unchoke times. */
  results(): Record<string, unknown> {
    const classes: Record<string, { peers: number; uploadedBytes: number; downloadedBytes: number; shareRatio: number | null }> = {};
    const add = (label: string, up: number, down: number) => {
      const c = (classes[label] ??= { peers: 0, uploadedBytes: 0, downloadedBytes: 0, shareRatio: null });
      c.peers++;
      c.uploadedBytes += up;
      c.downloadedBytes += down;
    };
    const pieceMap: { peer: PeerId; startMs: number; pieceTimesMs: number[] }[] = [];
    const optimistic: Record<string, Record<string, number>> = {};
    if (this.swarm) {
      for (const s of this.swarm.allStates()) {
        add(s.kind === "seed" ? "seed" : this.labelOf(s.peer), s.uploadedBytes, s.downloadedBytes);
      }
      for (const peer of this.swarm.mapped) {
        const s = this.swarm.stateOf(peer)!;
        pieceMap.push({ peer, startMs: Number.isNaN(s.downloadStartMs) ? -1 : s.downloadStartMs, pieceTimesMs: [...s.pieceTimes!] });
      }
      // Who had each initial seed's and each mapped peer's optimistic slot, and for how long.
      for (const peer of [...this.seeds, ...this.swarm.mapped]) {
        const s = this.swarm.stateOf(peer);
        if (!s) continue;
        this.swarm.closeOptimistic(s);
        const given: Record<string, number> = {};
        for (const [to, ms] of [...s.optimisticGiven].sort((a, b) => a[0] - b[0])) given[String(to)] = Math.round(ms);
        optimistic[String(peer)] = given;
      }
    }
    if (this.clientServer) for (const c of this.clientServer.allClients()) add(this.labelOf(c.peer), 0, c.downloadedBytes);
    for (const c of Object.values(classes)) c.shareRatio = c.downloadedBytes > 0 ? Math.round((c.uploadedBytes / c.downloadedBytes) * 1e4) / 1e4 : null;
    const b = this.bounds();
    return {
      mode: this.options.mode,
      torrent: { fileBytes: this.torrent.fileBytes, pieceBytes: this.torrent.pieceBytes, pieces: this.torrent.pieces, requestBytes: this.torrent.blockBytes },
      bounds: { clientServerMs: b.clientServerMs, peerToPeerMs: b.peerToPeerMs },
      classes,
      pieceMap,
      optimisticUnchokeMs: optimistic,
      ...(this.swarm instanceof RoundSwarm ? { roundWork: this.swarm.work() } : {}),
    };
  }
}

export const bittorrent: OverlayDefinition<BittorrentOptions, BittorrentMessage> = {
  name: "bittorrent",
  description: "BitTorrent: a swarm trades pieces (rarest first, tit-for-tat choking) around a tracker and initial seeds; or the same peers against one server",
  schema: bittorrentSchema,
  messageTypes: bittorrentMessageTypes,
  downloads: true,
  counters: [
    "announces",
    "trackerTimeouts",
    "handshakes",
    "connectionsRefused",
    "keepAliveDrops",
    "transfersAborted",
    "optimisticUnchokes",
    "endGameRequests",
    "cancelsReceived",
    "duplicateBlocks",
    "hashFails",
    "peersBanned",
    "swarmLeaves",
    "seedUploadBytes",
    "peerUploadBytes",
    "serverUploadBytes",
    "serverTimeouts",
  ],
  // Every role in both modes (unused ones with no peer), so one scenario's network.bandwidth.services can serve both.
  services: (options): readonly ServiceSpec[] => {
    const swarm = options.mode === "swarm";
    return [
      { role: TRACKER_ROLE, count: swarm ? 1 : 0 },
      { role: SEED_ROLE, count: swarm ? options.seeds : 0 },
      { role: SERVER_ROLE, count: swarm ? 0 : 1 },
    ];
  },
  summary: (options, c): Record<string, number> => {
    if (options.mode === "client-server") return {};
    const total = c.seedUploadBytes! + c.peerUploadBytes!;
    return { seedUploadShare: total > 0 ? c.seedUploadBytes! / total : NaN };
  },
  checkScenario: (options, scenario) => (options.mode === "swarm" && options.execution === "rounds" ? roundProblems(scenario) : []),
  create: (options, ctx: OverlayContext<BittorrentMessage>, world) => new BittorrentOverlay(options, ctx, world),
};

/** What execution: rounds cannot do: each problem names the field that rules it out. */
function roundProblems(scenario: { readonly bandwidth: boolean; readonly bandwidthModel?: string; readonly loss: number; readonly faultKinds?: readonly string[] }) {
  const problems: { path: string[]; message: string }[] = [];
  if (!scenario.bandwidth) {
    problems.push({ path: ["execution"], message: 'expected "events" without network.bandwidth (rounds share the peers\' link capacities among flows, and there are none), got "rounds"' });
  } else if (scenario.bandwidthModel !== "maxmin") {
    // Rounds solve max-min rates themselves (flow-rates.ts); another carrier's rates would be silently replaced.
    problems.push({ path: ["execution"], message: `expected "events" with network.bandwidth.model "${scenario.bandwidthModel}" (rounds share capacity max-min fairly, the "maxmin" model; use it, or events for this one), got "rounds"` });
  }
  if (scenario.faultKinds?.includes("degrade")) {
    // A degrade fault changes the carriers' capacities, loss and latency, none of which a round's flows use.
    problems.push({ path: ["execution"], message: 'expected "events" with a degrade fault (it acts on the network\'s transfers and messages, which rounds do not use), got "rounds"' });
  }
  if (scenario.loss > 0) {
    problems.push({ path: ["execution"], message: `expected "events" with network.loss ${scenario.loss} (a round carries no messages to lose), got "rounds"` });
  }
  return problems;
}

/** A peer's capacities in bytes per ms; unlimited where the run has no bandwidth. */
function capacity(ctx: OverlayContext<BittorrentMessage>, peer: PeerId): { upload: number; download: number } {
  return ctx.linkCapacity?.(peer) ?? { upload: Infinity, download: Infinity };
}
