/** Summary statistics of samples, for tests that check distributions. */

export function meanOf(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function sdOf(xs: Float64Array): number {
  const m = meanOf(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

export function minOf(xs: Float64Array): number {
  let m = Infinity;
  for (const x of xs) m = Math.min(m, x);
  return m;
}

export function maxOf(xs: Float64Array): number {
  let m = -Infinity;
  for (const x of xs) m = Math.max(m, x);
  return m;
}

/** Fraction of samples below q. */
export function fractionBelow(xs: Float64Array, q: number): number {
  let c = 0;
  for (const x of xs) if (x < q) c++;
  return c / xs.length;
}
