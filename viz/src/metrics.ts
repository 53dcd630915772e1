import { columnTitle, columnUnit, type UnitKey } from "./columns.js";
import { t, type Key } from "./i18n.js";

/**
 * How a time-series column or summary figure is shown: its name, its unit,
 * and a scale (fractions are shown as percentages).
 */
export interface MetricDef {
  /** timeseries.csv column. */
  column: string;
  title: Key | null;
  unit: Key | null;
  /** Multiply values by this for display (100 for fractions shown in %). */
  scale: number;
}

/** The headline time-series columns, drawn for every run that has them, in this order. */
export const HEADLINE: readonly MetricDef[] = [
  { column: "success_ratio", title: "successRatio", unit: "uPercent", scale: 100 },
  { column: "latency_p50_ms", title: "latencyP50", unit: "uMs", scale: 1 },
  { column: "latency_p90_ms", title: "latencyP90", unit: "uMs", scale: 1 },
  { column: "latency_p99_ms", title: "latencyP99", unit: "uMs", scale: 1 },
  { column: "hops_mean", title: "hopsMean", unit: "uHops", scale: 1 },
  { column: "messages_per_peer_per_s", title: "messagesPerPeer", unit: "uMsgPeerS", scale: 1 },
  { column: "live_peers", title: "livePeers", unit: "uPeers", scale: 1 },
  { column: "availability", title: "availability", unit: "uPercent", scale: 100 },
  // Runs with network.bandwidth (sim/network/meter.ts); other runs have no such column and draw no chart.
  { column: "throughput_bytes_per_second", title: "throughput", unit: "uBytesS", scale: 1 },
  { column: "upload_mean_utilisation", title: "uploadUtilisation", unit: "uPercent", scale: 100 },
];

/** Columns that are not measurements. */
export const NOT_METRICS = new Set(["time_s", "phase", "scenario", "variant", "seed"]);

const UNIT_KEYS: Record<UnitKey, Key> = {
  percent: "uPercent",
  ms: "uMs",
  s: "uS",
  hops: "uHops",
  messages: "uMessages",
  msgPeerS: "uMsgPeerS",
  peers: "uPeers",
  lookups: "uLookups",
  bytes: "uBytes",
};

/** Any other column: its title from the column table, its unit from the table or its suffix. */
export function metricDef(column: string): MetricDef {
  const known = HEADLINE.find((m) => m.column === column);
  if (known) return known;
  const unit = columnUnit(column);
  if (unit) return { column, title: null, unit: UNIT_KEYS[unit], scale: unit === "percent" ? 100 : 1 };
  if (/_s$/.test(column)) return { column, title: null, unit: "uS", scale: 1 };
  if (/^messages|_messages$/.test(column)) return { column, title: null, unit: "uMessages", scale: 1 };
  if (/peers|^joins$|^leaves$|^crashes$/.test(column)) return { column, title: null, unit: "uPeers", scale: 1 };
  if (/^lookups_/.test(column)) return { column, title: null, unit: "uLookups", scale: 1 };
  return { column, title: null, unit: null, scale: 1 };
}

export function metricTitle(m: MetricDef): string {
  return m.title ? t(m.title) : columnTitle(m.column);
}

/**
 * The headline figures of a comparison or sweep, drawn as small multiples, in this order; a
 * figure no run reports is left out, so lookups lead for lookup overlays, download times for a
 * swarm against a server, and spread times for broadcasts.
 */
export const STORY_METRICS: readonly string[] = [
  "success_ratio",
  "latency_p50_ms",
  "latency_p99_ms",
  "messages_per_lookup",
  "download_time_mean_ms",
  "distribution_time_s",
  "t_over_t_min",
  "upload_utilisation_mean",
  "broadcast_t90_p50_ms",
  "broadcast_coverage_mean",
  "maintenance_messages_per_peer_per_s",
  "availability_mean",
  "hops_mean",
];

/** "Lookup latency, p50 (ms)". */
export function axisLabel(title: string, unit: Key | null): string {
  return unit ? `${title} (${t(unit)})` : title;
}

/** Summary figures compared across runs in the bar charts: path in summary.json, title, unit, scale. */
export const SUMMARY_BARS: readonly { path: string[]; title: Key; unit: Key; scale: number }[] = [
  { path: ["lookups", "successRatio"], title: "successRatio", unit: "uPercent", scale: 100 },
  { path: ["lookups", "latencyMs", "p50"], title: "latencyP50", unit: "uMs", scale: 1 },
  { path: ["lookups", "latencyMs", "p99"], title: "latencyP99", unit: "uMs", scale: 1 },
  { path: ["lookups", "hops", "mean"], title: "hopsMean", unit: "uHops", scale: 1 },
  { path: ["lookups", "messagesPerLookup"], title: "messagesPerLookup", unit: "uMessages", scale: 1 },
  { path: ["traffic", "messagesPerPeerPerSecond"], title: "messagesPerPeer", unit: "uMsgPeerS", scale: 1 },
  { path: ["peers", "liveMean"], title: "livePeers", unit: "uPeers", scale: 1 },
];

export function pick(obj: unknown, path: readonly string[]): number | null {
  let v: any = obj;
  for (const p of path) v = v?.[p];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** A readable number: up to 4 significant digits, no exponent for everyday sizes. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return x.toExponential(2);
  if (Number.isInteger(x)) return x.toLocaleString("en-US");
  return Number(x.toPrecision(4)).toLocaleString("en-US", { maximumFractionDigits: 4 });
}
