import type { PeerId } from "../../peers/population.js";
import type { AdversaryView, OverlayContext } from "../../core/protocol.js";
import type { UnstructuredMessage } from "./messages.js";
import type { UnstructuredOptions } from "./options.js";
import type { PeerStates } from "./state.js";
import { NeighbourTable } from "./neighbour-table.js";
import { handlersFor, unhandled } from "../../core/handlers.js";

type Ctx = OverlayContext<UnstructuredMessage>;
type Discover = Extract<UnstructuredMessage, { type: "discover" }>;
/** The messages neighbour upkeep takes (their answers go to the requests' callbacks). */
const NEIGHBOUR_TYPES = ["connect", "ping", "discover", "bye"] as const;
type NeighbourMessage = Extract<UnstructuredMessage, { type: (typeof NEIGHBOUR_TYPES)[number] }>;

/**
 * Keeps each peer's neighbour set near the target degree. A joining peer
 * connects to the contacts the host cache gives it; from then on it finds
 * new neighbours only through the ones it has (asking them for their
 * neighbours, as Gnutella's pong caches do). Every `maintenanceInterval` a
 * peer pings its neighbours: no answer means the neighbour is gone. Losing a
 * neighbour, by timeout or goodbye, starts a repair at once.
 *
 * Maintenance can be frozen (a fault timeline's freeze): the runtime stops
 * the periodic rounds (`ctx.every`) and this class starts no repair after a
 * lost neighbour, until it resumes. Joins go on (a newcomer still connects
 * and grows its neighbour set).
 *
 * A misrouting peer (docs/faults.md) hijacks the discovery walks that reach
 * it: it sends them on only to malicious neighbours, and where it ends one
 * it offers only accomplices that are online, so honest newcomers and
 * repairing peers take malicious neighbours (an eclipse attack).
 */
export class Neighbours {
  readonly handlers = handlersFor<UnstructuredMessage, typeof NEIGHBOUR_TYPES>(NEIGHBOUR_TYPES, (to, from, msg) => this.handle(to, from, msg));
  private readonly maxDegree: number;
  /** Every peer's neighbours; search and broadcasts read them here too. */
  readonly table: NeighbourTable;

  private readonly adversary: AdversaryView;
  /** The run has malicious peers: only then are the per-message adversary checks made. */
  private readonly hostile: boolean;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: UnstructuredOptions,
    private readonly states: PeerStates,
  ) {
    this.maxDegree = options.maxDegree ?? 2 * options.degree;
    this.table = new NeighbourTable(this.maxDegree);
    this.adversary = ctx.adversary;
    this.hostile = ctx.adversary.active;
  }

  join(peer: PeerId): void {
    this.states.start(peer);
    this.table.clear(peer);
    this.connectVia(peer, this.ctx.bootstrapContacts(peer), true);
    // Start maintenance at a random phase so peers do not ping in lockstep.
    this.startMaintenance(peer);
  }

  private startMaintenance(peer: PeerId): void {
    this.ctx.every(peer, this.options.maintenanceInterval, () => this.maintain(peer));
  }

  leave(peer: PeerId): void {
    if (this.states.has(peer)) for (const n of this.table.list(peer)) this.ctx.send(peer, n, { type: "bye" });
    this.states.end(peer);
    this.table.clear(peer);
  }

  crash(peer: PeerId): void {
    this.states.end(peer);
    this.table.clear(peer);
  }

  /** Builds a random graph of near-uniform degree over `peers` directly (oracle bootstrap). */
  buildOracle(peers: readonly PeerId[]): void {
    const table = this.table;
    for (const p of peers) {
      this.states.start(p);
      table.clear(p);
    }
    const target = this.options.degree;
    const open = peers.slice(); // peers still below the target degree
    // Where each peer is in `open` (-1: not there), so taking one out is O(1) rather than a search of the list.
    let maxPeer = -1;
    for (const p of peers) maxPeer = Math.max(maxPeer, p);
    const at = new Int32Array(maxPeer + 1).fill(-1);
    open.forEach((p, i) => (at[p] = i));
    const takeOut = (i: number) => {
      const gone = open[i]!;
      const last = open[open.length - 1]!;
      open[i] = last;
      at[last] = i;
      at[gone] = -1;
      open.pop();
    };
    for (const p of peers) {
      for (let attempt = 0; table.degree(p) < target && attempt < 20 * target && open.length > 1; attempt++) {
        const i = this.ctx.rng.int(open.length);
        const q = open[i]!;
        if (q === p || table.has(p, q)) continue;
        table.add(p, q);
        table.add(q, p);
        if (table.degree(q) >= target) takeOut(i);
      }
      const self = at[p]!;
      if (self >= 0 && table.degree(p) >= target) takeOut(self);
    }
    for (const p of peers) this.startMaintenance(p);
  }

  private handle(to: PeerId, from: PeerId, msg: NeighbourMessage): void {
    if (!this.states.has(to)) return;
    const table = this.table;
    switch (msg.type) {
      case "connect": {
        const accepted = table.has(to, from) || table.degree(to) < this.maxDegree;
        if (accepted) table.add(to, from);
        this.ctx.reply(to, from, msg, { type: "connectReply", accepted });
        return;
      }
      case "ping":
        this.ctx.reply(to, from, msg, { type: "pong", neighbour: table.has(to, from), replyTo: undefined } as UnstructuredMessage);
        return;
      case "discover": {
        if (this.hostile && this.adversary.misroutes(to)) {
          this.misrouteDiscovery(to, from, msg);
          return;
        }
        // Walk on, away from where the walk came from, until its hops are used up.
        const neighbours = table.list(to);
        const onward = neighbours.filter((n) => n !== from && n !== msg.origin);
        if (msg.ttl > 1 && onward.length > 0) {
          this.ctx.send(to, this.ctx.rng.pick(onward), { ...msg, ttl: msg.ttl - 1 });
        } else {
          this.ctx.reply(to, msg.origin, msg, { type: "discoverReply", peers: [to, ...neighbours] });
        }
        return;
      }
      case "bye":
        if (table.remove(to, from)) this.lost(to);
        return;
      default:
        unhandled(msg);
    }
  }

  /**
   * A misrouting peer got a discovery walk: it sends it on to a malicious
   * neighbour while hops remain and it has one, else ends it here, offering
   * itself and other online accomplices instead of its neighbours.
   */
  private misrouteDiscovery(to: PeerId, from: PeerId, msg: Discover): void {
    const adversary = this.adversary;
    adversary.misrouted();
    if (msg.ttl > 1) {
      const onward = this.table.list(to).filter((n) => n !== from && n !== msg.origin && adversary.isMalicious(n));
      if (onward.length > 0) {
        this.ctx.send(to, this.ctx.rng.pick(onward), { ...msg, ttl: msg.ttl - 1 });
        return;
      }
    }
    // "Online" by the overlay's own state: a peer with a session state is up.
    const online = adversary.accomplices.filter((p) => p !== to && p !== msg.origin && this.states.has(p));
    const offered = this.ctx.rng.sample(online, Math.min(online.length, this.maxDegree));
    this.ctx.reply(to, msg.origin, msg, { type: "discoverReply", peers: [to, ...offered] });
  }

  /** Asks `candidates` (in order) to connect until the target degree is in reach. */
  private connectVia(peer: PeerId, candidates: readonly PeerId[], fromBootstrap: boolean): void {
    const state = this.states.get(peer);
    if (!state) return;
    const table = this.table;
    let asked = 0;
    for (const candidate of candidates) {
      if (table.degree(peer) + state.pendingConnects >= this.options.degree) break;
      if (candidate === peer || table.has(peer, candidate)) continue;
      asked++;
      state.pendingConnects++;
      this.ctx.request(
        peer,
        candidate,
        { type: "connect" },
        this.options.requestTimeout,
        (reply) => {
          state.pendingConnects--;
          if (reply.type === "connectReply" && reply.accepted && table.degree(peer) < this.maxDegree) {
            table.add(peer, candidate);
            // A new neighbour is also a way to find more.
            if (table.degree(peer) < this.options.degree) this.repair(peer);
          } else {
            this.afterFailedConnect(peer, fromBootstrap);
          }
        },
        () => {
          state.pendingConnects--;
          this.afterFailedConnect(peer, fromBootstrap);
        },
      );
    }
    if (asked === 0 && table.degree(peer) === 0 && state.pendingConnects === 0) this.retryBootstrapLater(peer);
  }

  private afterFailedConnect(peer: PeerId, fromBootstrap: boolean): void {
    const state = this.states.get(peer);
    if (!state || state.pendingConnects > 0) return;
    if (this.table.degree(peer) === 0) {
      if (fromBootstrap) this.retryBootstrapLater(peer);
      else this.connectVia(peer, this.ctx.bootstrapContacts(peer), true);
    }
  }

  private retryBootstrapLater(peer: PeerId): void {
    this.ctx.count("bootstrapRetries");
    this.ctx.setTimer(peer, this.options.requestTimeout, () => {
      const state = this.states.get(peer);
      if (state && this.table.degree(peer) === 0 && state.pendingConnects === 0) {
        this.connectVia(peer, this.ctx.bootstrapContacts(peer), true);
      }
    });
  }

  /** Called when `peer` has just lost a neighbour. */
  private lost(peer: PeerId): void {
    this.ctx.count("neighboursLost");
    if (!this.ctx.maintenanceFrozen()) this.repair(peer);
  }

  /** Finds new neighbours by a short random walk from a current neighbour, or the host cache if none is left. */
  private repair(peer: PeerId): void {
    const state = this.states.get(peer);
    if (!state || state.repairing) return;
    const degree = this.table.degree(peer);
    if (degree + state.pendingConnects >= this.options.degree) return;
    if (degree === 0) {
      if (state.pendingConnects === 0) this.connectVia(peer, this.ctx.bootstrapContacts(peer), true);
      return;
    }
    const via = this.table.random(peer, this.ctx.rng);
    state.repairing = true;
    this.ctx.request(
      peer,
      via,
      { type: "discover", origin: peer, ttl: this.options.discoveryHops },
      this.options.requestTimeout,
      (reply) => {
        state.repairing = false;
        if (reply.type !== "discoverReply") return;
        // The peer where the walk ended first, then its neighbours in random order.
        const [end, ...around] = reply.peers;
        this.connectVia(peer, [end!, ...this.ctx.rng.shuffle(around)], false);
      },
      () => {
        // The walk may have died anywhere along the way: try again at the next round.
        state.repairing = false;
        this.ctx.count("discoveryTimeouts");
      },
    );
  }

  /** The periodic round: ping every neighbour, then top up the neighbour set. */
  private maintain(peer: PeerId): void {
    if (!this.states.has(peer)) return;
    const table = this.table;
    // Sending changes no neighbour set (answers come later), so the table is read as it goes.
    const degree = table.degree(peer);
    for (let i = 0; i < degree; i++) {
      const n = table.at(peer, i);
      this.ctx.request(
        peer,
        n,
        // `rpc: undefined` (and the pong's `replyTo: undefined`) make room for the token the context stamps
        // on a request (and a reply): a property added later would give every ping a second allocation.
        { type: "ping", rpc: undefined } as UnstructuredMessage,
        this.options.requestTimeout,
        (reply) => {
          // A neighbour that no longer counts us as its neighbour is dropped too.
          if (reply.type === "pong" && !reply.neighbour && table.remove(peer, n)) this.lost(peer);
        },
        () => {
          if (table.remove(peer, n)) this.lost(peer);
        },
      );
    }
    this.repair(peer);
  }
}
