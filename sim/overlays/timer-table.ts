import { grownInt32 } from "../collections/grow.js";
import type { PeerId } from "../core/peer.js";

/** What a timer set with ctx.setTimerWith runs: one function can serve every timer, told its peer and two integers. */
export type TimerWithFn = (peer: PeerId, a: number, b: number) => void;

// Handles: slot in the low 26 bits, the slot's generation above (as the engine's event handles).
const SLOT_SPACE = 2 ** 26;

/**
 * Timers set with ctx.setTimerWith, in parallel arrays indexed by a slot that
 * is reused once the timer fires: the timer's event argument is its slot, so
 * setting one allocates nothing. An object and a closure per timer, alive for
 * the timer's whole delay (a block request's timeout: seconds), were most of
 * what the garbage collector had to copy during a block's spread.
 *
 * A timer's handle is its slot and the slot's generation, bumped at every
 * release, so a handle kept after its timer fired or was cancelled never
 * names the slot's next timer.
 */
export class TimerTable {
  peer = new Int32Array(256);
  session = new Int32Array(256);
  a = new Int32Array(256);
  b = new Int32Array(256);
  /** The engine event that fires the timer (to cancel it). */
  event = new Float64Array(256);
  private generation = new Int32Array(256);
  readonly fn: (TimerWithFn | undefined)[] = [];
  private free = new Int32Array(256);
  private freeCount = 0;
  private used = 0;

  /** A slot holding the timer, until `release`. */
  take(peer: PeerId, session: number, fn: TimerWithFn, a: number, b: number): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!;
    else {
      slot = this.used++;
      if (slot === this.peer.length) this.grow(2 * slot);
    }
    this.peer[slot] = peer;
    this.session[slot] = session;
    this.a[slot] = a;
    this.b[slot] = b;
    this.fn[slot] = fn;
    return slot;
  }

  /** The timer in `slot` has fired or was cancelled (read its fields first). */
  release(slot: number): void {
    this.fn[slot] = undefined;
    // Wraps at 2^27, so handles stay below 2^53 (exact doubles); a handle that old is long gone.
    this.generation[slot] = (this.generation[slot]! + 1) & 0x7ffffff;
    this.free[this.freeCount++] = slot;
  }

  /** The handle of the timer now in `slot`. */
  handleOf(slot: number): number {
    return this.generation[slot]! * SLOT_SPACE + slot;
  }

  /** The slot of the timer `handle` names, or -1 if that timer has fired or was cancelled. */
  slotOf(handle: number): number {
    const slot = handle % SLOT_SPACE;
    if (!(slot >= 0 && slot < this.used) || this.fn[slot] === undefined || this.handleOf(slot) !== handle) return -1;
    return slot;
  }

  private grow(size: number): void {
    this.peer = grownInt32(this.peer, size);
    this.session = grownInt32(this.session, size);
    this.a = grownInt32(this.a, size);
    this.b = grownInt32(this.b, size);
    this.generation = grownInt32(this.generation, size);
    const event = new Float64Array(size);
    event.set(this.event);
    this.event = event;
    this.free = grownInt32(this.free, size);
  }
}
