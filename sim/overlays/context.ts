import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { Recorder } from "../metrics/recorder.js";
import type { Delivery } from "../network/carriers/carrier.js";
import type { Links } from "../network/links.js";
import type { Network } from "../network/network.js";
import type { HostCache } from "../peers/bootstrap.js";
import type { PeerId, Population } from "../peers/population.js";
import { Adversaries } from "../peers/adversaries.js";
import type { Message, OverlayContext, TimerHandle } from "../core/protocol.js";
import { Answers } from "./answers.js";
import { TimerTable } from "./timer-table.js";

/**
 * Builds the context an overlay sees, and routes replies to the requests
 * that are waiting for them. Timers and pending requests belong to one
 * session of one peer: once that peer leaves or crashes they never fire,
 * so an overlay never hears about a past life of a peer.
 */

/**
 * A request in flight. The request message carries this object itself as its
 * token and the reply carries it back, so matching a reply costs nothing.
 */
interface PendingRequest {
  requester: PeerId;
  session: number;
  onReply: (reply: Message) => void;
  onTimeout: () => void;
  /** The timeout's event, or -1 when the caller keeps its own deadline. */
  timer: number;
  /** Answered or timed out: later replies are dropped. */
  done: boolean;
}

interface PeerTimer {
  peer: PeerId;
  session: number;
  fn: () => void;
}

/**
 * Periodic work of one peer's session (`ctx.every`), in one freeze epoch.
 * The task object itself is each run's event argument, so a tick allocates
 * nothing; a resume puts a copy in its place (see setMaintenanceFrozen), and
 * runs of the old object still in the queue find their epoch gone.
 */
interface PeriodicTask {
  peer: PeerId;
  session: number;
  intervalMs: number;
  fn: (peer: PeerId) => void;
  randomPhase: boolean;
  /** Each gap drawn from [(1 − jitter)·interval, (1 + jitter)·interval]; 0 for fixed gaps. */
  jitter: number;
  /** The freeze epoch this task runs in. */
  epoch: number;
}

export interface ContextParts {
  sim: Simulator;
  rng: Rng;
  network: Network;
  population: Population;
  hostCache: HostCache;
  recorder: Recorder;
  /** Where lookup ends go (the lookup workload); overlays report them through the answer service (answers.ts). */
  lookupSucceeded: (lookup: number, hops: number) => void;
  lookupFailed: (lookup: number) => void;
  /** Size of the object behind each key (workload.fileSize), for transfers; omitted: 4 MB, the workload's default. */
  fileSize?: (key: number) => number;
  /** A request for `lookup` timed out (see OverlayContext.lookupTimedOut). */
  lookupTimedOut?: (lookup: number) => void;
  /** Where `ctx.reached` goes: the broadcast workload, in runs that broadcast. */
  broadcastReached?: (broadcast: number, peer: PeerId) => void;
  /** Per-peer capacities (network.bandwidth), for ctx.linkCapacity. */
  links?: Links;
  /** Where `ctx.startBroadcast` goes, for overlays that originate broadcasts. */
  startBroadcast?: (peer: PeerId, bytes: number, watchMs?: number) => number;
  /** Where the download reports go, for overlays that report downloads. */
  downloads?: {
    started: (peer: PeerId, bytes: number, label: string) => number;
    completed: (download: number) => void;
    aborted: (download: number) => void;
  };
  /** Message types of category "lookup": what a dropping malicious peer swallows. */
  lookupTypes: ReadonlySet<string>;
  /**
   * False when no freeze of the fault timeline ends within the run: tasks are
   * then not kept while frozen, for a resume that never comes (a static
   * oracle network of a million peers would hold a record per peer and job).
   */
  maintenanceResumes?: boolean;
}

export class OverlayRuntime<M extends Message> {
  readonly context: OverlayContext<M>;
  /** Honest until `setAdversaries` (the malicious peers are drawn from the churn pool, which exists only later). */
  private adversaries: Adversaries | undefined;
  /** Judges what lookups got (ctx.answer) and reports their ends. */
  private readonly answers: Answers;
  private readonly fireTimer = (t: PeerTimer) => {
    if (this.parts.population.isOnline(t.peer) && this.parts.population.session(t.peer) === t.session) t.fn();
  };
  /** Timers of ctx.setTimerWith; each one's event argument is its slot here. */
  private readonly timers = new TimerTable();
  private readonly fireTimerWith = (slot: number) => {
    const timers = this.timers;
    const peer = timers.peer[slot]!;
    const session = timers.session[slot]!;
    const fn = timers.fn[slot]!;
    const a = timers.a[slot]!;
    const b = timers.b[slot]!;
    timers.release(slot);
    if (this.sessionCurrent(peer, session)) fn(peer, a, b);
  };
  /** Maintenance frozen by the fault timeline; `epoch` is bumped by every freeze and resume so runs scheduled before it are dropped. */
  private frozen = false;
  private epoch = 0;
  /** Each peer's periodic tasks of its current session (older sessions' are dropped when a new one registers). */
  private readonly tasksOf: (PeriodicTask[] | undefined)[] = [];
  private readonly resumeHooks: (() => void)[] = [];
  private readonly runTask = (task: PeriodicTask) => {
    if (task.epoch !== this.epoch || !this.sessionCurrent(task.peer, task.session)) return;
    task.fn(task.peer);
    // Rescheduled after the work, as a hand-written timer chain would be, so event order (and the jitter's draw) is the same.
    this.schedulePeriodic(task, task.jitter > 0 ? this.jittered(task) : task.intervalMs);
  };
  private readonly expireRequest = (request: PendingRequest) => {
    if (request.done) return;
    request.done = true;
    if (this.stillThere(request)) request.onTimeout();
  };

  constructor(private readonly parts: ContextParts) {
    const { sim, rng, network, population, hostCache, recorder } = parts;
    const answers = (this.answers = new Answers({
      succeeded: parts.lookupSucceeded,
      failed: parts.lookupFailed,
      count: (name) => recorder.at(sim.now).count(name, 1),
    }));
    this.context = {
      now: () => sim.now,
      rng,
      send: (from, to, msg) => network.send(from, to, msg),
      request: (from, to, msg, timeoutMs, onReply, onTimeout) => {
        const request: PendingRequest = {
          requester: from,
          session: population.session(from),
          onReply: onReply as (reply: Message) => void,
          onTimeout,
          timer: -1,
          done: false,
        };
        // No timer for a caller that keeps its own deadlines (see OverlayContext.request).
        if (timeoutMs !== Infinity) request.timer = sim.schedule(timeoutMs, this.expireRequest, request);
        // The message is the request's own (see OverlayContext.request): stamp it rather than copy it.
        (msg as { rpc?: unknown }).rpc = request;
        network.send(from, to, msg);
      },
      reply: (from, to, request, reply) => {
        if (request.rpc === undefined) throw new Error(`reply to a "${request.type}" that was not sent as a request`);
        (reply as { replyTo?: unknown }).replyTo = request.rpc;
        network.send(from, to, reply);
      },
      transfer: (from, to, bytes, onDone, onAbort, traced) => {
        network.transfer(from, to, bytes, new SessionDelivery(population, to, onDone, onAbort), traced);
      },
      flowed: (from, bytes) => network.meterFlow(from, bytes),
      bandwidth: network.hasBandwidth,
      linkCapacity: (peer) => {
        const links = parts.links;
        if (!links || peer >= links.upload.length) return { upload: Infinity, download: Infinity };
        return { upload: links.upload[peer]!, download: links.download[peer]! };
      },
      placementOf: (peer) => network.placement(peer),
      fileSize: parts.fileSize ?? (() => 4_000_000),
      setTimer: (peer, delayMs, fn): TimerHandle =>
        sim.schedule(delayMs, this.fireTimer, { peer, session: population.session(peer), fn }),
      setOverlayTimer: (delayMs, fn): TimerHandle => sim.schedule(delayMs, fn),
      cancelTimer: (handle) => {
        sim.cancel(handle);
      },
      setTimerWith: (peer, delayMs, fn, a, b) => {
        const timers = this.timers;
        const slot = timers.take(peer, population.session(peer), fn, a, b);
        timers.event[slot] = sim.schedule(delayMs, this.fireTimerWith, slot);
        return timers.handleOf(slot);
      },
      cancelTimerWith: (handle) => {
        const timers = this.timers;
        const slot = timers.slotOf(handle);
        if (slot < 0) return;
        sim.cancel(timers.event[slot]!);
        timers.release(slot);
      },
      every: (peer, intervalMs, fn, options) => {
        if (this.frozen && parts.maintenanceResumes === false) return;
        const session = population.session(peer);
        let tasks = this.tasksOf[peer];
        if (tasks === undefined || (tasks.length > 0 && tasks[0]!.session !== session)) this.tasksOf[peer] = tasks = [];
        const task: PeriodicTask = { peer, session, intervalMs, fn, randomPhase: options?.start !== "after-interval", jitter: options?.jitter ?? 0, epoch: this.epoch };
        tasks.push(task);
        if (!this.frozen) this.startPeriodic(task);
      },
      everyCycle: (intervalMs, fn) => {
        const step = () => {
          if (!this.frozen) fn();
          sim.schedule(intervalMs, step);
        };
        sim.schedule(intervalMs, step);
      },
      carried: (type, count, bytes, broadcast, undelivered = 0) => network.carried(type, count, bytes, broadcast, undelivered),
      maintenanceFrozen: () => this.frozen,
      onMaintenanceResumed: (fn) => {
        this.resumeHooks.push(fn);
      },
      bootstrapContacts: (peer) => hostCache.contactsFor(peer),
      valueFrom: (holder, key) => answers.valueFrom(holder, key),
      answer: (lookup, key, holder, value, hops) => answers.answer(lookup, key, holder, value, hops),
      lookupSucceeded: (lookup, hops, endedAt) => answers.succeeded(lookup, hops, endedAt),
      lookupFailed: (lookup, endedAt) => answers.failed(lookup, endedAt),
      lookupTimedOut: parts.lookupTimedOut ?? (() => {}),
      reached: (broadcast, peer) => {
        if (!parts.broadcastReached) throw new Error("an overlay reported a broadcast in a run that makes none");
        parts.broadcastReached(broadcast, peer);
      },
      startBroadcast: (peer, bytes, watchMs) => {
        if (!parts.startBroadcast) throw new Error("an overlay started a broadcast, but its definition does not set originatesBroadcasts");
        return parts.startBroadcast(peer, bytes, watchMs);
      },
      downloadStarted: (peer, bytes, label = "all") => {
        if (!parts.downloads) throw new Error("an overlay reported a download, but its definition does not set downloads");
        return parts.downloads.started(peer, bytes, label);
      },
      downloadCompleted: (download) => parts.downloads?.completed(download),
      downloadAborted: (download) => parts.downloads?.aborted(download),
      count: (name, amount = 1) => recorder.at(sim.now).count(name, amount),
      livePeers: () => population.livePeers(),
      adversary: new Adversaries(undefined, [], rng, this.adversaryHooks()),
    };
  }

  /**
   * The fault timeline freezes (true) or resumes (false) maintenance: every
   * periodic task stops; on resume the overlay's resume hooks run, then each
   * online peer's tasks restart in peer order, each by its start rule.
   */
  setMaintenanceFrozen(frozen: boolean): void {
    if (frozen === this.frozen) return;
    this.frozen = frozen;
    this.epoch++;
    if (frozen) {
      // Frozen for good: runs still queued are dropped by their epoch, and nothing will restart the tasks.
      if (this.parts.maintenanceResumes === false) this.tasksOf.length = 0;
      return;
    }
    for (const hook of this.resumeHooks) hook();
    for (let peer = 0; peer < this.tasksOf.length; peer++) {
      const tasks = this.tasksOf[peer];
      if (tasks === undefined || tasks.length === 0) continue;
      if (!this.sessionCurrent(peer, tasks[0]!.session)) {
        this.tasksOf[peer] = undefined;
        continue;
      }
      for (let i = 0; i < tasks.length; i++) {
        const task = { ...tasks[i]!, epoch: this.epoch };
        tasks[i] = task;
        this.startPeriodic(task);
      }
    }
  }

  private startPeriodic(task: PeriodicTask): void {
    const first = task.jitter > 0 ? this.jittered(task) : task.randomPhase ? this.parts.rng.uniform(0, task.intervalMs) : task.intervalMs;
    this.schedulePeriodic(task, first);
  }

  private jittered(task: PeriodicTask): number {
    return task.intervalMs * (1 - task.jitter + 2 * task.jitter * this.parts.rng.next());
  }

  private schedulePeriodic(task: PeriodicTask, delayMs: number): void {
    this.parts.sim.schedule(delayMs, this.runTask, task);
  }

  private sessionCurrent(peer: PeerId, session: number): boolean {
    const population = this.parts.population;
    return population.isOnline(peer) && population.session(peer) === session;
  }

  /** What the adversary model reports to: the recorder's counters. */
  adversaryHooks() {
    const { sim, recorder } = this.parts;
    return { count: (name: string) => recorder.at(sim.now).count(name, 1) };
  }

  /** Installs the run's malicious peers; call before the overlay is created. */
  setAdversaries(adversaries: Adversaries): void {
    this.adversaries = adversaries.active ? adversaries : undefined;
    this.answers.setAdversaries(this.adversaries);
    (this.context as { adversary: OverlayContext<M>["adversary"] }).adversary = adversaries;
  }

  /**
   * Routes an arriving message: a reply goes to the request waiting for it
   * (or nowhere, if that request timed out or its peer has gone); anything
   * else goes to the overlay.
   */
  dispatch(to: PeerId, from: PeerId, msg: Message, deliver: (to: PeerId, from: PeerId, msg: M) => void): void {
    if (msg.replyTo === undefined) {
      const adversaries = this.adversaries;
      if (adversaries !== undefined && adversaries.drops(to) && this.parts.lookupTypes.has(msg.type)) {
        adversaries.dropped();
        return;
      }
      deliver(to, from, msg as M);
      return;
    }
    const request = msg.replyTo as unknown as PendingRequest;
    if (request.done || request.requester !== to || !this.stillThere(request)) return;
    request.done = true;
    if (request.timer >= 0) this.parts.sim.cancel(request.timer);
    request.onReply(msg);
  }

  private stillThere(request: PendingRequest): boolean {
    const population = this.parts.population;
    return population.isOnline(request.requester) && population.session(request.requester) === request.session;
  }
}

/**
 * How a transfer's end reaches the overlay: only while the session of the
 * receiver that was current when it started lasts. One object per transfer
 * (a block's spread makes one per node).
 */
class SessionDelivery implements Delivery {
  private readonly session: number;

  constructor(
    private readonly population: Population,
    private readonly to: PeerId,
    private readonly onDone: () => void,
    private readonly onAbort: () => void,
  ) {
    this.session = population.session(to);
  }

  arrived(): void {
    if (this.receiverThere()) this.onDone();
  }

  lost(): void {
    if (this.receiverThere()) this.onAbort();
  }

  private receiverThere(): boolean {
    return this.population.isOnline(this.to) && this.population.session(this.to) === this.session;
  }
}
