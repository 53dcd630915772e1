import { grownInt32 } from "../collections/grow.js";
import type { PeerId } from "../core/peer.js";

/** What a timer set with ctx.setTimerWith runs: one function can serve every timer, told its peer and two integers. */
export type TimerWithFn = (peer: PeerId, a: number, b: number) => void;

/**
 * Timers set with ctx.setTimerWith, in parallel arrays indexed by a slot that
 * is reused once the timer fires: the timer's event argument is its slot, so
 * setting one allocates nothing. An object and a closure per timer, alive for
 * the timer's whole delay (a block request's timeout: seconds), were most of
 * what the garbage collector had to copy during a block's spread.
 */
export class TimerTable {
  peer = new Int32Array(256);
  session = new Int32Array(256);
  a = new Int32Array(256);
  b = new Int32Array(256);
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

  /** The timer in `slot` has fired (read its fields first). */
  release(slot: number): void {
    this.fn[slot] = undefined;
    this.free[this.freeCount++] = slot;
  }

  private grow(size: number): void {
    this.peer = grownInt32(this.peer, size);
    this.session = grownInt32(this.session, size);
    this.a = grownInt32(this.a, size);
    this.b = grownInt32(this.b, size);
    this.free = grownInt32(this.free, size);
  }
}
