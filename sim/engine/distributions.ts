/**
 * Random-variate samplers for durations: session lengths, offline times,
 * latencies. All values are milliseconds and never negative.
 *
 * Every sampler draws exactly ONE number from the rng per sample (inverse
 * transform sampling; "fixed" draws one too and ignores it). So the position of
 * a stream after k samples is the same whichever distribution a scenario
 * picks, and swapping e.g. a fixed session length for a Pareto one never shifts
 * the other numbers drawn from the same stream.
 *
 * Only +, -, *, /, Math.sqrt, Math.log, Math.exp, Math.pow and Math.sin are
 * used; V8 implements the transcendental ones with its own fdlibm port, so
 * results are bit-identical across platforms for a given Node version.
 */
import type { Rng } from "./rng.js";
import { nonNegative, positive } from "./param-checks.js";

export type DistributionSpec =
  | { distribution: "fixed"; value: number }
  | { distribution: "exponential"; mean: number }
  | { distribution: "uniform"; min: number; max: number }
  /** Pareto type I. `scale` is x_m, the minimum value; give `scale` or `mean` (a mean needs shape > 1). */
  | { distribution: "pareto"; shape: number; scale?: number; mean?: number }
  /** Give `scale` or `mean`; scale = mean / Γ(1 + 1/shape). */
  | { distribution: "weibull"; shape: number; scale?: number; mean?: number }
  /** median = e^mu; sigma is the standard deviation of the underlying normal. */
  | { distribution: "lognormal"; median: number; sigma: number };

export interface Sampler {
  /** The distribution's mean (Infinity for a Pareto with shape ≤ 1). */
  readonly mean: number;
  /** One variate; draws exactly one number from `rng`. */
  sample(rng: Rng): number;
}

/** Builds a sampler; throws an Error naming the bad parameter if `spec` is invalid. */
export function makeSampler(spec: DistributionSpec): Sampler {
  // `spec` may come from parsed YAML, so check the tag at runtime too.
  const kind = (spec as { distribution?: unknown } | null)?.distribution;
  const ctx = `${String(kind)} distribution`;
  switch (spec?.distribution) {
    case "fixed": {
      const value = nonNegative(ctx, "value", spec.value);
      return {
        mean: value,
        sample(rng) {
          rng.next(); // keep the one-draw-per-sample invariant
          return value;
        },
      };
    }
    case "exponential": {
      const mean = positive(ctx, "mean", spec.mean);
      // Same formula as Rng.exponential: 1 - u lies in (0, 1], so the log is finite.
      return { mean, sample: (rng) => -mean * Math.log(1 - rng.next()) };
    }
    case "uniform": {
      const min = nonNegative(ctx, "min", spec.min);
      const max = nonNegative(ctx, "max", spec.max);
      if (min > max) throw new Error(`${ctx}: min (${min}) must be ≤ max (${max})`);
      return { mean: (min + max) / 2, sample: (rng) => min + (max - min) * rng.next() };
    }
    case "pareto": {
      const shape = positive(ctx, "shape", spec.shape);
      const scale = scaleOrMean(ctx, spec.scale, spec.mean, (mean) => {
        // E[X] = shape·x_m / (shape − 1) for shape > 1, infinite otherwise.
        if (shape <= 1) throw new Error(`${ctx}: "mean" needs shape > 1 (the mean is infinite for shape ≤ 1), got shape ${shape}`);
        return (mean * (shape - 1)) / shape;
      });
      const mean = shape > 1 ? (shape * scale) / (shape - 1) : Infinity;
      const invShape = 1 / shape;
      // Inverse CDF: F(x) = 1 − (x_m/x)^shape  ⇒  x = x_m · v^(−1/shape), v = 1 − u ∈ (0, 1].
      return { mean, sample: (rng) => scale * Math.pow(1 - rng.next(), -invShape) };
    }
    case "weibull": {
      const shape = positive(ctx, "shape", spec.shape);
      const meanFactor = gammaFunction(1 + 1 / shape); // E[X] = scale · Γ(1 + 1/shape)
      const scale = scaleOrMean(ctx, spec.scale, spec.mean, (mean) => mean / meanFactor);
      const invShape = 1 / shape;
      // Inverse CDF: F(x) = 1 − exp(−(x/scale)^shape)  ⇒  x = scale · (−ln(1 − u))^(1/shape).
      return { mean: scale * meanFactor, sample: (rng) => scale * Math.pow(-Math.log(1 - rng.next()), invShape) };
    }
    case "lognormal": {
      const median = positive(ctx, "median", spec.median);
      const sigma = nonNegative(ctx, "sigma", spec.sigma);
      // X = e^(mu + sigma·Z) with median e^mu, so E[X] = median · e^(sigma²/2).
      return {
        mean: median * Math.exp((sigma * sigma) / 2),
        sample: (rng) => median * Math.exp(sigma * standardNormal(rng)),
      };
    }
    default:
      throw new Error(
        `unknown distribution ${JSON.stringify(kind)}; expected one of fixed, exponential, uniform, pareto, weibull, lognormal`,
      );
  }
}

/**
 * A standard normal variate from ONE uniform draw, by inverting the normal CDF
 * with Wichura's algorithm AS 241 (PPND16, Applied Statistics 37(3):477–484,
 * 1988; relative accuracy about 1e-16).
 *
 * Rng.next() has 2^-32 resolution, so results lie within about ±6.2: the
 * normal tail beyond that (probability ~5e-10) is never produced.
 */
export function standardNormal(rng: Rng): number {
  let p = rng.next();
  if (p === 0) p = 2 ** -33; // u = 0 would map to −∞; use half a step instead
  return inverseNormalCdf(p);
}

/** Φ⁻¹(p) for p in (0, 1), AS 241 PPND16. */
function inverseNormalCdf(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r + 6.7265770927008700853e4) * r +
          4.5921953931549871457e4) * r + 1.3731693765509461125e4) * r + 1.9715909503065514427e3) * r +
          1.3314166789178437745e2) * r + 3.387132872796366608)) /
      (((((((5.226495278852854561e3 * r + 2.8729085735721942674e4) * r + 3.930789580009271061e4) * r +
        2.1213794301586595867e4) * r + 5.3941960214247511077e3) * r + 6.871870074920579083e2) * r +
        4.2313330701600911252e1) * r + 1)
    );
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let z: number;
  if (r <= 5) {
    r -= 1.6;
    z =
      (((((((7.7454501427834140764e-4 * r + 2.27238449892691845833e-2) * r + 2.4178072517745061177e-1) * r +
        1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
        4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 1.51986665636164571966e-2) * r +
        1.4810397642748007459e-1) * r + 6.8976733498510000455e-1) * r + 1.6763848301838038494) * r +
        2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    z =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.2426609473880784386e-3) * r +
        2.6532189526576123093e-2) * r + 2.9656057182850489123e-1) * r + 1.7848265399172913358) * r +
        5.4637849111641143699) * r + 6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) * r + 1.48753612908506148525e-2) * r + 1.3692988092273580531e-1) * r +
        5.9983220655588793769e-1) * r + 1);
  }
  return q < 0 ? -z : z;
}

// Lanczos approximation with g = 7, n = 9 (the widely used coefficient set,
// see e.g. Wikipedia "Lanczos approximation"); relative error ~1e-15.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * Γ(x): exact factorials at positive integers, otherwise the Lanczos
 * approximation (relative error ~1e-15, ~1e-13 near the overflow at 171), with the
 * reflection formula Γ(x)·Γ(1−x) = π / sin(πx) for x < 1/2. NaN at the poles
 * (0, −1, −2, ...), Infinity above ~171.6 where Γ overflows a double.
 */
export function gammaFunction(x: number): number {
  if (Number.isNaN(x) || (x <= 0 && Number.isInteger(x))) return NaN;
  if (x === Infinity) return Infinity;
  if (Number.isInteger(x) && x <= 171) {
    // Exact (n−1)! (exact in doubles up to 22!), so e.g. a Weibull with
    // shape 1 has exactly the mean of the exponential it is.
    let f = 1;
    for (let k = 2; k < x; k++) f *= k;
    return f;
  }
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gammaFunction(1 - x));
  x -= 1;
  let a = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (x + i);
  const t = x + LANCZOS_G + 0.5;
  // t^(x+½) is split in two halves so it doesn't overflow before e^−t shrinks it.
  const half = Math.pow(t, (x + 0.5) / 2);
  return Math.sqrt(2 * Math.PI) * half * Math.exp(-t) * half * a;
}

/**
 * Zipf ranks: P(rank k) ∝ 1 / (k+1)^s for k = 0..n−1, so rank 0 is the most
 * popular and s = 0 is uniform. Keeps the CDF in a Float64Array (8 bytes per
 * rank, fine up to n ~ 10^7) and samples with one draw: a guide table (Chen &
 * Asau 1974) names, for each of n/8 equal slices of [0, 1), the first rank
 * whose CDF passes the slice's start, and a short forward scan from there
 * (a few entries, usually one cache line) finds the same rank a binary search
 * would, where a binary search over a million ranks took twenty cache misses.
 *
 * For s = 0 (uniform keys) and n ≤ 2^21 there is no table at all: the rank
 * is floor(u·n), the same rank the CDF search finds (see `uniformRankIsExact`),
 * without the two cache misses (guide and CDF, 8 MB at a million keys) that
 * search costs per sample.
 */
export class ZipfSampler {
  readonly n: number;
  readonly s: number;
  // cdf[k] = P(rank ≤ k); cdf[n−1] is exactly 1.
  private readonly cdf: Float64Array;
  private readonly norm: number; // Σ_k (k+1)^−s
  /** guide[j] = the smallest k with cdf[k] > j / g (g = guide.length): where the scan for a u in [j/g, (j+1)/g) starts. */
  private readonly guide: Int32Array;

  /** s = 0 and n small enough that floor(u·n) is the rank: no CDF is kept. */
  private readonly uniform: boolean;

  constructor(n: number, s: number) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`Zipf: n must be an integer ≥ 1, got ${n}`);
    this.s = nonNegative("Zipf", "s", s);
    this.n = n;
    this.uniform = uniformRankIsExact(n, s);
    if (this.uniform) {
      this.norm = n; // a sum of n ones
      this.cdf = new Float64Array(0);
      this.guide = new Int32Array(0);
      return;
    }
    this.cdf = new Float64Array(n);
    // Kahan summation keeps the prefix sums accurate to ~1e-16 even for n = 10^6.
    let sum = 0;
    let comp = 0;
    for (let k = 0; k < n; k++) {
      const y = Math.pow(k + 1, -s) - comp;
      const t = sum + y;
      comp = t - sum - y;
      sum = t;
      this.cdf[k] = sum;
    }
    this.norm = sum;
    for (let k = 0; k < n; k++) this.cdf[k] /= sum;
    this.cdf[n - 1] = 1; // so every u in [0, 1) finds a rank
    const g = Math.max(1, n >> 3);
    this.guide = new Int32Array(g);
    for (let j = 0, k = 0; j < g; j++) {
      while (this.cdf[k]! <= j / g) k++;
      this.guide[j] = k;
    }
  }

  /** A rank in 0..n−1; draws exactly one number from `rng`. */
  sample(rng: Rng): number {
    const u = rng.next();
    if (this.uniform) return Math.floor(u * this.n);
    // The smallest k with cdf[k] > u: start at the guide's entry for u's slice, step back if rounding
    // put u in the slice above its own, then forward. The CDF never decreases, so this is exact.
    const cdf = this.cdf;
    const guide = this.guide;
    let k = guide[Math.min(guide.length - 1, Math.floor(u * guide.length))]!;
    while (k > 0 && cdf[k - 1]! > u) k--;
    while (cdf[k]! <= u) k++;
    return k;
  }

  /** P(rank); 0 for anything that is not an integer in 0..n−1. */
  probability(rank: number): number {
    if (!Number.isInteger(rank) || rank < 0 || rank >= this.n) return 0;
    return Math.pow(rank + 1, -this.s) / this.norm;
  }
}

/**
 * Whether a uniform Zipf sampler (s = 0) may return floor(u·n) instead of
 * searching its CDF, cdf[k] = fl((k+1)/n) (the Kahan sum of k+1 ones is
 * exact), for the same rank. It may when n ≤ 2^21, because Rng.next() returns
 * multiples of 2^-32 (Alea's state is kept in 32-bit fractions): with
 * u = m·2^-32, u·n is exact (m·n < 2^53), and (k+1)/n differs from u by 0 or
 * by at least 1/(n·2^32) ≥ 2^-53, more than half an ulp of any number below 1,
 * so rounding never moves (k+1)/n across u: cdf[k] > u exactly when
 * (k+1)/n > u, i.e. when k ≥ floor(u·n).
 */
export function uniformRankIsExact(n: number, s: number): boolean {
  return s === 0 && n <= 2 ** 21;
}

// ---- parameter checks ------------------------------------------------------




/** Exactly one of scale / mean must be given; returns the scale. */
function scaleOrMean(
  ctx: string,
  scale: number | undefined,
  mean: number | undefined,
  scaleFromMean: (mean: number) => number,
): number {
  if (scale !== undefined && mean !== undefined) throw new Error(`${ctx}: give "scale" or "mean", not both`);
  if (scale !== undefined) return positive(ctx, "scale", scale);
  if (mean !== undefined) return scaleFromMean(positive(ctx, "mean", mean));
  throw new Error(`${ctx}: give "scale" or "mean"`);
}
