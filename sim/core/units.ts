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

/** Bytes per second in one unit of a link rate: bits are 1/8 byte, k/M/G are powers of 1000, Ki/Mi/Gi of 1024. */
const BANDWIDTH_UNITS_BYTES_PER_S: Record<string, number> = {
  "bit/s": 1 / 8, "kbit/s": 1e3 / 8, "Mbit/s": 1e6 / 8, "Gbit/s": 1e9 / 8,
  bps: 1 / 8, kbps: 1e3 / 8, Mbps: 1e6 / 8, Gbps: 1e9 / 8,
  "B/s": 1, "kB/s": 1e3, "KB/s": 1e3, "MB/s": 1e6, "GB/s": 1e9,
  "KiB/s": 1024, "MiB/s": 1024 ** 2, "GiB/s": 1024 ** 3,
};

const BANDWIDTH_PATTERN = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([A-Za-z]+\/s|[kMG]?bps)\s*$/;

/** Bytes per second for a link rate like "20Mbit/s", "800kB/s" or "1.5Gbps", or undefined if `text` is not one (a unit is required). */
export function parseBandwidth(text: string): number | undefined {
  const match = BANDWIDTH_PATTERN.exec(text);
  if (!match) return undefined;
  const factor = BANDWIDTH_UNITS_BYTES_PER_S[match[2]!];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}

/** The units parseBandwidth accepts, for error messages. */
export const BANDWIDTH_UNITS = Object.keys(BANDWIDTH_UNITS_BYTES_PER_S);
