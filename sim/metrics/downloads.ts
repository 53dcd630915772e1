import type { ColumnMeta } from "./columns.js";
import { DoubleList, mean, percentile, round } from "./stats.js";

/**
 * The downloads operation kind: a peer fetches an object of a given size (a
 * torrent's file, an IPFS file) and the overlay says when it has all of it or
 * gave up. Overlays whose definition sets `downloads` report them through
 * ctx.downloadStarted / downloadCompleted / downloadAborted; the runtime keeps
 * every download here and derives downloads.csv, the `downloads` section of
 * summary.json and the download columns of timeseries.csv.
 *
 * A download counts in the summary when it started after the warm-up, like a
 * lookup. Labels group downloads (peer classes such as "fast" and "slow", or
 * "client-server" beside "p2p") so one run can compare them.
 */

export const enum DownloadOutcome {
  Unfinished = 0,
  Completed = 1,
  Aborted = 2,
}

const OUTCOME_NAMES = ["unfinished", "completed", "aborted"] as const;

export class DownloadTable {
  private cap = 256;
  private count = 0;
  peer = new Int32Array(this.cap);
  label = new Int32Array(this.cap);
  bytes = new Float64Array(this.cap);
  startMs = new Float64Array(this.cap);
  endMs = new Float64Array(this.cap);
  outcome = new Uint8Array(this.cap);
  /** Label names in order of first use; `label` holds indexes into it. */
  readonly labels: string[] = [];
  private readonly labelIndex = new Map<string, number>();

  get size(): number {
    return this.count;
  }

  open(nowMs: number, peer: number, bytes: number, label: string): number {
    if (this.count === this.cap) this.grow();
    const id = this.count++;
    let index = this.labelIndex.get(label);
    if (index === undefined) {
      index = this.labels.length;
      this.labels.push(label);
      this.labelIndex.set(label, index);
    }
    this.peer[id] = peer;
    this.label[id] = index;
    this.bytes[id] = bytes;
    this.startMs[id] = nowMs;
    this.endMs[id] = NaN;
    this.outcome[id] = DownloadOutcome.Unfinished;
    return id;
  }

  /** Ends download `id`; false if it had ended already (the first report counts) or does not exist. */
  end(id: number, nowMs: number, outcome: DownloadOutcome.Completed | DownloadOutcome.Aborted): boolean {
    if (!(id >= 0 && id < this.count) || this.outcome[id] !== DownloadOutcome.Unfinished) return false;
    this.outcome[id] = outcome;
    this.endMs[id] = nowMs;
    return true;
  }

  labelOf(id: number): string {
    return this.labels[this.label[id]!]!;
  }

  outcomeName(id: number): (typeof OUTCOME_NAMES)[number] {
    return OUTCOME_NAMES[this.outcome[id]!]!;
  }

  private grow(): void {
    this.cap *= 2;
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const fresh = make(this.cap);
      fresh.set(old);
      return fresh;
    };
    this.peer = grown(this.peer, (n) => new Int32Array(n));
    this.label = grown(this.label, (n) => new Int32Array(n));
    this.bytes = grown(this.bytes, (n) => new Float64Array(n));
    this.startMs = grown(this.startMs, (n) => new Float64Array(n));
    this.endMs = grown(this.endMs, (n) => new Float64Array(n));
    this.outcome = grown(this.outcome, (n) => new Uint8Array(n));
  }
}

/** Completed and aborted downloads of one stretch of time, with completion times. */
class DownloadTally {
  started = 0;
  completed = 0;
  aborted = 0;
  readonly times = new DoubleList();

  reset(): void {
    this.started = this.completed = this.aborted = 0;
    this.times.clear();
  }
}

/** Completion-time statistics of a sorted list, in ms. */
function timeStats(sorted: Float64Array) {
  return {
    mean: round(mean(sorted), 3),
    p50: round(percentile(sorted, 0.5), 3),
    p90: round(percentile(sorted, 0.9), 3),
    p99: round(percentile(sorted, 0.99), 3),
    max: round(sorted.length ? sorted[sorted.length - 1]! : NaN, 3),
  };
}

/**
 * The downloads' part of the results: columns for each time-series row (a
 * download counts in the interval where it ends) and the `downloads` section
 * of summary.json (downloads started after the warm-up).
 */
export class DownloadStats {
  private readonly interval = new DownloadTally();

  constructor(
    private readonly table: DownloadTable,
    private readonly warmupMs: number,
  ) {}

  started(): void {
    this.interval.started++;
  }

  ended(id: number): void {
    const t = this.interval;
    if (this.table.outcome[id] === DownloadOutcome.Completed) {
      t.completed++;
      t.times.push(this.table.endMs[id]! - this.table.startMs[id]!);
    } else {
      t.aborted++;
    }
  }

  /** This interval's columns (see DOWNLOAD_COLUMNS); resets the interval. */
  sample(): Record<string, number> {
    const t = this.interval;
    const row = {
      downloads_started: t.started,
      downloads_completed: t.completed,
      downloads_aborted: t.aborted,
      download_time_mean_ms: round(mean(t.times.sorted()), 3),
    };
    t.reset();
    return row;
  }

  summary() {
    const table = this.table;
    const all = { started: 0, completed: 0, aborted: 0, unfinished: 0, times: new DoubleList() };
    const byLabel = new Map<number, typeof all>();
    for (let id = 0; id < table.size; id++) {
      if (table.startMs[id]! < this.warmupMs) continue;
      const label = table.label[id]!;
      let group = byLabel.get(label);
      if (group === undefined) byLabel.set(label, (group = { started: 0, completed: 0, aborted: 0, unfinished: 0, times: new DoubleList() }));
      for (const g of [all, group]) {
        g.started++;
        const outcome = table.outcome[id];
        if (outcome === DownloadOutcome.Completed) {
          g.completed++;
          g.times.push(table.endMs[id]! - table.startMs[id]!);
        } else if (outcome === DownloadOutcome.Aborted) g.aborted++;
        else g.unfinished++;
      }
    }
    const section = (g: typeof all) => ({ started: g.started, completed: g.completed, aborted: g.aborted, unfinished: g.unfinished, timeMs: timeStats(g.times.sorted()) });
    const sorted = all.times.sorted();
    // The completion-time CDF at every 5th percentile: enough for a curve, small enough for summary.json.
    const cdf: [number, number][] = [];
    if (sorted.length > 0) for (let q = 0; q <= 20; q++) cdf.push([round(percentile(sorted, q / 20), 3), q / 20]);
    return {
      ...section(all),
      byLabel: Object.fromEntries([...byLabel.entries()].sort((a, b) => a[0] - b[0]).map(([index, g]) => [table.labels[index]!, section(g)])),
      cdf,
    };
  }
}

export type DownloadSummary = ReturnType<DownloadStats["summary"]>;

/** downloads.csv: one row per download, in the order they started. */
export function downloadRows(table: DownloadTable): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (let id = 0; id < table.size; id++) {
    const end = table.endMs[id]!;
    rows.push({
      download: id,
      peer: table.peer[id]!,
      label: table.labelOf(id),
      bytes: table.bytes[id]!,
      start_ms: round(table.startMs[id]!, 3),
      end_ms: Number.isNaN(end) ? "" : round(end, 3),
      time_ms: Number.isNaN(end) ? "" : round(end - table.startMs[id]!, 3),
      outcome: table.outcomeName(id),
    });
  }
  return rows;
}

/** The time-series columns of runs whose overlay reports downloads (DownloadStats.sample). */
export const DOWNLOAD_COLUMNS: Readonly<Record<string, ColumnMeta>> = {
  downloads_started: { unit: "downloads", kind: "count", title: { en: "Downloads started", ko: "시작한 다운로드" } },
  downloads_completed: { unit: "downloads", kind: "count", title: { en: "Downloads completed", ko: "완료한 다운로드" } },
  downloads_aborted: { unit: "downloads", kind: "count", title: { en: "Downloads aborted", ko: "중단된 다운로드" } },
  download_time_mean_ms: { unit: "ms", kind: "duration", title: { en: "Download time, mean", ko: "다운로드 시간, 평균" } },
};
