import type { Simulator } from "../../engine/simulator.js";
import type { Links } from "../links.js";

/**
 * Transfers in progress ("flows") and the machinery every carrier shares:
 * a flow's bytes drain at its current rate; when a carrier gives it a new
 * rate, what moved so far is settled and its completion is rescheduled
 * (only then: a flow whose rate did not change keeps its event). All flow
 * state lives in typed arrays indexed by flow slot.
 *
 * Changes (a flow starting, ending or aborted, a capacity change) mark the
 * uplink and downlink they touch; one solve per simulated instant gives new
 * rates to the flows those links reach. The solve is deferred until no
 * other event is left at the current instant, so everything that happens at
 * one time is batched into one solve.
 *
 * With a solve interval (network.bandwidth.solveInterval > 0) the solve
 * waits instead for the next multiple of the interval, so one solve covers
 * every change of a step: rates are re-balanced once per step rather than at
 * every start and end. In between, a flow that starts takes what its two
 * links have left over (capacity less the other flows' rates: what ended
 * flows freed, or what was never used), so links are never over-full and a
 * transfer does not idle until the step; a flow that ends leaves its share
 * unused until the step or the next start; a capacity change waits for the
 * step too. docs/bittorrent.md ("Performance") measures what this
 * approximates.
 *
 * Units: bytes, milliseconds, bytes per millisecond.
 */

/** Who hears about a flow's end; the carrier calls exactly one of these, once. */
export interface FlowSink {
  /** Every byte has been transmitted (propagation is the caller's business). */
  transmitted(flow: FlowEnd): void;
  /** The flow was cut (an end left, a partition) after `movedBytes` had been transmitted. */
  aborted(flow: FlowEnd, movedBytes: number): void;
}

/** What a sink learns about a finished or aborted flow. */
export interface FlowEnd {
  from: number;
  to: number;
  bytes: number;
  startMs: number;
  payload: unknown;
}

/** How a carrier allocates rates: called once per instant with the links that changed. */
export interface RatePolicy {
  readonly name: string;
  solve(flows: Flows, upPeers: Int32Array, upCount: number, downPeers: Int32Array, downCount: number): void;
}

const NONE = -1;
/** A leftover below this fraction of a link's capacity is floating-point residue, not room for a new flow. */
const LEFTOVER_FLOOR = 1e-9;

export class Flows {
  from = new Int32Array(1024);
  to = new Int32Array(1024);
  size = new Float64Array(1024);
  remaining = new Float64Array(1024);
  rate = new Float64Array(1024);
  lastMs = new Float64Array(1024);
  startMs = new Float64Array(1024);
  /** Start order: the serial carrier sends in this order. */
  seq = new Float64Array(1024);
  handle = new Float64Array(1024);
  posUp = new Int32Array(1024);
  posDown = new Int32Array(1024);
  live = new Uint8Array(1024);
  private payload: unknown[] = [];
  private sinks: (FlowSink | undefined)[] = [];
  private free: number[] = [];
  private slots = 0;
  private nextSeq = 0;
  /** The flows on each peer's uplink and downlink. */
  readonly upFlows: number[][] = [];
  readonly downFlows: number[][] = [];
  /**
   * The same lists by link number, for solvers that walk links: link 2p is
   * upFlows[p], link 2p + 1 is downFlows[p] (one lookup, no branch on the kind).
   */
  readonly linkFlows: number[][] = [];
  /** Live flows now. */
  active = 0;
  /** Multiplies every capacity (a degrade fault's bandwidth factor). */
  capacityFactor = 1;
  /** Solves run, and flows they gave rates to (for the benchmark). */
  solves = 0;
  solvedFlows = 0;
  /** Completions rescheduled because a rate changed. */
  reschedules = 0;

  private dirtyUp = new Int32Array(1024);
  private dirtyDown = new Int32Array(1024);
  private upMark = new Uint8Array(1024);
  private downMark = new Uint8Array(1024);
  private nDirtyUp = 0;
  private nDirtyDown = 0;
  private solvePending = false;
  private readonly complete = (f: number) => this.onComplete(f);
  private readonly solveNow = () => this.runSolve();
  /** Called with bytes moved by `peer`'s uplink whenever a flow is settled (the meter's upload counter). */
  onUploaded: (peer: number, bytes: number) => void = () => {};

  constructor(
    readonly sim: Simulator,
    readonly links: Links,
    private readonly policy: RatePolicy,
    /** 0: solve at the end of every instant with a change (exact); above 0: at the next multiple of this (ms). */
    readonly solveIntervalMs = 0,
  ) {
    if (!(solveIntervalMs >= 0 && solveIntervalMs < Infinity)) throw new RangeError(`Flows: solveIntervalMs must be finite and ≥ 0, got ${solveIntervalMs}`);
  }

  /** Upload capacity of `peer` now (bytes/ms). */
  up(peer: number): number {
    return this.links.upload[peer]! * this.capacityFactor;
  }

  /** Download capacity of `peer` now (bytes/ms). */
  down(peer: number): number {
    return this.links.download[peer]! * this.capacityFactor;
  }

  /** Starts moving `bytes` from `from` to `to`; its rate comes at the end of this instant. Returns the flow's slot. */
  start(from: number, to: number, bytes: number, sink: FlowSink, payload: unknown): number {
    const f = this.free.length > 0 ? this.free.pop()! : this.slots++;
    this.grow(f);
    this.from[f] = from;
    this.to[f] = to;
    this.size[f] = bytes;
    this.remaining[f] = bytes;
    this.rate[f] = 0;
    this.lastMs[f] = this.sim.now;
    this.startMs[f] = this.sim.now;
    this.seq[f] = this.nextSeq++;
    this.handle[f] = NONE;
    this.live[f] = 1;
    this.payload[f] = payload;
    this.sinks[f] = sink;
    this.ensurePeer(Math.max(from, to));
    const ups = this.upFlows[from]!;
    this.posUp[f] = ups.length;
    ups.push(f);
    const downs = this.downFlows[to]!;
    this.posDown[f] = downs.length;
    downs.push(f);
    this.active++;
    this.touch(from, to);
    if (this.solveIntervalMs > 0) this.startOnLeftover(f);
    return f;
  }

  /**
   * Between steps: flow `f` takes the capacity its uplink and downlink have left (never more,
   * so no link is over-full), until the next step's solve gives it its fair share.
   */
  private startOnLeftover(f: number): void {
    const from = this.from[f]!;
    const to = this.to[f]!;
    const up = this.up(from);
    const down = this.down(to);
    const left = Math.min(this.leftover(this.upFlows[from]!, up, f), this.leftover(this.downFlows[to]!, down, f));
    if (left === Infinity || left > LEFTOVER_FLOOR * Math.min(up, down)) this.setRate(f, left);
  }

  /** `capacity` less the rates of the flows in `list` other than `f` (Infinity: an unlimited link). */
  private leftover(list: number[], capacity: number, f: number): number {
    if (capacity === Infinity) return Infinity;
    let left = capacity;
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      if (g !== f) left -= this.rate[g]!;
    }
    return left;
  }

  /** Gives flow `f` a new rate (bytes/ms; Infinity: no limit), settling what moved and rescheduling its end if the rate changed. */
  setRate(f: number, rate: number): void {
    if (this.rate[f] === rate) return;
    this.settle(f);
    this.rate[f] = rate;
    if (this.handle[f] !== NONE) this.sim.cancel(this.handle[f]!);
    this.handle[f] = NONE;
    if (rate > 0) {
      const delay = rate === Infinity ? 0 : this.remaining[f]! / rate;
      this.handle[f] = this.sim.schedule(delay, this.complete, f);
      this.reschedules++;
    }
  }

  /** Credits what flow `f` moved since it was last settled. */
  settle(f: number): void {
    const now = this.sim.now;
    const elapsed = now - this.lastMs[f]!;
    this.lastMs[f] = now;
    const rate = this.rate[f]!;
    if (elapsed <= 0 || rate === 0) return;
    const moved = Math.min(this.remaining[f]!, rate === Infinity ? this.remaining[f]! : rate * elapsed);
    this.remaining[f] = this.remaining[f]! - moved;
    this.onUploaded(this.from[f]!, moved);
  }

  /** Settles every live flow (before the meter reads upload counters). */
  settleAll(): void {
    for (let f = 0; f < this.slots; f++) if (this.live[f]) this.settle(f);
  }

  /** Aborts every flow to or from `peer` (it left or crashed). */
  peerDown(peer: number): void {
    const ups = this.upFlows[peer];
    while (ups && ups.length > 0) this.abort(ups[ups.length - 1]!);
    const downs = this.downFlows[peer];
    while (downs && downs.length > 0) this.abort(downs[downs.length - 1]!);
  }

  /** Aborts every live flow for which `cut(from, to)` is true, in slot order. */
  abortWhere(cut: (from: number, to: number) => boolean): void {
    for (let f = 0; f < this.slots; f++) if (this.live[f] && cut(this.from[f]!, this.to[f]!)) this.abort(f);
  }

  /** Changes every capacity by `factor` (1: as drawn); every flow is re-solved. */
  setCapacityFactor(factor: number): void {
    if (factor === this.capacityFactor) return;
    this.capacityFactor = factor;
    for (let f = 0; f < this.slots; f++) if (this.live[f]) this.touch(this.from[f]!, this.to[f]!);
  }

  /** Cuts flow `f` now; its sink hears of it with the bytes that moved. */
  abort(f: number): void {
    this.settle(f);
    const moved = this.size[f]! - this.remaining[f]!;
    const sink = this.sinks[f]!;
    sink.aborted(this.release(f), moved);
  }

  private onComplete(f: number): void {
    this.handle[f] = NONE;
    this.settle(f);
    // The completion event is the authority: floating-point crumbs left by settling are sent now.
    const rest = this.remaining[f]!;
    if (rest > 0) {
      this.remaining[f] = 0;
      this.onUploaded(this.from[f]!, rest);
    }
    const sink = this.sinks[f]!;
    sink.transmitted(this.release(f));
  }

  /** Frees flow `f`'s slot and marks its links for the next solve; returns what its sink is told. */
  private release(f: number): FlowEnd {
    if (this.handle[f] !== NONE) this.sim.cancel(this.handle[f]!);
    this.handle[f] = NONE;
    const from = this.from[f]!;
    const to = this.to[f]!;
    removeAt(this.upFlows[from]!, this.posUp, this.posUp[f]!);
    removeAt(this.downFlows[to]!, this.posDown, this.posDown[f]!);
    this.live[f] = 0;
    this.active--;
    const end: FlowEnd = { from, to, bytes: this.size[f]!, startMs: this.startMs[f]!, payload: this.payload[f] };
    this.payload[f] = undefined;
    this.sinks[f] = undefined;
    this.free.push(f);
    this.touch(from, to);
    return end;
  }

  /** Marks `from`'s uplink and `to`'s downlink as changed and asks for a solve at the end of this instant. */
  touch(from: number, to: number): void {
    if (from >= this.upMark.length || to >= this.downMark.length) this.growMarks(Math.max(from, to) + 1);
    if (!this.upMark[from]) {
      this.upMark[from] = 1;
      this.dirtyUp[this.nDirtyUp++] = from;
    }
    if (!this.downMark[to]) {
      this.downMark[to] = 1;
      this.dirtyDown[this.nDirtyDown++] = to;
    }
    if (!this.solvePending) {
      this.solvePending = true;
      if (this.solveIntervalMs > 0) this.sim.at(this.nextStepMs(), this.solveNow);
      else this.sim.schedule(0, this.solveNow);
    }
  }

  /** The first multiple of the solve interval at or after now (now itself if rounding puts the multiple behind it). */
  private nextStepMs(): number {
    const now = this.sim.now;
    const step = Math.ceil(now / this.solveIntervalMs) * this.solveIntervalMs;
    return step < now ? now : step;
  }

  private runSolve(): void {
    // Other events at this instant may still change flows: solve after them.
    if (this.sim.peekTime() === this.sim.now) {
      this.sim.schedule(0, this.solveNow);
      return;
    }
    this.solvePending = false;
    const nUp = this.nDirtyUp;
    const nDown = this.nDirtyDown;
    // The policy reads the dirty lists in place (no copy per solve): nothing marks a link while it solves.
    const ups = this.dirtyUp;
    const downs = this.dirtyDown;
    for (let i = 0; i < nUp; i++) this.upMark[ups[i]!] = 0;
    for (let i = 0; i < nDown; i++) this.downMark[downs[i]!] = 0;
    this.nDirtyUp = this.nDirtyDown = 0;
    this.solves++;
    this.policy.solve(this, ups, nUp, downs, nDown);
  }

  /** Number of flow slots ever used (live flows are among 0 .. slotCount−1). */
  get slotCount(): number {
    return this.slots;
  }

  /** Makes the flow lists of every peer up to `peer`. */
  private ensurePeer(peer: number): void {
    for (let p = this.upFlows.length; p <= peer; p++) {
      const up: number[] = [];
      const down: number[] = [];
      this.upFlows.push(up);
      this.downFlows.push(down);
      this.linkFlows.push(up, down);
    }
  }

  private growMarks(n: number): void {
    const size = Math.max(n, this.upMark.length * 2);
    const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.upMark = grow(this.upMark, (k) => new Uint8Array(k));
    this.downMark = grow(this.downMark, (k) => new Uint8Array(k));
    this.dirtyUp = grow(this.dirtyUp, (k) => new Int32Array(k));
    this.dirtyDown = grow(this.dirtyDown, (k) => new Int32Array(k));
  }

  private grow(f: number): void {
    if (f < this.from.length) return;
    const size = this.from.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.from = g(this.from);
    this.to = g(this.to);
    this.size = g(this.size);
    this.remaining = g(this.remaining);
    this.rate = g(this.rate);
    this.lastMs = g(this.lastMs);
    this.startMs = g(this.startMs);
    this.seq = g(this.seq);
    this.handle = g(this.handle);
    this.posUp = g(this.posUp);
    this.posDown = g(this.posDown);
    this.live = g(this.live);
  }
}

/** Removes the flow at `index` of `list` by moving the last one into its place. */
function removeAt(list: number[], pos: Int32Array, index: number): void {
  const last = list.pop()!;
  if (index < list.length) {
    list[index] = last;
    pos[last] = index;
  }
}
