/**
 * Wilson score interval of a proportion (Wilson 1927), for a run's lookup
 * success: never outside [0, 1], honest near 0 and 1. The same formula as
 * sim/metrics/stats.ts (the viewer reads result files only and does not
 * import the simulator).
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
