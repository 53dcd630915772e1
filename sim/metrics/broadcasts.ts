import { BitSet } from "../collections/bit-set.js";
import type { ColumnMeta } from "./columns.js";
import { DoubleList, mean, percentile, ratio, round } from "./stats.js";

/**
 * Every broadcast's life: who published it, when, how many peers were online
 * then (the audience), which peers it has reached and when it crossed 50, 90
 * and 100 % of its audience, and the traffic charged to it.
 *
 * Coverage is measured against the peers online at publication: a broadcast
 * that reaches every one of them has coverage 1. Peers that join later and
 * still receive it count too, so coverage is capped at 1 rather than being a
 * strict subset ratio — the simple, observable definition (Demers et al.'s
 * "residue" is 1 − coverage).
 */
export class BroadcastTable {
  private cap = 256;
  private count = 0;
  startMs = new Float64Array(this.cap);
  origin = new Int32Array(this.cap);
  audience = new Int32Array(this.cap);
  reachedCount = new Int32Array(this.cap);
  /** Time from publication to 50 / 90 / 100 % of the audience, NaN until reached. */
  t50 = new Float64Array(this.cap);
  t90 = new Float64Array(this.cap);
  t100 = new Float64Array(this.cap);
  messages = new Float64Array(this.cap);
  bytes = new Float64Array(this.cap);
  /**
   * Peers reached so far, by broadcast id, kept only while the broadcast is
   * watched. Bits, not a Set: a run may watch a thousand blocks to its end,
   * each reaching every one of thousands of peers.
   */
  private readonly reachedBy: (BitSet | undefined)[] = [];

  get size(): number {
    return this.count;
  }

  /** A new broadcast published by `origin`, which has the item from the start. */
  open(nowMs: number, origin: number, audience: number): number {
    if (this.count === this.cap) this.grow();
    const id = this.count++;
    this.startMs[id] = nowMs;
    this.origin[id] = origin;
    this.audience[id] = Math.max(1, audience);
    this.reachedCount[id] = 0;
    this.t50[id] = this.t90[id] = this.t100[id] = NaN;
    this.reachedBy[id] = new BitSet(audience);
    this.reach(id, origin, nowMs);
    return id;
  }

  /** `peer` has the item now; false if it had it already or the broadcast is no longer watched. */
  reach(id: number, peer: number, nowMs: number): boolean {
    const seen = this.reachedBy[id];
    if (seen === undefined || !seen.add(peer)) return false;
    const n = ++this.reachedCount[id]!;
    const audience = this.audience[id]!;
    const elapsed = nowMs - this.startMs[id]!;
    if (Number.isNaN(this.t50[id]!) && n >= Math.ceil(0.5 * audience)) this.t50[id] = elapsed;
    if (Number.isNaN(this.t90[id]!) && n >= Math.ceil(0.9 * audience)) this.t90[id] = elapsed;
    if (Number.isNaN(this.t100[id]!) && n >= audience) this.t100[id] = elapsed;
    return true;
  }

  /** `count` messages with `bytes` in all were sent for broadcast `id`. */
  charge(id: number, bytes: number, count = 1): void {
    this.messages[id]! += count;
    this.bytes[id]! += bytes;
  }

  /** Stops watching: later arrivals no longer count. */
  close(id: number): void {
    this.reachedBy[id] = undefined;
  }

  coverage(id: number): number {
    return Math.min(1, this.reachedCount[id]! / this.audience[id]!);
  }

  private grow(): void {
    this.cap *= 2;
    const f = (old: Float64Array) => {
      const fresh = new Float64Array(this.cap);
      fresh.set(old);
      return fresh;
    };
    const i = (old: Int32Array) => {
      const fresh = new Int32Array(this.cap);
      fresh.set(old);
      return fresh;
    };
    this.startMs = f(this.startMs);
    this.origin = i(this.origin);
    this.audience = i(this.audience);
    this.reachedCount = i(this.reachedCount);
    this.t50 = f(this.t50);
    this.t90 = f(this.t90);
    this.t100 = f(this.t100);
    this.messages = f(this.messages);
    this.bytes = f(this.bytes);
  }
}

/** What finished broadcasts looked like over one stretch of time. */
class BroadcastTally {
  started = 0;
  closed = 0;
  readonly coverage = new DoubleList();
  readonly t50 = new DoubleList();
  readonly t90 = new DoubleList();
  readonly t100 = new DoubleList();
  readonly messagesPerPeer = new DoubleList();
  readonly messages = new DoubleList();
  readonly bytes = new DoubleList();

  add(table: BroadcastTable, id: number): void {
    this.closed++;
    this.coverage.push(table.coverage(id));
    for (const [list, t] of [
      [this.t50, table.t50[id]!],
      [this.t90, table.t90[id]!],
      [this.t100, table.t100[id]!],
    ] as const) {
      if (!Number.isNaN(t)) list.push(t);
    }
    this.messages.push(table.messages[id]!);
    this.bytes.push(table.bytes[id]!);
    this.messagesPerPeer.push(table.messages[id]! / table.audience[id]!);
  }

  reset(): void {
    this.started = this.closed = 0;
    for (const list of [this.coverage, this.t50, this.t90, this.t100, this.messagesPerPeer, this.messages, this.bytes]) list.clear();
  }
}

/**
 * The broadcasts' part of the results: columns for each time-series row and
 * the `broadcasts` section of summary.json. A broadcast is counted when its
 * watch window ends, in the interval where that happens; it counts in the
 * summary when it was published after the warm-up.
 */
export class BroadcastStats {
  private readonly interval = new BroadcastTally();
  private readonly measured = new BroadcastTally();

  constructor(
    private readonly table: BroadcastTable,
    private readonly warmupMs: number,
  ) {}

  started(nowMs: number): void {
    this.interval.started++;
    if (nowMs >= this.warmupMs) this.measured.started++;
  }

  closed(id: number): void {
    this.interval.add(this.table, id);
    if (this.table.startMs[id]! >= this.warmupMs) this.measured.add(this.table, id);
  }

  /** This interval's columns (see BROADCAST_COLUMNS); resets the interval. */
  sample(): Record<string, number> {
    const t = this.interval;
    const row = {
      broadcasts_started: t.started,
      broadcasts_closed: t.closed,
      broadcast_coverage_mean: mean(t.coverage.sorted()),
      broadcast_t50_mean_ms: mean(t.t50.sorted()),
      broadcast_t90_mean_ms: mean(t.t90.sorted()),
      broadcast_t100_mean_ms: mean(t.t100.sorted()),
      broadcast_messages_per_peer: mean(t.messagesPerPeer.sorted()),
    };
    t.reset();
    return row;
  }

  summary() {
    const m = this.measured;
    const times = (list: DoubleList) => {
      const sorted = list.sorted();
      return {
        reached: sorted.length,
        share: round(ratio(sorted.length, m.closed)),
        mean: round(mean(sorted), 3),
        p50: round(percentile(sorted, 0.5), 3),
        p90: round(percentile(sorted, 0.9), 3),
        max: round(sorted.length ? sorted[sorted.length - 1]! : NaN, 3),
      };
    };
    const coverage = m.coverage.sorted();
    return {
      started: m.started,
      completed: m.closed,
      coverage: {
        mean: round(mean(coverage)),
        min: round(coverage.length ? coverage[0]! : NaN),
        p10: round(percentile(coverage, 0.1)),
      },
      residueMean: round(1 - mean(coverage)),
      /** Time from publication to 50, 90 and 100 % of the peers online then, over the broadcasts that got there (share = how many did). */
      timeToMs: { p50: times(m.t50), p90: times(m.t90), p100: times(m.t100) },
      messagesPerPeer: round(mean(m.messagesPerPeer.sorted()), 4),
      messagesPerBroadcast: round(mean(m.messages.sorted()), 3),
      bytesPerBroadcast: round(mean(m.bytes.sorted()), 1),
    };
  }
}

export type BroadcastSummary = ReturnType<BroadcastStats["summary"]>;

/** The time-series columns of runs that broadcast (BroadcastStats.sample). */
export const BROADCAST_COLUMNS: Readonly<Record<string, ColumnMeta>> = {
  broadcasts_started: { unit: "broadcasts", kind: "count", title: { en: "Broadcasts published", ko: "게시한 브로드캐스트" } },
  broadcasts_closed: { unit: "broadcasts", kind: "count", title: { en: "Broadcasts measured", ko: "측정을 마친 브로드캐스트" } },
  broadcast_coverage_mean: { unit: "1", kind: "ratio", title: { en: "Broadcast coverage, mean", ko: "브로드캐스트 도달률, 평균" } },
  broadcast_t50_mean_ms: { unit: "ms", kind: "duration", title: { en: "Time to reach 50 % of peers", ko: "피어 50 % 도달 시간" } },
  broadcast_t90_mean_ms: { unit: "ms", kind: "duration", title: { en: "Time to reach 90 % of peers", ko: "피어 90 % 도달 시간" } },
  broadcast_t100_mean_ms: { unit: "ms", kind: "duration", title: { en: "Time to reach every peer", ko: "모든 피어 도달 시간" } },
  broadcast_messages_per_peer: { unit: "msg/peer", kind: "statistic", title: { en: "Broadcast messages per peer", ko: "피어당 브로드캐스트 메시지" } },
};
