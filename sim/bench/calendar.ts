/**
 * A reference for the engine's queue: a bare calendar queue (Brown, "Calendar
 * queues", CACM 1988) running the same hold model as hold.ts, with the same
 * generator (Alea through Rng) and a callback plus argument per slot, but none
 * of the engine's guarantees: no FIFO order between equal times, no
 * cancellation, no handles, a fixed bucket count and a bucket width tuned to
 * this one distribution (about two events per bucket near the front). It
 * shows how fast a queue can be when it is built for a single workload, so
 * `engine-hold / calendar-hold` says what the engine's generality costs.
 */

import { Rng } from "../engine/rng.js";
import { timePhases, type Timing } from "./measure.js";

type Callback = (arg: unknown) => void;

const NONE = -1;

class BareCalendar {
  private readonly time: Float64Array;
  private readonly next: Int32Array;
  private readonly fn: (Callback | null)[];
  private readonly arg: unknown[];
  private readonly heads: Int32Array;
  private readonly mask: number;
  private readonly invWidth: number;
  private readonly width: number;
  private readonly free: Int32Array;
  private freeCount = 0;
  private used = 0;
  private size = 0;
  /** Bucket being consumed and the end of its time window. */
  private cur = 0;
  private curEnd: number;
  now = 0;

  constructor(capacity: number, buckets: number, width: number) {
    this.time = new Float64Array(capacity);
    this.next = new Int32Array(capacity);
    this.fn = new Array<Callback | null>(capacity).fill(null);
    this.arg = new Array<unknown>(capacity).fill(undefined);
    this.free = new Int32Array(capacity);
    this.heads = new Int32Array(buckets).fill(NONE);
    this.mask = buckets - 1;
    this.width = width;
    this.invWidth = 1 / width;
    this.curEnd = width;
  }

  schedule(delay: number, fn: Callback, arg: unknown): void {
    const slot = this.freeCount > 0 ? this.free[--this.freeCount]! : this.used++;
    const t = this.now + delay;
    this.time[slot] = t;
    this.fn[slot] = fn;
    this.arg[slot] = arg;
    // Each bucket list is sorted by time: walk to the insertion point.
    const b = Math.floor(t * this.invWidth) & this.mask;
    const time = this.time;
    const next = this.next;
    let p = this.heads[b]!;
    if (p === NONE || time[p]! >= t) {
      next[slot] = p;
      this.heads[b] = slot;
    } else {
      let q = next[p]!;
      while (q !== NONE && time[q]! < t) {
        p = q;
        q = next[q]!;
      }
      next[slot] = q;
      next[p] = slot;
    }
    this.size++;
  }

  /** Runs up to `count` events; returns how many ran. */
  run(count: number): number {
    const time = this.time;
    const next = this.next;
    const heads = this.heads;
    const fns = this.fn;
    const args = this.arg;
    let ran = 0;
    let misses = 0;
    while (ran < count && this.size > 0) {
      const h = heads[this.cur]!;
      if (h !== NONE && time[h]! < this.curEnd) {
        heads[this.cur] = next[h]!;
        this.size--;
        this.now = time[h]!;
        const fn = fns[h]!;
        const a = args[h];
        this.free[this.freeCount++] = h;
        fn(a);
        ran++;
        misses = 0;
        continue;
      }
      this.cur = (this.cur + 1) & this.mask;
      this.curEnd += this.width;
      // A whole year without an event: jump to the earliest one (rare; Brown's direct search).
      if (++misses > this.mask) {
        this.jumpToEarliest();
        misses = 0;
      }
    }
    return ran;
  }

  private jumpToEarliest(): void {
    let best = Infinity;
    for (let b = 0; b <= this.mask; b++) {
      const h = this.heads[b]!;
      if (h !== NONE && this.time[h]! < best) best = this.time[h]!;
    }
    const k = Math.floor(best * this.invWidth);
    this.cur = k & this.mask;
    this.curEnd = (k + 1) * this.width;
  }
}

export function benchCalendarHold(opts: { pending?: number; events?: number; seed?: number } = {}): { name: string; pending: number } & Timing {
  const pending = opts.pending ?? 100_000;
  const events = opts.events ?? 5_000_000;
  const rng = new Rng(opts.seed ?? 1).fork("hold");
  let buckets = 1;
  while (buckets < 2 * pending) buckets *= 2;
  // Exp(1 ms) delays with `pending` events: about `pending` events per ms near the front.
  const q = new BareCalendar(pending + 1, buckets, 2 / pending);
  const hold = (): void => q.schedule(rng.exponential(1), hold, undefined);
  const { timing } = timePhases(
    null,
    () => {
      for (let i = 0; i < pending; i++) q.schedule(rng.exponential(1), hold, undefined);
      q.run(pending); // warm-up, as in hold.ts
    },
    () => {
      const ran = q.run(events);
      if (ran !== events) throw new Error(`calendar-hold: ran ${ran} of ${events} events`);
      return ran;
    },
  );
  return { name: "calendar-hold", pending, ...timing };
}
