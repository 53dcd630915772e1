import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../../core/protocol.js";
import type { ChordMessage } from "./messages.js";
import type { ChordOptions } from "./options.js";
import type { Routing } from "./routing.js";
import type { ChordTables } from "./tables.js";
import { handlersFor, unhandled } from "../../core/handlers.js";
import { JoinContacts } from "./join-contacts.js";

/**
 * Joining and keeping the ring in shape (the paper's Fig. 6 and §IV-E of the
 * ToN version): join through a bootstrap contact, then periodic stabilize
 * (ask the successor for its predecessor and successor list, adopt a closer
 * successor, notify it), fix_fingers and check_predecessor. A peer that does
 * not answer in time is taken as failed and dropped from the asker's tables.
 */
/** What other parts of the overlay (storage) want to hear from maintenance. */
export interface MaintenanceHooks {
  /** `peer` has just entered the ring (it has a successor). */
  joined?(peer: PeerId): void;
  /** `peer` accepted `newPred` as its predecessor in place of `oldPred` (-1: it had none). */
  predecessorChanged?(peer: PeerId, oldPred: PeerId, newPred: PeerId): void;
  /** Extra periodic work of every peer in the ring, run with the other maintenance timers. */
  periodic?: readonly { readonly intervalMs: number; readonly run: (peer: PeerId) => void }[];
}

/** The messages this part takes. */
const MAINTENANCE_TYPES = ["getPredecessor", "notify", "ping", "leaving"] as const;
type MaintenanceMessage = Extract<ChordMessage, { type: (typeof MAINTENANCE_TYPES)[number] }>;

export class Maintenance {
  readonly handlers = handlersFor<ChordMessage, typeof MAINTENANCE_TYPES>(MAINTENANCE_TYPES, (to, from, msg) => this.handle(to, from, msg));
  /** The session in which each peer's timers were started (-1: none), so a rejoin does not start a second set. */
  private timersOf = new Float64Array(0);
  /** While a peer is joining: every bootstrap contact it has been given in this attempt, newest first. */
  private readonly contacts = new JoinContacts();
  /** The periodic jobs of every peer in the ring: stabilize, fix_fingers, check_predecessor, then the hooks' jobs. */
  private readonly jobs: readonly { readonly intervalMs: number; readonly run: (peer: PeerId) => void }[];
  /** Every run comes a jittered interval after the last, the first one included. */
  private readonly everyOptions: { readonly start: "after-interval"; readonly jitter: number };

  constructor(
    private readonly ctx: OverlayContext<ChordMessage>,
    private readonly options: ChordOptions,
    private readonly t: ChordTables,
    private routing: Routing,
    private readonly hooks: MaintenanceHooks = {},
  ) {
    this.everyOptions = { start: "after-interval", jitter: options.jitter };
    this.jobs = [
      { intervalMs: options.stabilizeInterval, run: (peer) => this.stabilize(peer) },
      { intervalMs: options.fixFingersInterval, run: (peer) => this.fixFingers(peer) },
      { intervalMs: options.checkPredecessorInterval, run: (peer) => this.checkPredecessor(peer) },
      ...(hooks.periodic ?? []),
    ];
  }

  /** Routing and maintenance need each other; the overlay wires them up. */
  setRouting(routing: Routing): void {
    this.routing = routing;
  }

  /** The first `max` contacts a joining peer knows of (none once it is in the ring), in a new array. */
  contactsOf(peer: PeerId, max: number): PeerId[] {
    return this.contacts.of(peer, max);
  }

  /** `peer` went offline. */
  gone(peer: PeerId): void {
    this.contacts.clear(peer);
  }

  /** `peer` comes online: asks a bootstrap contact for its successor; the first peer creates the ring. */
  join(peer: PeerId): void {
    this.t.reset(peer);
    this.t.session[peer] = this.t.session[peer]! + 1;
    this.tryContacts(peer, this.ctx.bootstrapContacts(peer).filter((c) => c !== peer), 0, true);
  }

  private tryContacts(peer: PeerId, contacts: PeerId[], at: number, first: boolean): void {
    if (at === 0) {
      const known = [...contacts, ...this.contacts.of(peer).filter((c) => !contacts.includes(c))];
      this.contacts.set(peer, known);
      contacts = known;
    }
    if (contacts.length === 0 && first) {
      // Nobody to ask: this peer is the first, the ring is itself.
      this.t.setSuccessors(peer, [peer]);
      this.joined(peer);
      return;
    }
    if (at >= contacts.length) {
      this.ctx.count("joinRetries");
      this.ctx.setTimer(peer, this.options.stabilizeInterval, () =>
        this.tryContacts(peer, this.ctx.bootstrapContacts(peer).filter((c) => c !== peer), 0, true),
      );
      return;
    }
    const id = this.t.ids.subarray(peer * this.t.W, (peer + 1) * this.t.W);
    this.routing.findOwner(
      peer,
      id,
      contacts[at]!,
      (owner) => {
        if (owner === peer) return this.tryContacts(peer, contacts, at + 1, false);
        this.t.setSuccessors(peer, [owner]);
        this.joined(peer);
      },
      () => this.tryContacts(peer, contacts, at + 1, false),
    );
  }

  /** `peer` has a successor: it is in the ring. It stabilizes at once (unless maintenance is frozen), then periodically. */
  private joined(peer: PeerId): void {
    this.t.inRing[peer] = 1;
    this.contacts.clear(peer);
    this.hooks.joined?.(peer);
    if (!this.ctx.maintenanceFrozen()) this.stabilize(peer);
    if (this.timersStartedIn(peer) !== this.t.session[peer]) this.startTimers(peer);
  }

  /**
   * Starts the periodic maintenance of a peer (also for every peer of an
   * oracle-built ring), on the runtime's `every`: the runtime stops and
   * resumes it for the fault timeline's freeze and ends it with the session.
   */
  startTimers(peer: PeerId): void {
    if (peer >= this.timersOf.length) {
      const bigger = new Float64Array(Math.max(peer + 1, this.t.capacity)).fill(-1);
      bigger.set(this.timersOf);
      this.timersOf = bigger;
    }
    this.timersOf[peer] = this.t.session[peer]!;
    // Each job's function serves every peer (the runtime passes the peer): no callback is made per peer.
    for (const job of this.jobs) this.ctx.every(peer, job.intervalMs, job.run, this.everyOptions);
  }

  private timersStartedIn(peer: PeerId): number {
    return peer < this.timersOf.length ? this.timersOf[peer]! : -1;
  }

  /**
   * Asks the successor for its predecessor and successor list; adopts a
   * closer successor; notifies it. When the successor changed, the round goes
   * on at once with the new one (at most STEPS times): with many joins between
   * two rounds a successor is often far off, and one step back per interval
   * would take as many intervals as there are peers in the gap.
   */
  stabilize(peer: PeerId, steps = 0): void {
    const t = this.t;
    if (!t.inRing[peer]) return;
    const s = t.successor(peer);
    if (s < 0) return this.rejoin(peer);
    if (s === peer) {
      // Alone (or believes so): a peer that notified it becomes its successor.
      const p = t.predecessor[peer]!;
      if (p >= 0 && p !== peer) {
        t.setSuccessors(peer, [p]);
        this.ctx.send(peer, p, { type: "notify" });
      }
      return;
    }
    this.ctx.request(
      peer,
      s,
      // `rpc: undefined` and `replyTo: undefined` (below) make room for the context's token (see routing.ts, sendFindRequest).
      { type: "getPredecessor", rpc: undefined } as ChordMessage,
      this.options.requestTimeout,
      (reply) => {
        if (reply.type !== "predecessorReply") return;
        // The successor crashed and is joining again (same id, empty tables): taking its empty list would cut
        // this peer off from the rest of its successors, and dropping it would be wrong in a moment (it is alive
        // and will be right there). The list stays as it is until the successor is back in the ring.
        if (reply.joining) return;
        const x = reply.predecessor;
        const { ids, W, space } = t;
        const closer = x >= 0 && x !== peer && x !== s && space.inOpen(ids, x * W, ids, peer * W, ids, s * W);
        t.setSuccessors(peer, closer ? [x, s, ...reply.successors] : [s, ...reply.successors]);
        const now = t.successor(peer);
        if (now !== peer) this.ctx.send(peer, now, { type: "notify" });
        if (closer && steps < STEPS) this.stabilize(peer, steps + 1);
      },
      () => {
        this.ctx.count("successorsLost");
        t.forget(peer, s);
        if (t.successorCount[peer] === 0) this.rejoin(peer);
        else if (steps < STEPS) this.stabilize(peer, steps + 1);
      },
    );
  }

  /** Every successor failed: the peer joins again through the bootstrap cache, keeping its session. */
  private rejoin(peer: PeerId): void {
    this.ctx.count("rejoins");
    this.t.inRing[peer] = 0;
    this.tryContacts(peer, this.ctx.bootstrapContacts(peer).filter((c) => c !== peer), 0, false);
  }

  /** Refreshes the next finger by a lookup of id + 2^i, and every higher finger the same peer also owns. */
  fixFingers(peer: PeerId): void {
    const t = this.t;
    if (!t.inRing[peer]) return;
    const { m, W, ids, space } = t;
    const i = t.nextFinger[peer]! % m;
    const start = new Uint32Array(W);
    space.addPow2(ids, peer * W, i, start, 0);
    // The successor's lookup starts half a ring away (the last finger), not at the peer itself, which would
    // answer from its own successor: that is what lets it cross into another cycle (see below).
    const far = i === 0 ? t.finger(peer, m - 1) : -1;
    this.routing.findOwner(
      peer,
      start,
      far !== peer ? far : -1,
      (owner) => {
        t.setFingers(peer, i, i, owner);
        // Finger 0 is the successor (the paper's finger[1]): a closer one found by lookup is adopted. Stabilize
        // alone cannot repair interleaved cycles (each node's successor skips one of the other cycle's nodes, and
        // asking it for its predecessor returns the asker); a lookup routed through the fingers crosses between them.
        if (i === 0 && owner !== peer && t.inRing[peer]) {
          const s = t.successor(peer);
          if (s === peer || (s >= 0 && space.inOpen(ids, owner * W, ids, peer * W, ids, s * W))) {
            t.setSuccessors(peer, [owner, ...t.successorList(peer)]);
            this.ctx.send(peer, owner, { type: "notify" });
          }
        }
        let j = i + 1;
        if (owner !== peer) {
          // id + 2^j ∈ (id, owner] exactly while 2^j ≤ owner − id: up to the top bit of that distance (all the ring for the same id).
          const d = space.distanceLog2(ids, peer * W, ids, owner * W);
          const last = d < 0 ? m - 1 : d;
          t.setFingers(peer, j, last, owner);
          j = Math.max(j, last + 1);
        }
        t.nextFinger[peer] = j % m;
      },
      () => {
        t.nextFinger[peer] = (i + 1) % m;
      },
    );
  }

  /** Pings the predecessor; forgets it if it does not answer. */
  checkPredecessor(peer: PeerId): void {
    const p = this.t.predecessor[peer]!;
    if (p < 0 || p === peer) return;
    this.ctx.request(peer, p, { type: "ping", rpc: undefined } as ChordMessage, this.options.requestTimeout, NOOP, () => {
      this.ctx.count("predecessorsLost");
      this.t.forget(peer, p);
    });
  }

  /** Graceful leave: the successor learns its new predecessor, the predecessor its new successors. */
  leave(peer: PeerId): void {
    const t = this.t;
    if (!t.inRing[peer]) return;
    const p = t.predecessor[peer]!;
    const succs = t.successorList(peer);
    const s = succs[0] ?? -1;
    if (s >= 0 && s !== peer) this.ctx.send(peer, s, { type: "leaving", predecessor: p, successors: succs });
    if (p >= 0 && p !== peer && p !== s) this.ctx.send(peer, p, { type: "leaving", predecessor: p, successors: succs });
  }

  private handle(to: PeerId, from: PeerId, msg: MaintenanceMessage): void {
    const t = this.t;
    switch (msg.type) {
      case "getPredecessor":
        this.ctx.reply(to, from, msg, {
          type: "predecessorReply",
          predecessor: t.inRing[to] ? t.predecessor[to]! : -1,
          successors: t.inRing[to] ? t.successorList(to) : [],
          joining: !t.inRing[to],
          replyTo: undefined,
        } as ChordMessage);
        return;
      case "notify": {
        if (!t.inRing[to]) return;
        const p = t.predecessor[to]!;
        const { ids, W, space } = t;
        if (p < 0 || p === to || space.inOpen(ids, from * W, ids, p * W, ids, to * W)) {
          t.predecessor[to] = from;
          if (from !== p) this.hooks.predecessorChanged?.(to, p, from);
        }
        return;
      }
      case "ping":
        this.ctx.reply(to, from, msg, { type: "pong", replyTo: undefined } as ChordMessage);
        return;
      case "leaving": {
        if (!t.inRing[to]) return;
        const wasSuccessor = t.successor(to) === from;
        const wasPredecessor = t.predecessor[to] === from;
        const rest = t.successorList(to).filter((s) => s !== from);
        t.forget(to, from);
        if (wasSuccessor) t.setSuccessors(to, [...msg.successors.filter((s) => s !== from), ...rest]);
        if (wasPredecessor) t.predecessor[to] = msg.predecessor === to ? -1 : msg.predecessor;
        if (t.successorCount[to] === 0) t.setSuccessors(to, [to]);
        return;
      }
      default:
        unhandled(msg);
    }
  }
}

const NOOP = () => {};
/** Extra stabilize steps one round may take after finding a closer successor or a dead one. */
const STEPS = 32;
