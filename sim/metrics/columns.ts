/**
 * Column metadata: what each column of timeseries.csv measures, in which
 * unit, and its title in English and Korean. Written with the results as
 * columns.json, so the viewer (and anyone reading the CSV) draws a column a
 * new overlay or operation kind adds without code of its own.
 */

export type ColumnKind =
  /** The row's time or phase, not a measurement. */
  | "axis"
  /** Events counted over the row's interval. */
  | "count"
  /** A level at the end of the interval (peers online, items stored). */
  | "gauge"
  /** A fraction in [0, 1], shown as a percentage. */
  | "ratio"
  /** A duration statistic over the interval. */
  | "duration"
  /** A mean or other statistic over the interval. */
  | "statistic"
  /** Something per unit of time. */
  | "rate";

export interface ColumnMeta {
  /** "ms", "s", "1" (a fraction), "peers", "messages", "bytes", "msg/peer/s", "hops", ... or "" for plain numbers. */
  readonly unit: string;
  readonly kind: ColumnKind;
  readonly title: { readonly en: string; readonly ko: string };
}

const meta = (unit: string, kind: ColumnKind, en: string, ko: string): ColumnMeta => ({ unit, kind, title: { en, ko } });

/** The columns every run has (sim/metrics/recorder.ts). */
export const RECORDER_COLUMNS: Readonly<Record<string, ColumnMeta>> = {
  time_s: meta("s", "axis", "Time", "시간"),
  phase: meta("", "axis", "Phase", "구간"),
  live_peers: meta("peers", "gauge", "Live peers", "접속 중인 피어"),
  joins: meta("peers", "count", "Joins", "참여"),
  leaves: meta("peers", "count", "Leaves", "이탈"),
  crashes: meta("peers", "count", "Crashes", "고장"),
  lookups_started: meta("lookups", "count", "Lookups started", "시작한 검색"),
  lookups_succeeded: meta("lookups", "count", "Lookups succeeded", "성공한 검색"),
  lookups_failed: meta("lookups", "count", "Lookups failed", "실패한 검색"),
  success_ratio: meta("1", "ratio", "Lookup success", "검색 성공률"),
  latency_mean_ms: meta("ms", "duration", "Lookup latency, mean", "검색 지연, 평균"),
  latency_p50_ms: meta("ms", "duration", "Lookup latency, p50", "검색 지연, 중앙값"),
  latency_p90_ms: meta("ms", "duration", "Lookup latency, p90", "검색 지연, 90번째 백분위"),
  latency_p99_ms: meta("ms", "duration", "Lookup latency, p99", "검색 지연, 99번째 백분위"),
  hops_mean: meta("hops", "statistic", "Hops per lookup, mean", "검색당 홉 수, 평균"),
  messages_lookup: meta("messages", "count", "Lookup messages", "검색 메시지"),
  messages_maintenance: meta("messages", "count", "Maintenance messages", "유지 관리 메시지"),
  bytes_lookup: meta("bytes", "count", "Lookup bytes", "검색 바이트"),
  bytes_maintenance: meta("bytes", "count", "Maintenance bytes", "유지 관리 바이트"),
  messages_per_peer_per_s: meta("msg/peer/s", "rate", "Messages per peer per second", "피어당 초당 메시지"),
  messages_lost: meta("messages", "count", "Messages lost", "손실된 메시지"),
  messages_undelivered: meta("messages", "count", "Messages to offline peers", "오프라인 피어에게 간 메시지"),
  messages_broadcast: meta("messages", "count", "Broadcast messages", "브로드캐스트 메시지"),
  bytes_broadcast: meta("bytes", "count", "Broadcast bytes", "브로드캐스트 바이트"),
  items_stored: meta("items", "gauge", "Items stored", "저장된 항목"),
  items_available: meta("items", "gauge", "Items available", "접근 가능한 항목"),
  availability: meta("1", "ratio", "Availability", "가용성"),
  items_lost: meta("items", "gauge", "Items lost", "잃어버린 항목"),
};

/** "repair_bytes" → "Repair bytes": the fallback title of a column nobody described. */
function titleFromName(column: string): string {
  const words = column.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A unit and kind guessed from the name, for overlay counters and samples that declare none. */
function guessed(column: string): ColumnMeta {
  const title = titleFromName(column);
  if (column.endsWith("_ms")) return meta("ms", "duration", title, title);
  if (/(ratio|availability|utilisation)$/.test(column)) return meta("1", "ratio", title, title);
  if (column.includes("bytes")) return meta("bytes", "count", title, title);
  if (/messages|_msgs?$/.test(column)) return meta("messages", "count", title, title);
  if (/_mean$|^mean_/.test(column)) return meta("", "statistic", title, title);
  return meta("", "count", title, title);
}

/**
 * Metadata for every column of a time series, in header order: described
 * ones from `described` (the recorder's and each operation kind's), the rest
 * (overlay counters and samples) guessed from their names.
 */
export function describeColumns(header: readonly string[], described: Readonly<Record<string, ColumnMeta>>): Record<string, ColumnMeta> {
  const out: Record<string, ColumnMeta> = {};
  for (const column of header) out[column] = described[column] ?? RECORDER_COLUMNS[column] ?? guessed(column);
  return out;
}
