import type { PeerId } from "../../peers/population.js";
import { Downloads } from "./downloads.js";
import type { HybridMessage } from "./messages.js";
import type { HybridOptions } from "./options.js";
import { SuperPeerMesh } from "./super-peer-mesh.js";
import { SuperPeerSearch } from "./super-peer-search.js";
import { PeerState, type Ctx, type PeerStates } from "./super-peer-state.js";
import { handlersFor, unhandled } from "../../core/handlers.js";

/** The messages this part takes. */
const SUPER_PEER_TYPES = ["spConnect", "register", "deregister", "keepAlive", "deadPeer", "spPing", "bye", "query", "spQuery", "spHit", "fetch"] as const;
type SuperPeerMessage = Extract<HybridMessage, { type: (typeof SUPER_PEER_TYPES)[number] }>;

/**
 * Super-peers (KaZaA, Gnutella 0.6 ultrapeers). The `fraction` of the peer
 * pool with the highest capacity (a number drawn per peer when the overlay
 * is built) are super-peers whenever they are online; the others are leaves.
 *
 * - A leaf attaches to one super-peer: it asks its bootstrap contacts in
 *   turn; a leaf it asks redirects it to that leaf's super-peer, a super-peer
 *   accepts it (up to `maxLeaves`, else redirects it to its neighbours) and
 *   names its super-peer neighbours as fallbacks. The leaf
 *   then registers its keys there. It sends a keep-alive every
 *   `keepAliveInterval`; no answer (or a goodbye) means its super-peer is
 *   gone, and it re-attaches: first to super-peers it has heard of, then
 *   through the host cache (`reattachments`).
 * - Super-peers keep `degree` super-peer neighbours (found the same way,
 *   pinged every `keepAliveInterval`) and forget leaves silent for
 *   `keepAliveTimeout`.
 * - A lookup goes to the leaf's super-peer, which answers from its index and
 *   floods the query among super-peers with `ttl` (duplicates dropped);
 *   every super-peer with holders among its leaves answers the requester
 *   directly (out-of-band, as Gnutella 0.6 does). The requester fetches from
 *   holders as they come in (see Downloads); with no holders left it waits
 *   for more until the workload's deadline. A leaf without a super-peer
 *   holds its lookups and sends them once it has attached again. Hops: the super-peer hops the
 *   query took to the answering super-peer (1 for the leaf's own) plus the
 *   fetches sent.
 * - A maintenance freeze stops every peer's periodic round (keep-alives,
 *   re-registrations, super-peer pings, purges, topping up links); on resume
 *   every online peer starts it again at a random phase.
 *
 * - Misrouting super-peers (index poisoning, docs/faults.md) answer every
 *   query, from their leaves or flooded to them, with malicious holders
 *   only, and pass no query on: their leaves see nothing but decoys.
 *
 * This file is the overlay's face (lifecycle, message dispatch, columns);
 * super-peer-mesh.ts holds the mesh together, super-peer-search.ts carries
 * queries over it, and super-peer-state.ts is what each peer keeps.
 */
export class SuperPeers {
  readonly handlers = handlersFor<HybridMessage, typeof SUPER_PEER_TYPES>(SUPER_PEER_TYPES, (to, from, msg) => this.handle(to, from, msg));
  private readonly states: PeerStates = [];
  private readonly downloads: Downloads;
  private readonly mesh: SuperPeerMesh;
  private readonly search: SuperPeerSearch;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: HybridOptions,
    private readonly supers: ReadonlySet<PeerId>,
    /** The keys `peer` registers (a misrouting peer advertises more than it has, see index.ts). */
    private readonly keysOf: (peer: PeerId) => readonly number[],
    /** Whether `peer` really has `key`. */
    private readonly holds: (peer: PeerId, key: number) => boolean,
    /** `peer` downloaded the true content of `key`. */
    downloaded: (peer: PeerId, key: number) => void = () => {},
  ) {
    ctx.onMaintenanceResumed(() => this.forgiveSilence());
    this.downloads = new Downloads(
      ctx,
      options.requestTimeout,
      (peer) => this.states[peer]?.lookups,
      (peer, holder) => {
        const state = this.states[peer];
        if (!state) return;
        if (state.isSuper) state.registry.remove(holder);
        else if (state.superPeer >= 0) this.ctx.send(peer, state.superPeer, { type: "deadPeer", peer: holder });
      },
      () => {}, // more hits may still come; the workload's deadline ends the lookup
      downloaded,
    );
    this.mesh = new SuperPeerMesh(ctx, options, this.states, keysOf, (peer, state) => this.search.resume(peer, state));
    this.search = new SuperPeerSearch(ctx, options, this.states, this.downloads, (peer, sp) => this.mesh.superPeerLost(peer, sp));
  }

  /** `peer`'s keys changed (it keeps a downloaded copy): a super-peer indexes them itself, a leaf registers them with its super-peer. */
  advertise(peer: PeerId): void {
    const state = this.states[peer];
    if (!state) return;
    if (state.isSuper) state.registry.register(peer, this.keysOf(peer), this.ctx.now());
    else if (state.superPeer >= 0) this.ctx.request(peer, state.superPeer, { type: "register", keys: this.keysOf(peer) }, this.options.requestTimeout, () => {}, () => {});
  }

  join(peer: PeerId): void {
    const state = new PeerState(this.supers.has(peer));
    this.states[peer] = state;
    if (state.isSuper) {
      state.registry.register(peer, this.keysOf(peer), this.ctx.now());
      this.mesh.connect(peer, this.ctx.bootstrapContacts(peer));
    } else {
      this.mesh.attach(peer, this.ctx.bootstrapContacts(peer));
    }
    this.ctx.every(peer, this.options.keepAliveInterval, () => this.mesh.maintain(peer));
  }

  /**
   * When a maintenance freeze ends, super-peers count their leaves as heard
   * from now (they sent no keep-alives while frozen). The periodic rounds
   * themselves are the runtime's to stop and restart.
   */
  private forgiveSilence(): void {
    const now = this.ctx.now();
    for (const state of this.states) if (state?.isSuper) state.registry.touchAll(now);
  }

  leave(peer: PeerId): void {
    const state = this.states[peer];
    if (state?.isSuper) {
      for (const n of state.neighbours) this.ctx.send(peer, n, { type: "bye" });
      for (const leaf of state.registry.registered()) if (leaf !== peer) this.ctx.send(peer, leaf, { type: "bye" });
    } else if (state && state.superPeer >= 0) {
      this.ctx.send(peer, state.superPeer, { type: "deregister" });
    }
    this.states[peer] = undefined;
  }

  crash(peer: PeerId): void {
    this.states[peer] = undefined;
  }

  lookup(peer: PeerId, key: number, lookup: number): void {
    const state = this.states[peer];
    if (state) this.search.lookup(peer, state, key, lookup);
  }

  abandon(peer: PeerId, lookup: number): void {
    this.states[peer]?.lookups.delete(lookup);
  }

  private handle(to: PeerId, from: PeerId, msg: SuperPeerMessage): void {
    const state = this.states[to];
    if (!state) return;
    const now = this.ctx.now();
    switch (msg.type) {
      case "spConnect":
        this.mesh.onConnect(to, from, state, msg);
        return;
      case "register":
        if (state.isSuper) {
          state.registry.register(from, msg.keys, now);
          this.ctx.count("registrations");
          this.ctx.reply(to, from, msg, { type: "registerAck" });
        }
        return;
      case "deregister":
        if (state.isSuper) state.registry.remove(from);
        return;
      case "keepAlive":
        this.ctx.reply(to, from, msg, { type: "keepAliveAck", known: state.isSuper && state.registry.touch(from, now) });
        return;
      case "deadPeer":
        if (state.isSuper && msg.peer !== to && state.registry.remove(msg.peer)) this.ctx.count("purgedByReport");
        return;
      case "spPing":
        this.ctx.reply(to, from, msg, { type: "spPong", neighbour: state.neighbours.includes(from) });
        return;
      case "bye":
        if (state.isSuper) this.mesh.dropNeighbour(to, state, from);
        else if (from === state.superPeer) this.mesh.superPeerLost(to, from);
        return;
      case "query":
        this.search.onLeafQuery(to, from, state, msg);
        return;
      case "spQuery":
        this.search.onQuery(to, from, state, msg);
        return;
      case "spHit":
        this.downloads.offer(to, msg.lookup, msg.holders, msg.hops);
        return;
      case "fetch":
        this.downloads.serve(to, from, msg, this.holds(to, msg.key));
        return;
      default:
        unhandled(msg);
    }
  }

  /** Time-series columns: super-peers and leaves online, leaves without a super-peer, mean super-peer degree. */
  sample(): Record<string, number> {
    let supers = 0;
    let leaves = 0;
    let orphans = 0;
    let links = 0;
    for (const state of this.states) {
      if (!state) continue;
      if (state.isSuper) {
        supers++;
        links += state.neighbours.length;
      } else {
        leaves++;
        if (state.superPeer < 0) orphans++;
      }
    }
    return { superPeersOnline: supers, leavesOnline: leaves, leavesUnattached: orphans, superPeerDegree: supers ? links / supers : 0 };
  }

  /** For tests and snapshots: a leaf's super-peer (-1 if none), or a super-peer's neighbours. */
  stateOf(peer: PeerId): { isSuper: boolean; superPeer: PeerId; neighbours: readonly PeerId[]; leaves: number } | undefined {
    const s = this.states[peer];
    return s && { isSuper: s.isSuper, superPeer: s.superPeer, neighbours: s.neighbours, leaves: s.isSuper ? s.registry.size - 1 : 0 };
  }
}
