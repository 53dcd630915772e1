/**
 * A copy of `a` in a new array of `size` entries, the new ones set to
 * `fill`: how the typed-array tables (want ledgers, provider records,
 * connections, the max-min solver's lists) grow when full. Callers double
 * the size, so growing costs O(1) per entry amortised.
 */
export function grownInt32(a: Int32Array, size: number, fill = 0): Int32Array<ArrayBuffer> {
  const out = new Int32Array(size);
  out.set(a);
  if (fill !== 0) out.fill(fill, a.length);
  return out;
}
