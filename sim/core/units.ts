/**
 * Units in scenario files. Durations are written with a unit ("50ms", "30s",
 * "2h", "1.5d") and become milliseconds; rates are written per unit of time
 * ("10/s", "600/min") and become events per millisecond.
 */

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_PATTERN = /^\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(ms|s|min|m|h|d)\s*$/i;

/** Milliseconds for a duration like "30s", or undefined if `text` is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNITS_MS[match[2]!.toLowerCase()]!;
}

/** The shortest exact way to write `ms` with a unit: 90000 → "90s", 5400000 → "90m". */
export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = DURATION_UNITS_MS[unit]!;
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const RATE_PATTERN = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|min|m|h|d)\s*$/i;

/** Events per millisecond for a rate like "10/s" or "1/5m", or undefined if `text` is not one. */
export function parseRate(text: string): number | undefined {
  const match = RATE_PATTERN.exec(text);
  if (!match) return undefined;
  const per = match[2] === undefined ? 1 : Number(match[2]);
  if (!(per > 0)) return undefined;
  return Number(match[1]) / (per * DURATION_UNITS_MS[match[3]!.toLowerCase()]!);
}

/** Bytes for a size like "1kB", "512B", "2MiB"; plain numbers are bytes. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|kB|KB|KiB|MB|MiB|GB|GiB)?\s*$/.exec(text);
  if (!match) return undefined;
  const factor: Record<string, number> = {
    B: 1, kB: 1e3, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3,
  };
  return Math.round(Number(match[1]) * factor[match[2] ?? "B"]!);
}
