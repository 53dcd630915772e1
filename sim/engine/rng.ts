import seedrandom from "seedrandom";

/**
 * A seeded stream of random numbers.
 *
 * Every component draws from its own named stream (`root.fork("churn")`,
 * `root.fork("overlay")`, ...). A stream's numbers depend only on the scenario
 * seed and the stream's path of names, so adding draws in one component never
 * shifts the numbers another component sees.
 *
 * The generator is seedrandom's Alea: fast, 2^116 period, and identical on
 * every platform because it uses only 32-bit integer and exact double arithmetic.
 */
export class Rng {
  /** The path of names that identifies this stream, e.g. "42/workload/keys". */
  readonly path: string;
  private readonly prng: () => number;

  constructor(seed: number | string, path?: string) {
    this.path = path ?? String(seed);
    this.prng = seedrandom.alea(this.path);
  }

  /** An independent stream named `name` below this one. */
  fork(name: string): Rng {
    if (name.length === 0 || name.includes("/")) {
      throw new Error(`Rng.fork: stream name must be non-empty and contain no "/", got ${JSON.stringify(name)}`);
    }
    return new Rng(0, `${this.path}/${name}`);
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** A uniform number in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.prng();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.prng() < p;
  }

  /** An exponentially distributed number with the given mean. */
  exponential(mean: number): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -mean * Math.log(1 - this.prng());
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.prng() * items.length)]!;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /**
   * Up to `k` distinct elements of `items`, chosen uniformly, in random order.
   * Leaves `items` untouched.
   */
  sample<T>(items: readonly T[], k: number): T[] {
    const n = items.length;
    if (k >= n) return this.shuffle(items.slice());
    // Partial Fisher–Yates over an index map, so cost is O(k) not O(n).
    const swapped = new Map<number, number>();
    const out: T[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.prng() * (n - i));
      const vj = swapped.get(j) ?? j;
      const vi = swapped.get(i) ?? i;
      swapped.set(j, vi);
      out.push(items[vj]!);
    }
    return out;
  }
}
