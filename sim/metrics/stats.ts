/** Small statistics helpers shared by the summary and the time series. */

/** Nearest-rank percentile (p in [0, 1]) of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.max(1, Math.ceil(p * n));
  return sorted[Math.min(n, rank) - 1]!;
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Rounds to `digits` decimals; keeps results files short and stable. NaN becomes null in JSON. */
export function round(x: number, digits = 6): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A ratio that is NaN (not 0) when nothing was counted: "no lookups" is not "all failed". */
export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? NaN : numerator / denominator;
}

/** A growable array of doubles, cheaper than number[] for millions of samples. */
export class DoubleList {
  private data = new Float64Array(256);
  length = 0;

  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }

  /** The values in the order pushed: a view, not a copy, valid until the next push or clear. */
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  /** A sorted copy (typed-array sort is numeric, no comparator needed). */
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }

  clear(): void {
    this.length = 0;
  }
}

/**
 * Wilson score interval (Wilson 1927) of a proportion: `successes` out of
 * `trials` at the normal quantile `z` (1.96 for 95 %). Unlike mean ± z·se it
 * never leaves [0, 1] and stays honest near 0 and 1 and for small counts;
 * both ends are NaN when nothing was counted.
 */
export function wilson(successes: number, trials: number, z = 1.959963984540054): { low: number; high: number } {
  if (!(trials > 0)) return { low: NaN, high: NaN };
  const p = Math.min(1, Math.max(0, successes / trials));
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // At p = 0 or 1 one end is exactly 0 or 1; rounding would leave it a hair inside.
  return { low: p === 0 ? 0 : Math.max(0, centre - half), high: p === 1 ? 1 : Math.min(1, centre + half) };
}

/** A confidence interval of something that is a fraction by definition, cut to [0, 1]. */
export function clampToUnit(low: number, high: number): { low: number; high: number } {
  return { low: Number.isFinite(low) ? Math.max(0, low) : low, high: Number.isFinite(high) ? Math.min(1, high) : high };
}
