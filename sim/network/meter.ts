import type { ColumnMeta } from "../metrics/columns.js";
import { DoubleList, mean, percentile, round } from "../metrics/stats.js";

/**
 * Counts what the carrier moves: bytes when they are delivered (an aborted
 * transfer counts what moved before it was cut), transfers completed and
 * aborted, transfer times, and every peer's upload utilisation — bytes its
 * uplink sent over the capacity it had while online. Kept for the current
 * time-series interval and for the measured window (after the warm-up), as
 * cumulative per-peer counters read at each boundary.
 */

const column = (unit: string, kind: ColumnMeta["kind"], en: string, ko: string): ColumnMeta => ({ unit, kind, title: { en, ko } });

/** What each bandwidth column of timeseries.csv means (columns.json). */
export const BANDWIDTH_COLUMNS: Readonly<Record<string, ColumnMeta>> = {
  throughput_bytes_per_second: column("bytes/s", "rate", "Bytes delivered per second", "초당 전달된 바이트"),
  transfers_completed: column("transfers", "count", "Transfers completed", "완료된 전송"),
  transfers_aborted: column("transfers", "count", "Transfers aborted", "중단된 전송"),
  transfer_time_mean_ms: column("ms", "duration", "Transfer time, mean", "전송 시간, 평균"),
  transfer_time_p50_ms: column("ms", "duration", "Transfer time, p50", "전송 시간, 중앙값"),
  transfer_time_p90_ms: column("ms", "duration", "Transfer time, p90", "전송 시간, 90번째 백분위"),
  transfer_time_p99_ms: column("ms", "duration", "Transfer time, p99", "전송 시간, 99번째 백분위"),
  upload_mean_utilisation: column("1", "ratio", "Upload utilisation, mean over peers", "업로드 이용률, 피어 평균"),
  upload_p10_utilisation: column("1", "ratio", "Upload utilisation, 10th percentile of peers", "업로드 이용률, 피어 10번째 백분위"),
  upload_p90_utilisation: column("1", "ratio", "Upload utilisation, 90th percentile of peers", "업로드 이용률, 피어 90번째 백분위"),
};

class Period {
  deliveredBytes = 0;
  completed = 0;
  aborted = 0;
  readonly times = new DoubleList();
  delivered(bytes: number, transferMs: number): void {
    this.deliveredBytes += bytes;
    this.completed++;
    this.times.push(transferMs);
  }
  abortedAfter(movedBytes: number): void {
    this.deliveredBytes += movedBytes;
    this.aborted++;
  }
  reset(): void {
    this.deliveredBytes = this.completed = this.aborted = 0;
    this.times.clear();
  }
}

export class Meter {
  private uploadedTotal = new Float64Array(1024);
  private onlineTotal = new Float64Array(1024);
  private onlineSince = new Float64Array(1024).fill(-1);
  private uploadedAtInterval = new Float64Array(1024);
  private onlineAtInterval = new Float64Array(1024);
  private uploadedAtWarmup = new Float64Array(1024);
  private onlineAtWarmup = new Float64Array(1024);
  private peers = 0;
  private readonly interval = new Period();
  private readonly measured = new Period();
  private intervalStartMs = 0;

  constructor(private readonly warmupMs: number) {}

  uploaded(peer: number, bytes: number): void {
    this.grow(peer);
    this.uploadedTotal[peer]! += bytes;
  }

  peerUp(peer: number, nowMs: number): void {
    this.grow(peer);
    if (this.onlineSince[peer]! < 0) this.onlineSince[peer] = nowMs;
  }

  peerDown(peer: number, nowMs: number): void {
    this.grow(peer);
    const since = this.onlineSince[peer]!;
    if (since < 0) return;
    this.onlineTotal[peer]! += nowMs - since;
    this.onlineSince[peer] = -1;
  }

  delivered(bytes: number, transferMs: number, nowMs: number): void {
    this.interval.delivered(bytes, transferMs);
    if (nowMs >= this.warmupMs) this.measured.delivered(bytes, transferMs);
  }

  /** Bytes delivered by a flow an overlay runs itself: throughput, but no transfer. */
  flowed(bytes: number, nowMs: number): void {
    this.interval.deliveredBytes += bytes;
    if (nowMs >= this.warmupMs) this.measured.deliveredBytes += bytes;
  }

  aborted(movedBytes: number, nowMs: number): void {
    this.interval.abortedAfter(movedBytes);
    if (nowMs >= this.warmupMs) this.measured.abortedAfter(movedBytes);
  }

  /** Brings online time up to `nowMs` (uploads must have been settled by the caller). */
  private accrue(nowMs: number): void {
    for (let p = 0; p < this.peers; p++) {
      const since = this.onlineSince[p]!;
      if (since >= 0) {
        this.onlineTotal[p]! += nowMs - since;
        this.onlineSince[p] = nowMs;
      }
    }
  }

  /** The warm-up ends now: the measured window starts from here. */
  beginMeasurement(nowMs: number): void {
    this.accrue(nowMs);
    this.uploadedAtWarmup.set(this.uploadedTotal);
    this.onlineAtWarmup.set(this.onlineTotal);
  }

  /** The columns of the interval ending now; starts the next one. `uploadCapacity` is bytes/ms. */
  closeInterval(nowMs: number, uploadCapacity: (peer: number) => number): Record<string, number> {
    this.accrue(nowMs);
    const seconds = (nowMs - this.intervalStartMs) / 1000;
    const util = this.utilisations(this.uploadedAtInterval, this.onlineAtInterval, uploadCapacity);
    const row = this.columns(this.interval, seconds, util);
    this.uploadedAtInterval.set(this.uploadedTotal);
    this.onlineAtInterval.set(this.onlineTotal);
    this.interval.reset();
    this.intervalStartMs = nowMs;
    return row;
  }

  /** summary.json's `bandwidth` section over the measured window. */
  summary(nowMs: number, uploadCapacity: (peer: number) => number) {
    this.accrue(nowMs);
    const m = this.measured;
    const seconds = Math.max(0, nowMs - this.warmupMs) / 1000;
    const util = this.utilisations(this.uploadedAtWarmup, this.onlineAtWarmup, uploadCapacity);
    const times = m.times.sorted();
    return {
      bytesDelivered: round(m.deliveredBytes, 0),
      throughputBytesPerSecond: round(seconds > 0 ? m.deliveredBytes / seconds : NaN, 1),
      transfersCompleted: m.completed,
      transfersAborted: m.aborted,
      transferTimeMs: {
        mean: round(mean(times), 3),
        p50: round(percentile(times, 0.5), 3),
        p90: round(percentile(times, 0.9), 3),
        p99: round(percentile(times, 0.99), 3),
      },
      uploadUtilisation: { mean: round(mean(util), 6), p10: round(percentile(util, 0.1), 6), p90: round(percentile(util, 0.9), 6) },
    };
  }

  /** Per-peer utilisation since a boundary, sorted, over peers that were online with a finite capacity. */
  private utilisations(uploadedAt: Float64Array, onlineAt: Float64Array, capacity: (peer: number) => number): Float64Array {
    const out = new DoubleList();
    for (let p = 0; p < this.peers; p++) {
      const onlineMs = this.onlineTotal[p]! - onlineAt[p]!;
      const cap = capacity(p);
      if (!(onlineMs > 0) || !(cap > 0) || cap === Infinity) continue;
      out.push((this.uploadedTotal[p]! - uploadedAt[p]!) / (cap * onlineMs));
    }
    return out.sorted();
  }

  private columns(p: Period, seconds: number, util: Float64Array): Record<string, number> {
    const times = p.times.sorted();
    return {
      throughput_bytes_per_second: seconds > 0 ? p.deliveredBytes / seconds : NaN,
      transfers_completed: p.completed,
      transfers_aborted: p.aborted,
      transfer_time_mean_ms: mean(times),
      transfer_time_p50_ms: percentile(times, 0.5),
      transfer_time_p90_ms: percentile(times, 0.9),
      transfer_time_p99_ms: percentile(times, 0.99),
      upload_mean_utilisation: mean(util),
      upload_p10_utilisation: percentile(util, 0.1),
      upload_p90_utilisation: percentile(util, 0.9),
    };
  }

  private grow(peer: number): void {
    if (peer >= this.peers) this.peers = peer + 1;
    if (peer < this.uploadedTotal.length) return;
    const size = Math.max(peer + 1, this.uploadedTotal.length * 2);
    const g = (a: Float64Array, fill = 0) => {
      const b = new Float64Array(size).fill(fill);
      b.set(a);
      return b;
    };
    this.uploadedTotal = g(this.uploadedTotal);
    this.onlineTotal = g(this.onlineTotal);
    this.onlineSince = g(this.onlineSince, -1);
    this.uploadedAtInterval = g(this.uploadedAtInterval);
    this.onlineAtInterval = g(this.onlineAtInterval);
    this.uploadedAtWarmup = g(this.uploadedAtWarmup);
    this.onlineAtWarmup = g(this.onlineAtWarmup);
  }
}
