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
import { Maintenance } from "./maintenance.js";
import { chordMessageTypes, type ChordMessage } from "./messages.js";
import { chordSchema, type ChordOptions } from "./options.js";
import { IdSpace, KEY_SALT, peerSalt } from "../shared/id-space.js";
import { Routing } from "./routing.js";
import { ChordStorage, STORAGE_TYPES } from "./storage.js";
import { answersOnly, dispatcher, refused } from "../../core/handlers.js";
import { ChordTables } from "./tables.js";
import { TrueRing } from "./truth.js";
import { fingersFromRing } from "./oracle.js";
import { VirtualNodes } from "./virtual.js";

/** Chord (Stoica, Morris, Karger, Kaashoek & Balakrishnan, SIGCOMM 2001; IEEE/ACM ToN 2003). */
class ChordOverlay implements Overlay<ChordMessage> {
  readonly tables: ChordTables;
  readonly truth: TrueRing;
  private readonly routing: Routing;
  private readonly maintenance: Maintenance;
  /** Put/get storage, when the scenario asks for it. */
  readonly storage: ChordStorage | undefined;
  /** Peers to Chord nodes: routing, maintenance, storage and the true ring all work on nodes. */
  readonly virtual: VirtualNodes;
  private readonly keyCount: number;
  /** Each message type (at a node) to the part that owns it. */
  private readonly dispatch: (to: PeerId, from: PeerId, msg: ChordMessage) => void;

  constructor(
    private readonly options: ChordOptions,
    private readonly ctx: OverlayContext<ChordMessage>,
    world: OverlayWorld,
  ) {
    const space = new IdSpace(options.idBits);
    const v = options.virtualNodes;
    this.virtual = new VirtualNodes(v);
    const nodeCtx = this.virtual.nodeContext(ctx);
    let capacity = 0;
    for (const p of world.allPeers) capacity = Math.max(capacity, (p + 1) * v);
    this.tables = new ChordTables(space, options.successors, capacity, peerSalt(options.ids, ctx.rng));
    this.truth = new TrueRing(this.tables);
    const stored = options.storage;
    let storage: ChordStorage | undefined;
    this.maintenance = new Maintenance(
      nodeCtx,
      options,
      this.tables,
      undefined as unknown as Routing,
      stored && {
        joined: (peer) => storage!.joined(peer),
        predecessorChanged: (peer, oldPred, newPred) => storage!.newPredecessor(peer, oldPred, newPred),
        periodic: [{ intervalMs: stored.replicateInterval, run: (peer) => storage!.replicate(peer) }],
      },
    );
    this.routing = new Routing(
      nodeCtx,
      options,
      this.tables,
      this.truth,
      (peer, max) => this.maintenance.contactsOf(peer, max),
      stored && ((origin, key, lookup, owner, hops) => storage!.fetch(origin, key, lookup, owner, hops)),
    );
    this.maintenance.setRouting(this.routing);
    if (stored) {
      storage = new ChordStorage(
        nodeCtx,
        stored,
        options.requestTimeout,
        options.stabilizeInterval,
        this.tables,
        this.truth,
        this.routing,
        world.keyCount,
        world.allPeers.map((peer) => peer * v),
      );
    }
    this.storage = storage;
    this.keyCount = world.keyCount;
    this.dispatch = dispatcher<ChordMessage>("chord", {
      ...this.routing.handlers,
      ...this.maintenance.handlers,
      ...(storage?.handlers ?? refused("chord", STORAGE_TYPES, "the scenario has no overlay.storage")),
      ...answersOnly("chord", ["stepReply", "findStepReply", "routeAck", "ownsReply", "findOwnsReply", "predecessorReply", "pong"]),
    });
  }

  /** The id of workload key `key`: IdSpace.hash(key, KEY_SALT). */
  keyId(key: number): Uint32Array {
    const id = new Uint32Array(this.tables.W);
    this.tables.space.hash(key, KEY_SALT, id, 0);
    return id;
  }

  join(peer: PeerId): void {
    for (const node of this.virtual.nodesOf(peer)) {
      this.tables.ensure(node);
      this.truth.insert(node);
      this.maintenance.join(node);
    }
  }

  leave(peer: PeerId): void {
    for (const node of this.virtual.nodesOf(peer)) {
      this.storage?.leave(node);
      this.maintenance.leave(node);
      this.gone(node);
    }
  }

  crash(peer: PeerId): void {
    for (const node of this.virtual.nodesOf(peer)) this.gone(node);
  }

  private gone(node: number): void {
    this.truth.remove(node);
    this.routing.dropLookupsOf(node);
    this.maintenance.gone(node);
    this.storage?.gone(node);
    this.tables.inRing[node] = 0;
  }

  buildOracle(peers: readonly PeerId[]): void {
    const t = this.tables;
    const nodes = this.virtual.v === 1 ? peers : peers.flatMap((peer) => this.virtual.nodesOf(peer));
    for (const node of nodes) t.ensure(node);
    this.truth.build(nodes);
    // The ring in order and its approximations beside it, read side by side by the finger sweep.
    const ring = this.truth.onlineNodes();
    const keys = this.truth.onlineKeys();
    const n = ring.length;
    const r = t.r;
    // Successors each node gets: the next r nodes round the ring, or itself alone.
    const listed = Math.max(1, Math.min(r, n - 1));
    let at = -1;
    fingersFromRing(t, ring, keys, (node, from, to, owner) => {
      // The sweep hands over each node's fingers from finger 0 up, node after node in ring order: at a
      // node's first run its hot record (what syncHot would read) goes into the row the sweep is writing.
      if (from === 0) {
        at++;
        t.setHot(node, keys[at]!, keys[(at + 1) % n]!, keys[(at + listed) % n]!);
      }
      t.writeFingers(node, from, to, owner);
    });
    // The rest of each node's state node by node in number order, so that the arrays indexed by node
    // are written front to back rather than at random; the ring is read at each node's position.
    const { successors, successorApprox, keepsSuccessorApprox, successorCount, predecessor, session, inRing } = t;
    for (let node = 0; node < t.capacity; node++) {
      const at = this.truth.indexOf(node);
      if (at < 0) continue;
      session[node] = session[node]! + 1;
      const base = node * r;
      let count = 0;
      for (let k = 1; k <= r && k < n; k++) {
        if (keepsSuccessorApprox) successorApprox[base + count] = keys[(at + k) % n]!;
        successors[base + count++] = ring[(at + k) % n]!;
      }
      if (count === 0) {
        if (keepsSuccessorApprox) successorApprox[base + count] = keys[at]!;
        successors[base + count++] = node;
      }
      successorCount[node] = count;
      predecessor[node] = n > 1 ? ring[(at - 1 + n) % n]! : -1;
      t.fingersChanged(node);
      inRing[node] = 1;
    }
    // In ring order: the order timers are started in is the order their first runs are drawn in.
    for (let at = 0; at < n; at++) this.maintenance.startTimers(ring[at]!);
    this.storage?.placeOracle();
  }

  deliver(toPeer: PeerId, fromPeer: PeerId, msg: ChordMessage): void {
    let to = toPeer;
    let from = fromPeer;
    // One node per peer (the usual case): the peers are the nodes, with no object made per message.
    if (this.virtual.v !== 1) ({ to, from } = this.virtual.ends(toPeer, fromPeer, msg));
    this.dispatch(to, from, msg);
  }

  lookup(peer: PeerId, key: number, lookup: number): void {
    const id = this.storage ? this.storage.keyIds.subarray(key * this.tables.W, (key + 1) * this.tables.W) : this.keyId(key);
    // A peer with virtual nodes looks up from its first one.
    this.routing.lookup(peer * this.virtual.v, key, id, lookup);
  }

  lookupAbandoned(_peer: PeerId, lookup: number): void {
    this.routing.abandon(lookup);
    this.storage?.abandon(lookup);
  }

  availability(): StorageAvailability | undefined {
    return this.storage?.availability();
  }

  /** Where `peer` sits on the ring, in [0, 1); with virtual nodes, its first node. */
  idFraction(peer: PeerId): number {
    const node = peer * this.virtual.v;
    this.tables.ensure(node);
    return this.position(node);
  }

  keyPosition(key: number): number {
    const id = this.keyId(key);
    const t = this.tables;
    const topBits = t.m - 32 * (t.W - 1);
    const x = id[0]! / 2 ** topBits + (t.W > 1 ? id[1]! / 2 ** (topBits + 32) : 0);
    return Math.min(x, 1 - 2 ** -53);
  }

  /** A node's id as a fraction of the ring: its top word and the next one (below 1 even when rounding would reach it). */
  private position(node: number): number {
    const t = this.tables;
    const topBits = t.m - 32 * (t.W - 1);
    const w = node * t.W;
    const x = t.ids[w]! / 2 ** topBits + (t.W > 1 ? t.ids[w + 1]! / 2 ** (topBits + 32) : 0);
    return Math.min(x, 1 - 2 ** -53);
  }

  snapshot(): OverlaySnapshot {
    const t = this.tables;
    const peers: PeerSnapshot[] = [];
    for (const peer of this.truth.peers) {
      const kinds = new Map<PeerId, string>();
      t.successorList(peer).forEach((s, j) => kinds.set(s, j === 0 ? "successor" : "successor-list"));
      const pred = t.predecessor[peer]!;
      if (pred >= 0 && !kinds.has(pred)) kinds.set(pred, "predecessor");
      for (let i = 0; i < t.m; i++) {
        const f = t.finger(peer, i);
        if (f >= 0 && !kinds.has(f)) kinds.set(f, "finger");
      }
      kinds.delete(peer);
      const position = this.position(peer);
      const peerOf = (node: number) => this.virtual.peerOf(node);
      peers.push({ peer: peerOf(peer), links: [...kinds.keys()].map(peerOf), linkKinds: [...kinds.values()], position, keys: this.storage?.heldBy(peer) ?? [] });
    }
    return { peers };
  }

  /**
   * The paper's load-balance measure: how many of the workload's keys each
   * online peer is responsible for (summed over its virtual nodes), from the
   * true ring. Costs one ring search per key.
   */
  private keyLoad(): Record<string, number> {
    const ring = this.truth.peers;
    const perPeer = new Map<PeerId, number>();
    for (const node of ring) perPeer.set(this.virtual.peerOf(node), 0);
    if (ring.length > 0) {
      const id = new Uint32Array(this.tables.W);
      for (let key = 0; key < this.keyCount; key++) {
        this.tables.space.hash(key, KEY_SALT, id, 0);
        const owner = this.virtual.peerOf(this.truth.owner(id, 0));
        perPeer.set(owner, perPeer.get(owner)! + 1);
      }
    }
    const counts = Int32Array.from(perPeer.values()).sort();
    return {
      keysPerPeerMean: counts.length > 0 ? this.keyCount / counts.length : 0,
      keysPerPeerP1: rank(counts, 0.01),
      keysPerPeerP50: rank(counts, 0.5),
      keysPerPeerP99: rank(counts, 0.99),
      keysPerPeerMax: counts.length > 0 ? counts[counts.length - 1]! : 0,
    };
  }

  /**
   * Ring health, against the true ring: peers whose successor or
   * predecessor is not the right one (a peer still joining counts as
   * wrong), online peers not in the ring (joining or rejoining), and finger entries that do not point at the owner of their
   * start (unknown entries count as stale; entries whose owner is the peer
   * itself are fine if unknown). With more than `healthSample` peers online,
   * evenly spaced peers are checked and the counts scaled up.
   */
  sample(): Record<string, number> {
    const t = this.tables;
    const ring = this.truth.peers;
    const n = ring.length;
    const limit = this.options.healthSample;
    let wrongSucc = 0;
    let wrongPred = 0;
    let stale = 0;
    let outside = 0;
    let checked = 0;
    if (limit > 0 && n > 0) {
      const step = n > limit ? n / limit : 1;
      const row = new Int32Array(t.m);
      const scratch = new Uint32Array(t.W);
      for (let x = 0; x < n; x += step) {
        const at = Math.floor(x);
        const peer = ring[at]!;
        checked++;
        const trueSucc = n > 1 ? ring[(at + 1) % n]! : peer;
        const truePred = n > 1 ? ring[(at - 1 + n) % n]! : -1;
        if (!t.inRing[peer]) outside++;
        if (!t.inRing[peer] || t.successor(peer) !== trueSucc) wrongSucc++;
        if (t.predecessor[peer] !== truePred && !(n === 1 && t.predecessor[peer] === peer)) wrongPred++;
        this.truth.fingersOf(at, row, scratch);
        for (let i = 0; i < t.m; i++) {
          const f = t.finger(peer, i);
          if (f !== row[i] && !(row[i] === peer && f < 0)) stale++;
        }
      }
    }
    const scale = checked > 0 ? n / checked : 0;
    return {
      ...(this.options.keyLoad ? this.keyLoad() : {}),
      ringPeers: n,
      wrongSuccessors: Math.round(wrongSucc * scale),
      wrongPredecessors: Math.round(wrongPred * scale),
      outsideRing: Math.round(outside * scale),
      staleFingers: Math.round(stale * scale),
    };
  }
}

/** Percentiles of a sorted list (nearest rank). */
function rank(sorted: Int32Array, q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const chord: OverlayDefinition<ChordOptions, ChordMessage> = {
  name: "chord",
  description: "Chord: identifier ring with finger tables and successor lists; iterative or recursive lookups in O(log N) hops",
  schema: chordSchema,
  messageTypes: chordMessageTypes,
  lookupTimeouts: true,
  counters: [
    "wrongOwner",
    "lookupTimeouts",
    "lookupsNotInRing",
    "hopLimit",
    "deadEnds",
    "maintenanceTimeouts",
    "successorsLost",
    "predecessorsLost",
    "joinRetries",
    "rejoins",
    "puts",
    "putsFailed",
    "getsMissing",
  ],
  create: (options, ctx, world) => new ChordOverlay(options, ctx, world),
};
