import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../../core/protocol.js";
import type { HybridMessage } from "./messages.js";
import type { HybridOptions } from "./options.js";
import { Registry } from "./registry.js";
import { handlersFor, unhandled } from "../../core/handlers.js";

type Ctx = OverlayContext<HybridMessage>;
type Query = Extract<HybridMessage, { type: "query" }>;

/** A query waiting for (or in) service. */
interface Job {
  from: PeerId;
  msg: Query;
  arrivedMs: number;
  waitMs: number;
}

/** One index server's state; gone when it crashes. */
class ServerState {
  readonly registry = new Registry();
  /** FIFO of waiting queries; `head` is the next one to serve. */
  readonly queue: Job[] = [];
  head = 0;
  busy = false;
  /** Time up to which busy and queue-length areas have been counted. */
  countedToMs: number;

  constructor(nowMs: number) {
    this.countedToMs = nowMs;
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }
}

/** Totals since the last time-series row, for its interval columns. */
interface IntervalTotals {
  busyMs: number;
  queueMs: number;
  waitMs: number;
  served: number;
  sinceMs: number;
}

/** The messages this part takes. */
const INDEX_TYPES = ["register", "deregister", "keepAlive", "deadPeer", "query"] as const;
type IndexMessage = Extract<HybridMessage, { type: (typeof INDEX_TYPES)[number] }>;

/**
 * The central index servers (Napster). Registrations, keep-alives and
 * reports of dead peers are cheap index updates done on arrival; queries are
 * the work: each server serves them one at a time, first come first served,
 * at `serviceRate`, from a queue that may be bounded (`maxQueue`, not
 * counting the query in service). So lookup latency includes queueing, and
 * a server offered more than `serviceRate` saturates.
 *
 * Utilisation and queue length are integrated exactly over simulated time:
 * each change of a server's state first adds busy·dt and waiting·dt to the
 * counters `indexBusyMs` and `indexQueueMs`. Waiting times (arrival to start
 * of service) go to `indexWaitMs` when service ends, with `indexServed`.
 */
export class IndexServers {
  readonly handlers = handlersFor<HybridMessage, typeof INDEX_TYPES>(INDEX_TYPES, (server, from, msg) => this.handle(server, from, msg));
  private readonly states = new Map<PeerId, ServerState>();
  private readonly meanServiceMs: number;
  private readonly totals: IntervalTotals = { busyMs: 0, queueMs: 0, waitMs: 0, served: 0, sinceMs: 0 };

  constructor(
    private readonly ctx: Ctx,
    private readonly options: HybridOptions,
    readonly servers: readonly PeerId[],
  ) {
    this.meanServiceMs = 1000 / options.index.serviceRate;
    ctx.onMaintenanceResumed(() => this.forgiveSilence());
  }

  isServer(peer: PeerId): boolean {
    return this.servers.includes(peer);
  }

  /** Whether `server` is up (started and not crashed since). */
  isUp(server: PeerId): boolean {
    return this.states.has(server);
  }

  /** A server comes online (time 0 or a restart) with an empty index. */
  start(server: PeerId): void {
    this.states.set(server, new ServerState(this.ctx.now()));
    // Every keepAliveInterval the server forgets peers silent for keepAliveTimeout.
    this.ctx.every(server, this.options.keepAliveInterval, () => this.sweep(server), { start: "after-interval" });
  }

  private sweep(server: PeerId): void {
    const state = this.states.get(server);
    if (!state) return;
    const purged = state.registry.purgeSilent(this.ctx.now() - this.options.keepAliveTimeout, -1);
    if (purged > 0) this.ctx.count("purgedByTimeout", purged);
  }

  /**
   * When a maintenance freeze ends, every registered peer counts as heard
   * from now: peers sent no keep-alives while frozen, and that silence is
   * not held against them. (The sweeps themselves are the runtime's to stop
   * and restart.)
   */
  private forgiveSilence(): void {
    for (const server of this.servers) this.states.get(server)?.registry.touchAll(this.ctx.now());
  }

  /** A server crashes: its index and its queue are lost (queued requesters find out by timeout). */
  crash(server: PeerId): void {
    const state = this.states.get(server);
    if (!state) return;
    this.account(state);
    this.states.delete(server);
    this.ctx.count("indexCrashes");
  }

  /** Number of peers registered at `server` (0 when it is down). */
  registeredAt(server: PeerId): number {
    return this.states.get(server)?.registry.size ?? 0;
  }

  private handle(server: PeerId, from: PeerId, msg: IndexMessage): void {
    const state = this.states.get(server);
    if (!state) {
      // A server that is down drops what reaches it; these messages go to servers only.
      if (!this.isServer(server)) throw new Error(`hybrid: a "${msg.type}" message reached peer ${server}, which is no index server`);
      return;
    }
    const now = this.ctx.now();
    switch (msg.type) {
      case "register":
        state.registry.register(from, msg.keys, now);
        this.ctx.count("registrations");
        this.ctx.reply(server, from, msg, { type: "registerAck" });
        return;
      case "deregister":
        state.registry.remove(from);
        return;
      case "keepAlive":
        this.ctx.reply(server, from, msg, { type: "keepAliveAck", known: state.registry.touch(from, now) });
        return;
      case "deadPeer":
        if (state.registry.remove(msg.peer)) this.ctx.count("purgedByReport");
        return;
      case "query":
        this.arrive(server, state, from, msg);
        return;
      default:
        unhandled(msg);
    }
  }

  private arrive(server: PeerId, state: ServerState, from: PeerId, msg: Query): void {
    this.ctx.count("indexQueries");
    const max = this.options.index.maxQueue;
    if (max !== undefined && state.busy && state.waiting >= max) {
      this.ctx.count("indexRejected");
      this.ctx.reply(server, from, msg, { type: "queryReply", lookup: msg.lookup, holders: [], rejected: true });
      return;
    }
    this.account(state);
    state.queue.push({ from, msg, arrivedMs: this.ctx.now(), waitMs: 0 });
    if (!state.busy) this.serveNext(server, state);
  }

  private serveNext(server: PeerId, state: ServerState): void {
    const job = state.queue[state.head];
    if (!job) return;
    this.account(state);
    state.queue[state.head++] = undefined as unknown as Job;
    if (state.head > 1024 && state.head * 2 > state.queue.length) {
      state.queue.splice(0, state.head);
      state.head = 0;
    }
    state.busy = true;
    job.waitMs = this.ctx.now() - job.arrivedMs;
    const service = this.options.index.service === "exponential" ? this.ctx.rng.exponential(this.meanServiceMs) : this.meanServiceMs;
    this.ctx.setTimer(server, service, () => this.complete(server, job));
  }

  private complete(server: PeerId, job: Job): void {
    const state = this.states.get(server)!;
    this.account(state);
    state.busy = false;
    this.ctx.count("indexServed");
    this.ctx.count("indexWaitMs", job.waitMs);
    this.totals.served++;
    this.totals.waitMs += job.waitMs;
    const { msg, from } = job;
    const holders = state.registry.holders(msg.key, from, this.options.maxHolders, this.ctx.rng);
    this.ctx.reply(server, from, msg, { type: "queryReply", lookup: msg.lookup, holders, rejected: false });
    this.serveNext(server, state);
  }

  /** Adds the busy time and queue-length area since the last change of `state` to the counters. */
  private account(state: ServerState): void {
    const now = this.ctx.now();
    const dt = now - state.countedToMs;
    if (dt <= 0) return;
    state.countedToMs = now;
    if (state.busy) {
      this.ctx.count("indexBusyMs", dt);
      this.totals.busyMs += dt;
    }
    if (state.waiting > 0) {
      this.ctx.count("indexQueueMs", state.waiting * dt);
      this.totals.queueMs += state.waiting * dt;
    }
  }

  /** Time-series columns for the interval ending now; the areas are brought up to date first. */
  sample(): Record<string, number> {
    for (const state of this.states.values()) this.account(state);
    const t = this.totals;
    const span = (this.ctx.now() - t.sinceMs) * this.servers.length;
    let waiting = 0;
    let registered = 0;
    for (const state of this.states.values()) {
      waiting += state.waiting;
      registered += state.registry.size;
    }
    const row = {
      indexUtilisation: span > 0 ? t.busyMs / span : NaN,
      indexQueueMean: span > 0 ? t.queueMs / span : NaN,
      indexWaitMeanMs: t.served > 0 ? t.waitMs / t.served : NaN,
      indexQueueNow: waiting,
      indexServersUp: this.states.size,
      indexRegistered: this.states.size > 0 ? registered / this.states.size : 0,
    };
    Object.assign(t, { busyMs: 0, queueMs: 0, waitMs: 0, served: 0, sinceMs: this.ctx.now() });
    return row;
  }
}
