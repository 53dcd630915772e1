import { grownInt32 } from "../../collections/grow.js";
import { PairIndex } from "../../collections/pair-index.js";

/**
 * The latest arrival time scheduled per (sender, receiver) pair that has
 * deliveries on the way (see Carrier: deliveries between two peers keep
 * their order). Typed arrays rather than a Map keyed by sender · 2^26 +
 * receiver: that key is a double beyond V8's small integers, so the map
 * boxed one per transfer, and a block's spread makes a transfer per node.
 */
export class LastArrivals {
  /** (sender, receiver) → index into `times`. */
  private readonly index = new PairIndex(1024);
  private times = new Float64Array(1024);
  private free = new Int32Array(1024);
  private freeCount = 0;
  private used = 0;

  /** The latest arrival scheduled from `from` to `to`, or 0 if none is on the way (times are never negative). */
  latest(from: number, to: number): number {
    const i = this.index.get(from, to);
    return i < 0 ? 0 : this.times[i]!;
  }

  set(from: number, to: number, atMs: number): void {
    let i = this.index.get(from, to);
    if (i < 0) {
      i = this.take();
      this.index.set(from, to, i);
    }
    this.times[i] = atMs;
  }

  /** Forgets the pair if its latest arrival is `atMs` (the delivery arriving now was the last one on the way). */
  deleteIfLast(from: number, to: number, atMs: number): void {
    const i = this.index.get(from, to);
    if (i < 0 || this.times[i] !== atMs) return;
    this.index.delete(from, to);
    this.free[this.freeCount++] = i;
  }

  private take(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    const i = this.used++;
    if (i === this.times.length) {
      const times = new Float64Array(2 * i);
      times.set(this.times);
      this.times = times;
      this.free = grownInt32(this.free, 2 * i);
    }
    return i;
  }
}
