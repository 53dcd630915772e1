/**
 * The discrete-event kernel: a simulated clock and a queue of pending events.
 *
 * Events are ordered by (time, insertion sequence): two events at the same
 * simulated time run in the order they were scheduled, never at random. The
 * queue (a ladder queue, see event-queue.ts) lives in typed arrays, and an
 * event is a callback plus one argument, so scheduling allocates nothing per
 * event once the arrays have grown. The kernel knows nothing of peers,
 * messages or overlays.
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

// A handle packs (generation, slot): slot in the low 26 bits, generation above.
// Each reuse of a slot bumps its generation, so an old handle no longer
// matches. A slot whose generation is used up is retired rather than wrapped,
// so handles stay unique forever and below 2^53 (exact as doubles).
const SLOT_BITS = 26;
const SLOT_SPACE = 2 ** SLOT_BITS;
const MAX_SLOTS = SLOT_SPACE;
const GEN_LIMIT = 2 ** (53 - SLOT_BITS);

export class Simulator {
  /** The simulated time in milliseconds. */
  now = 0;
  /** Events run so far (cancelled events are not counted). */
  eventsRun = 0;

  // Orders slots by (time, insertion sequence); owns each slot's time.
  private queue: EventQueue;

  // Per slot: callback and argument side by side (fn at 2·slot, arg at
  // 2·slot + 1) so running an event touches one cache line, not two. The
  // callback is null once the event ran or was cancelled. A slot is freed
  // only when its queue entry is popped, so a cancelled event's slot stays
  // taken until its time comes (lazy deletion).
  private slotFnArg: unknown[] = [];
  private slotGen: Int32Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 0;

  private liveCount = 0;
  private stopRequested = false;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.queue = new EventQueue(cap);
    this.slotGen = new Int32Array(cap);
    this.freeSlots = new Int32Array(cap);
  }

  /** Events scheduled and neither run nor cancelled. */
  get pending(): number {
    return this.liveCount;
  }

  /** Schedules `fn(arg)` to run `delayMs` from now. Throws on a negative or non-finite delay. */
  schedule<A>(delayMs: number, fn: EventFn<A>, arg?: A): EventHandle {
    if (!(delayMs >= 0) || delayMs === Infinity) {
      throw new RangeError(`Simulator.schedule: delay must be a finite number ≥ 0 ms, got ${delayMs}`);
    }
    return this.insert(this.now + delayMs, fn, arg);
  }

  /** Schedules `fn(arg)` at absolute time `timeMs`. Throws if that is in the past. */
  at<A>(timeMs: number, fn: EventFn<A>, arg?: A): EventHandle {
    if (!(timeMs >= this.now) || timeMs === Infinity) {
      throw new RangeError(
        `Simulator.at: cannot schedule at ${timeMs} ms, the clock is already at ${this.now} ms (scheduling in the past is an error)`,
      );
    }
    return this.insert(timeMs, fn, arg);
  }

  /** Cancels a pending event. Returns false if it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    if (!(slot >= 0 && slot < this.slotsUsed) || this.slotGen[slot] !== gen || this.slotFnArg[2 * slot] === null) {
      return false;
    }
    // Lazy deletion: the queue entry stays and is dropped when it reaches the front.
    this.slotFnArg[2 * slot] = null;
    this.slotFnArg[2 * slot + 1] = undefined;
    this.liveCount--;
    return true;
  }

  /** Asks a running `run` to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /** The time of the next pending event, or Infinity if none. */
  peekTime(): number {
    const slot = this.peekLive();
    return slot < 0 ? Infinity : this.queue.timeOf(slot);
  }

  /** Runs the next event. Returns false if there was none. */
  step(): boolean {
    const slot = this.peekLive();
    if (slot < 0) return false;
    this.runNext(slot);
    return true;
  }

  /** Runs events in order until the queue is empty, `until` is passed, `maxEvents` ran, or `stop()` was called. */
  run(options: RunOptions = {}): RunStop {
    const until = options.until ?? Infinity;
    if (until < this.now) {
      throw new RangeError(`Simulator.run: until (${until} ms) is before the current time (${this.now} ms)`);
    }
    const maxEvents = options.maxEvents ?? Infinity;
    this.stopRequested = false;
    let ran = 0;
    for (;;) {
      const slot = this.peekLive();
      if (slot < 0) {
        if (until !== Infinity) {
          this.now = until;
          return "until";
        }
        return "empty";
      }
      if (this.queue.timeOf(slot) > until) {
        this.now = until;
        return "until";
      }
      if (ran >= maxEvents) return "maxEvents";
      this.runNext(slot);
      ran++;
      if (this.stopRequested) {
        this.stopRequested = false;
        return "stopped";
      }
    }
  }

  // ---- internals ----

  private insert(time: number, fn: EventFn, arg: unknown): EventHandle {
    const slot = this.allocSlot();
    this.slotFnArg[2 * slot] = fn;
    this.slotFnArg[2 * slot + 1] = arg;
    this.liveCount++;
    this.queue.push(slot, time);
    return this.slotGen[slot]! * SLOT_SPACE + slot;
  }

  /** The slot of the earliest live event (dropping cancelled ones on the way), or -1. */
  private peekLive(): number {
    for (;;) {
      const slot = this.queue.peek();
      if (slot < 0 || this.slotFnArg[2 * slot] !== null) return slot;
      this.queue.pop();
      this.releaseSlot(slot);
    }
  }

  /** Runs the event in `slot`, which `peekLive` just returned. */
  private runNext(slot: number): void {
    const time = this.queue.timeOf(slot);
    const fn = this.slotFnArg[2 * slot] as EventFn;
    const arg = this.slotFnArg[2 * slot + 1];
    this.queue.pop();
    // Free the slot before the callback so an event it schedules can reuse it (still in cache).
    this.releaseSlot(slot);
    this.liveCount--;
    this.now = time;
    this.eventsRun++;
    fn(arg);
  }

  private allocSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    const slot = this.slotsUsed++;
    if (slot >= MAX_SLOTS) throw new RangeError(`Simulator: more than ${MAX_SLOTS} pending events`);
    if (slot >= this.slotGen.length) this.slotGen = grow(this.slotGen, Int32Array);
    this.slotFnArg.push(null, undefined); // keep the array packed: slots are taken in order
    return slot;
  }

  private releaseSlot(slot: number): void {
    this.slotFnArg[2 * slot] = null;
    this.slotFnArg[2 * slot + 1] = undefined;
    const gen = this.slotGen[slot]! + 1;
    if (gen === GEN_LIMIT) return; // retired: costs one slot per 2^27 reuses
    this.slotGen[slot] = gen;
    if (this.freeCount === this.freeSlots.length) this.freeSlots = grow(this.freeSlots, Int32Array);
    this.freeSlots[this.freeCount++] = slot;
  }
}

function grow<T extends Float64Array | Int32Array>(a: T, Ctor: new (n: number) => T): T {
  const b = new Ctor(a.length * 2);
  b.set(a);
  return b;
}
