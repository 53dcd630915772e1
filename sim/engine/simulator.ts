/**
 * The discrete-event kernel: a simulated clock and a queue of pending events.
 *
 * Events are ordered by (time, insertion sequence): two events at the same
 * simulated time run in the order they were scheduled, never at random. The
 * pending events live in an EventQueue (a ladder queue in typed arrays, see
 * event-queue.ts), and an event is a callback plus one argument, so
 * scheduling allocates nothing per event once the arrays have grown. The
 * kernel knows nothing of peers, messages or overlays.
 */

import { EventQueue } from "./event-queue.js";

/** A callback run when its event fires; `arg` is what was passed to `schedule`. */
export type EventFn<A = any> = (arg: A) => void;

/**
 * Identifies a scheduled event so it can be cancelled. A handle stays unique
 * after its event has fired or been cancelled: cancelling it then does nothing.
 */
export type EventHandle = number;

/** Why `run` returned. */
export type RunStop = "until" | "empty" | "maxEvents" | "stopped";

export interface RunOptions {
  /** Run events with time ≤ until (ms), then leave the clock at `until`. Default: until the queue is empty. */
  until?: number;
  /** Return after this many events (used to run in slices, e.g. for a progress bar). */
  maxEvents?: number;
}

export class Simulator {
  /** The simulated time in milliseconds. */
  now = 0;
  /** Events run so far (cancelled events are not counted). */
  eventsRun = 0;

  private queue: EventQueue;
  private stopRequested = false;

  constructor(initialCapacity = 1024) {
    this.queue = new EventQueue(initialCapacity);
  }

  /** Events scheduled and neither run nor cancelled. */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedules `fn(arg)` to run `delayMs` from now. Throws on a negative or non-finite delay. */
  schedule<A>(delayMs: number, fn: EventFn<A>, arg?: A): EventHandle {
    if (!(delayMs >= 0) || delayMs === Infinity) {
      throw new RangeError(`Simulator.schedule: delay must be a finite number ≥ 0 ms, got ${delayMs}`);
    }
    if (typeof fn !== "function") throw new TypeError("Simulator.schedule: fn must be a function");
    const q = this.queue;
    // The slot, not the handle, crosses the call: see EventQueue.insert.
    return q.handleOf(q.insert(this.now + delayMs, fn, arg));
  }

  /**
   * Schedules `fn(arg)` like `schedule` but returns no handle, for an event
   * that is never cancelled (a message's arrival). Why: a handle is a double
   * beyond V8's small integers, so `schedule`, where it is not inlined into
   * its caller (the network's send is too big for that), may allocate a heap
   * number just to return it (flooding-10m's young-generation collections
   * went from 78 to 76 with it, so V8 mostly avoided that anyway).
   */
  scheduleWithoutHandle<A>(delayMs: number, fn: EventFn<A>, arg?: A): void {
    if (!(delayMs >= 0) || delayMs === Infinity) {
      throw new RangeError(`Simulator.schedule: delay must be a finite number ≥ 0 ms, got ${delayMs}`);
    }
    if (typeof fn !== "function") throw new TypeError("Simulator.schedule: fn must be a function");
    this.queue.insert(this.now + delayMs, fn, arg);
  }

  /** Schedules `fn(arg)` at absolute time `timeMs`. Throws if that is in the past. */
  at<A>(timeMs: number, fn: EventFn<A>, arg?: A): EventHandle {
    if (!(timeMs >= this.now) || timeMs === Infinity) {
      throw new RangeError(
        `Simulator.at: cannot schedule at ${timeMs} ms, the clock is already at ${this.now} ms (scheduling in the past is an error)`,
      );
    }
    if (typeof fn !== "function") throw new TypeError("Simulator.at: fn must be a function");
    const q = this.queue;
    return q.handleOf(q.insert(timeMs, fn, arg));
  }

  /** Cancels a pending event. Returns false if it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    return this.queue.cancel(handle);
  }

  /** Asks a running `run` to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /** The time of the next pending event, or Infinity if none. */
  peekTime(): number {
    const slot = this.queue.peek();
    return slot < 0 ? Infinity : this.queue.timeOf(slot);
  }

  /** Runs the next event. Returns false if there was none. */
  step(): boolean {
    if (!this.queue.take(Infinity)) return false;
    this.runTaken();
    return true;
  }

  /** Runs events in order until the queue is empty, `until` is passed, `maxEvents` ran, or `stop()` was called. */
  run(options: RunOptions = {}): RunStop {
    const until = options.until ?? Infinity;
    if (!(until >= this.now)) {
      throw new RangeError(`Simulator.run: until (${until} ms) is before the current time (${this.now} ms)`);
    }
    const maxEvents = options.maxEvents ?? Infinity;
    this.stopRequested = false;
    const q = this.queue;
    for (let ran = 0; ; ran++) {
      // With the event budget spent, say why the run would have stopped anyway, as if about to run one more.
      if (ran >= maxEvents) return this.stopBefore(until);
      if (!q.take(until)) {
        // Nothing left at or before `until`: with no `until`, that means the queue is empty.
        if (until === Infinity) return "empty";
        this.now = until;
        return "until";
      }
      this.runTaken();
      if (this.stopRequested) {
        this.stopRequested = false;
        return "stopped";
      }
    }
  }

  /** How a run whose event budget is spent returns: as it would have without the budget ("until", "empty") when no event is left at or before `until`, else "maxEvents". */
  private stopBefore(until: number): RunStop {
    const next = this.peekTime();
    if (next === Infinity && until === Infinity) return "empty";
    if (next <= until) return "maxEvents";
    this.now = until;
    return "until";
  }

  /** Runs the event `queue.take` just removed. */
  private runTaken(): void {
    const q = this.queue;
    this.now = q.takenTime;
    this.eventsRun++;
    const fn = q.takenFn!;
    const arg = q.takenArg;
    // Let go of the argument: the queue would otherwise keep it alive until the next event is taken.
    q.takenArg = undefined;
    fn(arg);
  }
}
