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
  /** Per slot a 16-byte record, time = rec[2·slot], next = i32[4·slot + 2], so a list walk reads one cache line per event. */
  private readonly rec: Float64Array;
  private readonly i32: Int32Array;
  /** Callback at 2·slot, argument at 2·slot + 1. */
  private readonly payload: unknown[];
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
    this.rec = new Float64Array(2 * capacity);
    this.i32 = new Int32Array(this.rec.buffer);
    this.payload = [];
    for (let i = 0; i < capacity; i++) this.payload.push(null, undefined);
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
    const rec = this.rec;
    const i32 = this.i32;
    rec[2 * slot] = t;
    this.payload[2 * slot] = fn;
    this.payload[2 * slot + 1] = arg;
    // Each bucket list is sorted by time: walk to the insertion point.
    const b = Math.floor(t * this.invWidth) & this.mask;
    let p = this.heads[b]!;
    if (p === NONE || rec[2 * p]! >= t) {
      i32[4 * slot + 2] = p;
      this.heads[b] = slot;
    } else {
      let q = i32[4 * p + 2]!;
      while (q !== NONE && rec[2 * q]! < t) {
        p = q;
        q = i32[4 * q + 2]!;
      }
      i32[4 * slot + 2] = q;
      i32[4 * p + 2] = slot;
    }
    this.size++;
  }

  /** Runs up to `count` events; returns how many ran. */
  run(count: number): number {
    const rec = this.rec;
    const i32 = this.i32;
    const heads = this.heads;
    const payload = this.payload;
    let ran = 0;
    let misses = 0;
    while (ran < count && this.size > 0) {
      const h = heads[this.cur]!;
      if (h !== NONE && rec[2 * h]! < this.curEnd) {
        heads[this.cur] = i32[4 * h + 2]!;
        this.size--;
        this.now = rec[2 * h]!;
        const fn = payload[2 * h] as Callback;
        const a = payload[2 * h + 1];
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
      if (h !== NONE && this.rec[2 * h]! < best) best = this.rec[2 * h]!;
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
