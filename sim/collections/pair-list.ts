import { grownInt32 } from "./grow.js";

/**
 * A list of integer pairs (first, second) in the order they were pushed, in
 * one typed array that keeps its room when the list empties. Lists that fill
 * and empty over and over (what a blockchain node has heard of the block it
 * is fetching, block after block) then allocate nothing once grown, where a
 * JS array emptied by `length = 0` drops its storage and grows it again from
 * scratch each time.
 *
 * Callers that filter the list walk `data` and set `size` themselves.
 */
export class PairList {
  /** first₀, second₀, first₁, second₁, …; only the first 2 · size entries count. */
  data = new Int32Array(16);
  /** Number of pairs. */
  size = 0;

  push(first: number, second: number): void {
    const n = 2 * this.size;
    if (n === this.data.length) this.data = grownInt32(this.data, 2 * n);
    this.data[n] = first;
    this.data[n + 1] = second;
    this.size++;
  }

  /** True if (first, second) is in the list. */
  has(first: number, second: number): boolean {
    const data = this.data;
    const end = 2 * this.size;
    for (let i = 0; i < end; i += 2) if (data[i] === first && data[i + 1] === second) return true;
    return false;
  }

  clear(): void {
    this.size = 0;
  }
}
