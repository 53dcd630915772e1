import type { PeerId } from "../../peers/population.js";
import type { Overlay, OverlayContext, OverlayDefinition, OverlaySnapshot, OverlayWorld, PeerSnapshot } from "../protocol.js";
import { Maintenance } from "./maintenance.js";
import { chordMessageTypes, type ChordMessage } from "./messages.js";
import { chordSchema, type ChordOptions } from "./options.js";
import { IdSpace, KEY_SALT } from "./ring.js";
import { Routing } from "./routing.js";
import { ChordTables } from "./tables.js";
import { TrueRing } from "./truth.js";

/** Chord (Stoica, Morris, Karger, Kaashoek & Balakrishnan, SIGCOMM 2001; IEEE/ACM ToN 2003). */
class ChordOverlay implements Overlay<ChordMessage> {
  readonly tables: ChordTables;
  readonly truth: TrueRing;
  private readonly routing: Routing;
  private readonly maintenance: Maintenance;

  constructor(
    private readonly options: ChordOptions,
    private readonly ctx: OverlayContext<ChordMessage>,
    world: OverlayWorld,
  ) {
    const space = new IdSpace(options.idBits);
    let capacity = 0;
    for (const p of world.allPeers) capacity = Math.max(capacity, p + 1);
    this.tables = new ChordTables(space, options.successors, capacity);
    this.truth = new TrueRing(this.tables);
    this.maintenance = new Maintenance(ctx, options, this.tables, undefined as unknown as Routing);
    this.routing = new Routing(ctx, options, this.tables, this.truth, (peer) => this.maintenance.contactsOf(peer));
    this.maintenance.setRouting(this.routing);
  }

  /** The id of workload key `key`: IdSpace.hash(key, KEY_SALT). */
  keyId(key: number): Uint32Array {
    const id = new Uint32Array(this.tables.W);
    this.tables.space.hash(key, KEY_SALT, id, 0);
    return id;
  }

  join(peer: PeerId): void {
    this.tables.ensure(peer);
    this.truth.insert(peer);
    this.maintenance.join(peer);
  }

  leave(peer: PeerId): void {
    this.maintenance.leave(peer);
    this.gone(peer);
  }

  crash(peer: PeerId): void {
    this.gone(peer);
  }

  private gone(peer: PeerId): void {
    this.truth.remove(peer);
    this.routing.dropLookupsOf(peer);
    this.maintenance.gone(peer);
    this.tables.inRing[peer] = 0;
  }

  buildOracle(peers: readonly PeerId[]): void {
    const t = this.tables;
    for (const p of peers) t.ensure(p);
    this.truth.build(peers);
    const ring = this.truth.peers;
    const n = ring.length;
    const { r, m } = t;
    const scratch = new Uint32Array(t.W);
    for (let at = 0; at < n; at++) {
      const peer = ring[at]!;
      t.session[peer] = t.session[peer]! + 1;
      const base = peer * r;
      let count = 0;
      for (let k = 1; k <= r && k < n; k++) t.successors[base + count++] = ring[(at + k) % n]!;
      if (count === 0) t.successors[base + count++] = peer;
      t.successorCount[peer] = count;
      t.predecessor[peer] = n > 1 ? ring[(at - 1 + n) % n]! : -1;
      this.truth.fingersOf(at, t.fingers, scratch, peer * m);
      t.inRing[peer] = 1;
    }
    for (const peer of ring) this.maintenance.startTimers(peer);
  }

  deliver(to: PeerId, from: PeerId, msg: ChordMessage): void {
    if (this.routing.handle(to, from, msg)) return;
    if (this.maintenance.handle(to, from, msg)) return;
    throw new Error(`chord: no handler for message type "${msg.type}"`);
  }

  lookup(peer: PeerId, key: number, lookup: number): void {
    this.routing.lookup(peer, this.keyId(key), lookup);
  }

  lookupAbandoned(_peer: PeerId, lookup: number): void {
    this.routing.abandon(lookup);
  }

  snapshot(): OverlaySnapshot {
    const t = this.tables;
    const peers: PeerSnapshot[] = [];
    for (const peer of this.truth.peers) {
      const links = new Set<PeerId>(t.successorList(peer));
      for (let i = 0; i < t.m; i++) {
        const f = t.fingers[peer * t.m + i]!;
        if (f >= 0) links.add(f);
      }
      links.delete(peer);
      peers.push({ peer, links: [...links], keys: [] });
    }
    return { peers };
  }

  /**
   * Ring health, against the true ring: peers whose successor or
   * predecessor is not the right one (a peer still joining counts as
   * wrong), and finger entries that do not point at the owner of their
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
        if (!t.inRing[peer] || t.successor(peer) !== trueSucc) wrongSucc++;
        if (t.predecessor[peer] !== truePred && !(n === 1 && t.predecessor[peer] === peer)) wrongPred++;
        this.truth.fingersOf(at, row, scratch);
        const fb = peer * t.m;
        for (let i = 0; i < t.m; i++) {
          const f = t.fingers[fb + i]!;
          if (f !== row[i] && !(row[i] === peer && f < 0)) stale++;
        }
      }
    }
    const scale = checked > 0 ? n / checked : 0;
    return {
      ringPeers: n,
      wrongSuccessors: Math.round(wrongSucc * scale),
      wrongPredecessors: Math.round(wrongPred * scale),
      staleFingers: Math.round(stale * scale),
    };
  }
}

export const chord: OverlayDefinition<ChordOptions, ChordMessage> = {
  name: "chord",
  description: "Chord: identifier ring with finger tables and successor lists; iterative or recursive lookups in O(log N) hops",
  schema: chordSchema,
  messageTypes: chordMessageTypes,
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
  ],
  create: (options, ctx, world) => new ChordOverlay(options, ctx, world),
};
