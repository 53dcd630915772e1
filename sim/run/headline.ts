/**
 * The headline metrics of a run: the few numbers from summary.json that
 * comparison.csv, runs.csv and aggregate.csv put side by side (docs/results.md
 * documents them). One list serves all three files and the terminal tables.
 */

import type { ColumnKind, ColumnMeta } from "../metrics/columns.js";

const meta = (unit: string, kind: ColumnKind, en: string, ko: string): ColumnMeta => ({ unit, kind, title: { en, ko } });

/** summary.json as far as the headline needs it. */
export interface SummaryLike {
  lookups: {
    completed: number;
    successRatio: number | null;
    latencyMs: { mean: number | null; p50: number | null; p99: number | null };
    hops: { mean: number | null };
    messagesPerLookup: number | null;
    bytesPerLookup: number | null;
  };
  traffic: {
    messagesPerPeerPerSecond: number | null;
    lookupMessagesPerPeerPerSecond: number | null;
    maintenanceMessagesPerPeerPerSecond: number | null;
    bytesPerPeerPerSecond: number | null;
  };
  peers: { liveMean: number | null };
  /** Only for runs that store items (DHT put/get, replicated files). */
  storage?: { availabilityMean: number | null; itemsLost: number | null };
  /** Only for runs that broadcast (workload.broadcasts). */
  broadcasts?: {
    coverage: { mean: number | null };
    timeToMs: { p90: { p50: number | null }; p100: { p50: number | null } };
    messagesPerPeer: number | null;
  };
  /** Only for overlays that report downloads (OverlayDefinition.downloads). */
  downloads?: { completed: number; timeMs: { mean: number | null; p90: number | null; max: number | null } };
  /** Overlay-specific figures (definition and overlay summaries); the distribution-time ones are headline columns. */
  overlay?: Record<string, number | null>;
  /** Only for runs with network.bandwidth. */
  bandwidth?: {
    throughputBytesPerSecond: number | null;
    transfersAborted: number;
    transferTimeMs: { mean: number | null; p90: number | null };
    uploadUtilisation: { mean: number | null };
  };
}

export interface HeadlineMetric {
  /** Column name in the CSV files. */
  column: string;
  /** Short heading for the terminal table. */
  heading: string;
  /** Unit, kind and title in English and Korean, written beside the tables as columns.json so the viewer can name the column. */
  meta: ColumnMeta;
  get(summary: SummaryLike): number | null;
  /** Decimals shown in the terminal (the CSV files keep summary.json's precision). */
  digits: number;
  /** Multiplier for the terminal (100 shows a ratio as a percentage). */
  scale?: number;
  /** A fraction of something (success, availability, coverage): its confidence interval is cut to [0, 1]. */
  fraction?: true;
}

export const HEADLINE: readonly HeadlineMetric[] = [
  { column: "lookups_completed", heading: "lookups", meta: meta("lookups", "count", "Lookups completed", "완료한 조회"), get: (s) => s.lookups.completed, digits: 0 },
  { column: "success_ratio", heading: "success %", meta: meta("1", "ratio", "Lookup success", "조회 성공률"), get: (s) => s.lookups.successRatio, digits: 1, scale: 100, fraction: true },
  { column: "latency_mean_ms", heading: "latency ms", meta: meta("ms", "duration", "Latency, mean", "지연 시간, 평균"), get: (s) => s.lookups.latencyMs.mean, digits: 0 },
  { column: "latency_p50_ms", heading: "p50 ms", meta: meta("ms", "duration", "Latency, median (p50)", "지연 시간, 중앙값(p50)"), get: (s) => s.lookups.latencyMs.p50, digits: 0 },
  { column: "latency_p99_ms", heading: "p99 ms", meta: meta("ms", "duration", "Latency, p99", "지연 시간, p99"), get: (s) => s.lookups.latencyMs.p99, digits: 0 },
  { column: "hops_mean", heading: "hops", meta: meta("hops", "statistic", "Hops per lookup", "조회당 홉 수"), get: (s) => s.lookups.hops.mean, digits: 2 },
  { column: "messages_per_lookup", heading: "msgs/lookup", meta: meta("messages", "statistic", "Messages per lookup", "조회당 메시지"), get: (s) => s.lookups.messagesPerLookup, digits: 1 },
  { column: "bytes_per_lookup", heading: "bytes/lookup", meta: meta("bytes", "statistic", "Bytes per lookup", "조회당 바이트"), get: (s) => s.lookups.bytesPerLookup, digits: 0 },
  { column: "messages_per_peer_per_s", heading: "msgs/peer/s", meta: meta("msg/peer/s", "rate", "Messages per peer per second", "피어당 초당 메시지"), get: (s) => s.traffic.messagesPerPeerPerSecond, digits: 3 },
  { column: "lookup_messages_per_peer_per_s", heading: "lookup msgs/peer/s", meta: meta("msg/peer/s", "rate", "Lookup messages per peer per second", "피어당 초당 조회 메시지"), get: (s) => s.traffic.lookupMessagesPerPeerPerSecond, digits: 3 },
  { column: "maintenance_messages_per_peer_per_s", heading: "maint. msgs/peer/s", meta: meta("msg/peer/s", "rate", "Maintenance traffic per peer", "피어당 유지 보수 트래픽"), get: (s) => s.traffic.maintenanceMessagesPerPeerPerSecond, digits: 3 },
  { column: "bytes_per_peer_per_s", heading: "bytes/peer/s", meta: meta("bytes/peer/s", "rate", "Bytes per peer per second", "피어당 초당 바이트"), get: (s) => s.traffic.bytesPerPeerPerSecond, digits: 0 },
  { column: "live_peers_mean", heading: "peers", meta: meta("peers", "statistic", "Peers online, mean", "온라인 피어, 평균"), get: (s) => s.peers.liveMean, digits: 0 },
  { column: "availability_mean", heading: "availability %", meta: meta("1", "ratio", "Data availability", "데이터 가용성"), get: (s) => s.storage?.availabilityMean ?? null, digits: 1, scale: 100, fraction: true },
  { column: "items_lost", heading: "items lost", meta: meta("items", "count", "Items lost for good", "영구 손실 항목"), get: (s) => s.storage?.itemsLost ?? null, digits: 0 },
];

/**
 * What broadcasts add to the headline, in tables whose runs broadcast (other
 * tables keep their columns): coverage, the median time to 90 % and to every
 * peer, and messages per peer per broadcast.
 */
export const BROADCAST_HEADLINE: readonly HeadlineMetric[] = [
  { column: "broadcast_coverage_mean", heading: "coverage %", meta: meta("1", "ratio", "Broadcast coverage", "브로드캐스트 도달률"), get: (s) => s.broadcasts?.coverage.mean ?? null, digits: 1, scale: 100, fraction: true },
  { column: "broadcast_t90_p50_ms", heading: "90 % after ms", meta: meta("ms", "duration", "Time to reach 90 % of peers (median)", "피어 90 %에 도달한 시간 (중앙값)"), get: (s) => s.broadcasts?.timeToMs.p90.p50 ?? null, digits: 0 },
  { column: "broadcast_t100_p50_ms", heading: "all after ms", meta: meta("ms", "duration", "Time to reach every peer (median)", "모든 피어에 도달한 시간 (중앙값)"), get: (s) => s.broadcasts?.timeToMs.p100.p50 ?? null, digits: 0 },
  { column: "broadcast_messages_per_peer", heading: "bcast msgs/peer", meta: meta("messages", "statistic", "Messages per peer per broadcast", "브로드캐스트당 피어당 메시지"), get: (s) => s.broadcasts?.messagesPerPeer ?? null, digits: 2 },
];

/** What bandwidth adds to the headline, in tables whose runs have network.bandwidth (other tables keep their columns). */
export const BANDWIDTH_HEADLINE: readonly HeadlineMetric[] = [
  { column: "throughput_bytes_per_s", heading: "bytes/s", meta: meta("bytes/s", "rate", "Throughput", "처리량"), get: (s) => s.bandwidth?.throughputBytesPerSecond ?? null, digits: 0 },
  { column: "transfer_time_mean_ms", heading: "transfer ms", meta: meta("ms", "duration", "Transfer time, mean", "전송 시간, 평균"), get: (s) => s.bandwidth?.transferTimeMs.mean ?? null, digits: 0 },
  { column: "transfer_time_p90_ms", heading: "transfer p90 ms", meta: meta("ms", "duration", "Transfer time, p90", "전송 시간, p90"), get: (s) => s.bandwidth?.transferTimeMs.p90 ?? null, digits: 0 },
  { column: "transfers_aborted", heading: "cut", meta: meta("transfers", "count", "Transfers cut off", "끊긴 전송"), get: (s) => s.bandwidth?.transfersAborted ?? null, digits: 0 },
  { column: "upload_utilisation_mean", heading: "upload use %", meta: meta("1", "ratio", "Upload capacity in use", "사용 중인 업로드 용량"), get: (s) => s.bandwidth?.uploadUtilisation.mean ?? null, digits: 1, scale: 100 },
];

/** What downloads add to the headline, in tables whose runs report downloads (other tables keep their columns). */
export const DOWNLOAD_HEADLINE: readonly HeadlineMetric[] = [
  { column: "downloads_completed", heading: "downloads", meta: meta("downloads", "count", "Downloads completed", "완료한 다운로드"), get: (s) => s.downloads?.completed ?? null, digits: 0 },
  { column: "download_time_mean_ms", heading: "download ms", meta: meta("ms", "duration", "Download time, mean", "다운로드 시간, 평균"), get: (s) => s.downloads?.timeMs.mean ?? null, digits: 0 },
  { column: "download_time_p90_ms", heading: "download p90 ms", meta: meta("ms", "duration", "Download time, p90", "다운로드 시간, p90"), get: (s) => s.downloads?.timeMs.p90 ?? null, digits: 0 },
  { column: "download_time_max_ms", heading: "download max ms", meta: meta("ms", "duration", "Download time, longest", "다운로드 시간, 최대"), get: (s) => s.downloads?.timeMs.max ?? null, digits: 0 },
];

/**
 * The time to give every peer a file against the Kumar–Ross minimum
 * (summary.json overlay.distributionTimeS, tMinS, ...), in tables whose runs
 * report it (the bittorrent overlay), so a sweep over N charts both curves.
 */
export const DISTRIBUTION_HEADLINE: readonly HeadlineMetric[] = [
  { column: "distribution_time_s", heading: "T s", meta: meta("s", "duration", "Time until every peer has the file", "모든 피어가 파일을 받기까지의 시간"), get: (s) => s.overlay?.distributionTimeS ?? null, digits: 1 },
  { column: "t_min_s", heading: "T_min s", meta: meta("s", "duration", "Shortest possible time (T_min)", "가능한 최단 시간 (T_min)"), get: (s) => s.overlay?.tMinS ?? null, digits: 1 },
  { column: "t_over_t_min", heading: "T/T_min", meta: meta("", "statistic", "Time against the shortest possible (T/T_min)", "최단 시간 대비 (T/T_min)"), get: (s) => s.overlay?.tOverTMin ?? null, digits: 3 },
  { column: "t_min_client_server_s", heading: "T_min c-s s", meta: meta("s", "duration", "Shortest time from a server alone", "서버 혼자일 때의 최단 시간"), get: (s) => s.overlay?.tMinClientServerS ?? null, digits: 1 },
  { column: "t_min_peer_to_peer_s", heading: "T_min p2p s", meta: meta("s", "duration", "Shortest time peer to peer", "P2P일 때의 최단 시간"), get: (s) => s.overlay?.tMinPeerToPeerS ?? null, digits: 1 },
];

/**
 * Transaction relay (the blockchain overlay's `transactions`; summary.json
 * overlay.txReach90P50Ms, ...), in tables whose runs relay transactions, so
 * variants of the trickle interval show its trade-off: how fast a transaction
 * spreads against how many announcements it costs.
 */
export const TRANSACTION_HEADLINE: readonly HeadlineMetric[] = [
  { column: "tx_reach_50_p50_ms", heading: "tx 50 % ms", meta: meta("ms", "duration", "Transaction reaches half the nodes, median", "트랜잭션이 노드 절반에 닿는 시간, 중앙값"), get: (s) => s.overlay?.txReach50P50Ms ?? null, digits: 0 },
  { column: "tx_reach_90_p50_ms", heading: "tx 90 % ms", meta: meta("ms", "duration", "Transaction reaches 90 % of nodes, median", "트랜잭션이 노드 90 %에 닿는 시간, 중앙값"), get: (s) => s.overlay?.txReach90P50Ms ?? null, digits: 0 },
  { column: "tx_inv_messages_per_node", heading: "tx invs/node", meta: meta("messages", "count", "Transaction announcements (inv) per node", "노드당 트랜잭션 알림(inv) 수"), get: (s) => s.overlay?.txInvMessagesPerNode ?? null, digits: 0 },
  { column: "tx_traffic_share", heading: "tx traffic %", meta: meta("1", "ratio", "Share of traffic that is transaction relay", "트래픽 중 트랜잭션 전달의 비율"), get: (s) => s.overlay?.txTrafficShare ?? null, digits: 1, scale: 100 },
];

/** The headline metrics of a table of runs: HEADLINE, plus BROADCAST_HEADLINE when any run broadcast, BANDWIDTH_HEADLINE when any run has bandwidth, DOWNLOAD_HEADLINE and DISTRIBUTION_HEADLINE when any run reports downloads or distribution times, TRANSACTION_HEADLINE when any run relays transactions. */
export function headlineMetrics(summaries: Iterable<SummaryLike>): readonly HeadlineMetric[] {
  const all = [...summaries];
  return [
    ...HEADLINE,
    ...(all.some((s) => s.broadcasts !== undefined) ? BROADCAST_HEADLINE : []),
    ...(all.some((s) => s.bandwidth !== undefined) ? BANDWIDTH_HEADLINE : []),
    ...(all.some((s) => s.downloads !== undefined) ? DOWNLOAD_HEADLINE : []),
    ...(all.some((s) => s.overlay?.tMinS !== undefined) ? DISTRIBUTION_HEADLINE : []),
    ...(all.some((s) => s.overlay?.txCreated !== undefined) ? TRANSACTION_HEADLINE : []),
  ];
}

/**
 * The columns a terminal table shows: `lookupColumns` for runs that look up,
 * the broadcast figures (instead, when no run looked anything up) for runs
 * that broadcast.
 */
export function shownColumns(summaries: readonly SummaryLike[], lookupColumns: readonly string[]): readonly HeadlineMetric[] {
  const all = headlineMetrics(summaries);
  const broadcasts = summaries.some((s) => s.broadcasts !== undefined);
  const lookups = summaries.some((s) => s.lookups.completed > 0);
  const bandwidth = summaries.some((s) => s.bandwidth !== undefined);
  const downloads = summaries.some((s) => s.downloads !== undefined);
  const distribution = summaries.some((s) => s.overlay?.tMinS !== undefined);
  const transactions = summaries.some((s) => s.overlay?.txCreated !== undefined);
  const columns = [
    ...(lookups || !broadcasts ? lookupColumns : []),
    ...(broadcasts ? BROADCAST_HEADLINE.map((m) => m.column) : []),
    ...(bandwidth ? ["throughput_bytes_per_s", "transfer_time_mean_ms", "upload_utilisation_mean"] : []),
    ...(downloads ? ["download_time_mean_ms"] : []),
    ...(distribution ? ["distribution_time_s", "t_over_t_min"] : []),
    ...(transactions ? ["tx_reach_90_p50_ms", "tx_inv_messages_per_node"] : []),
  ];
  return columns.map((c) => all.find((m) => m.column === c)!);
}

/** The headline columns of one run, for a CSV row: an empty cell where summary.json has no value. */
export function headlineRow(summary: SummaryLike, metrics: readonly HeadlineMetric[] = HEADLINE): Record<string, number | string> {
  const row: Record<string, number | string> = {};
  for (const m of metrics) row[m.column] = cell(m.get(summary));
  return row;
}

export function headlineValues(summary: SummaryLike, metrics: readonly HeadlineMetric[] = HEADLINE): (number | null)[] {
  return metrics.map((m) => {
    const v = m.get(summary);
    return v === null || v === undefined || !Number.isFinite(v) ? null : v;
  });
}

function cell(v: number | null | undefined): number | string {
  return v === null || v === undefined || !Number.isFinite(v) ? "" : v;
}

/** A number for the terminal: fixed decimals, thousands separated, "n/a" when missing. */
export function formatMetric(m: HeadlineMetric, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "n/a";
  return (v * (m.scale ?? 1)).toLocaleString("en-US", { minimumFractionDigits: m.digits, maximumFractionDigits: m.digits });
}

/**
 * An aligned text table: text columns (the first `leftColumns`) to the left,
 * numbers to the right, two spaces between columns, a dashed rule under the header.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** columns.json beside comparison.csv and aggregate.csv: the metadata of each headline column of the table, by column name. */
export function headlineColumns(metrics: readonly HeadlineMetric[]): Record<string, ColumnMeta> {
  const out: Record<string, ColumnMeta> = {};
  for (const m of metrics) out[m.column] = m.meta;
  return out;
}
