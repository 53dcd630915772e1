import { DoubleList, mean, percentile, ratio, round } from "./stats.js";

/**
 * Collects what a run measures. Totals (for summary.json) count only what
 * happens after the warm-up window; the time series (timeseries.csv) has a
 * row for every interval, warm-up included, marked by its `phase` column.
 */

export type TrafficCategory = "lookup" | "maintenance" | "broadcast";

export interface RecorderOptions {
  warmupMs: number;
  intervalMs: number;
  /** Message type names, indexed as the network counts them. */
  messageTypes: readonly { name: string; category: TrafficCategory }[];
  /** The overlay reports each lookup's timeouts: summarise them (and the 1st and 99th hop percentiles). */
  lookupTimeouts?: boolean;
}

/** Counts for one stretch of time; reset at each interval and kept whole for the measured window. */
class Tally {
  messages: Float64Array;
  bytes: Float64Array;
  lost = 0;
  undelivered = 0;
  lookupsStarted = 0;
  lookupsSucceeded = 0;
  lookupsFailed = 0;
  joins = 0;
  leaves = 0;
  crashes = 0;
  readonly latencies = new DoubleList();
  readonly hops = new DoubleList();
  /** Timeouts of every completed lookup, succeeded or failed (only when the overlay reports them). */
  readonly timeouts = new DoubleList();
  /** The overlay's counters, by the recorder's counter index (in the order they were declared). */
  readonly counters: number[] = [];

  constructor(typeCount: number) {
    this.messages = new Float64Array(typeCount);
    this.bytes = new Float64Array(typeCount);
  }

  reset(): void {
    this.messages.fill(0);
    this.bytes.fill(0);
    this.lost = this.undelivered = 0;
    this.lookupsStarted = this.lookupsSucceeded = this.lookupsFailed = 0;
    this.joins = this.leaves = this.crashes = 0;
    this.latencies.clear();
    this.hops.clear();
    this.timeouts.clear();
    this.counters.fill(0);
  }
}

export type TimeSeriesRow = Record<string, string | number>;

export class Recorder {
  readonly warmupMs: number;
  readonly intervalMs: number;
  readonly messageTypes: RecorderOptions["messageTypes"];
  readonly lookupTimeouts: boolean;
  private readonly interval: Tally;
  private readonly measured: Tally;
  private readonly rows: TimeSeriesRow[] = [];
  /** Declared counters: each name's index in the tallies' `counters`, and the names in declaration order. */
  private readonly counterIndex = new Map<string, number>();
  private readonly counterNames: string[] = [];
  private intervalStartMs = 0;
  /** Broadcast traffic has its own columns, present only in runs that broadcast (so other runs' files keep their shape). */
  private readonly hasBroadcast: boolean;

  // Time-weighted live population: the integral of live peers over time.
  private liveNow = 0;
  private liveChangedMs = 0;
  private liveAreaMeasured = 0;
  private liveAreaInterval = 0;
  private liveMin = Infinity;
  private liveMax = 0;
  private now = 0;

  constructor(options: RecorderOptions) {
    this.warmupMs = options.warmupMs;
    this.intervalMs = options.intervalMs;
    this.messageTypes = options.messageTypes;
    this.lookupTimeouts = options.lookupTimeouts === true;
    this.hasBroadcast = options.messageTypes.some((t) => t.category === "broadcast");
    this.interval = new Tally(options.messageTypes.length);
    this.measured = new Tally(options.messageTypes.length);
  }

  /** Keeps the recorder's idea of the time current; called before each record. */
  at(nowMs: number): this {
    this.now = nowMs;
    return this;
  }

  private get measuring(): boolean {
    return this.now >= this.warmupMs;
  }

  /** `count` messages of one type, `bytes` in all (more than one: messages an overlay carried inside a cycle). */
  messageSent(typeIndex: number, bytes: number, count = 1): void {
    this.interval.messages[typeIndex]! += count;
    this.interval.bytes[typeIndex]! += bytes;
    if (this.measuring) {
      this.measured.messages[typeIndex]! += count;
      this.measured.bytes[typeIndex]! += bytes;
    }
  }

  messageLost(): void {
    this.interval.lost++;
    if (this.measuring) this.measured.lost++;
  }

  messageUndelivered(count = 1): void {
    this.interval.undelivered += count;
    if (this.measuring) this.measured.undelivered += count;
  }

  /** A lookup started; `measured` says whether it counts towards the summary (started after warm-up). */
  lookupStarted(): void {
    this.interval.lookupsStarted++;
    if (this.measuring) this.measured.lookupsStarted++;
  }

  lookupEnded(measured: boolean, succeeded: boolean, latencyMs: number, hops: number, timeouts = 0): void {
    this.lookupEndedIn(this.interval, succeeded, latencyMs, hops, timeouts);
    if (measured) this.lookupEndedIn(this.measured, succeeded, latencyMs, hops, timeouts);
  }

  private lookupEndedIn(tally: Tally, succeeded: boolean, latencyMs: number, hops: number, timeouts: number): void {
    if (this.lookupTimeouts) tally.timeouts.push(timeouts);
    if (succeeded) {
      tally.lookupsSucceeded++;
      tally.latencies.push(latencyMs);
      tally.hops.push(hops);
    } else {
      tally.lookupsFailed++;
    }
  }

  peerEvent(kind: "join" | "leave" | "crash", liveAfter: number): void {
    this.accumulateLive();
    this.liveNow = liveAfter;
    if (this.measuring) {
      this.liveMin = Math.min(this.liveMin, liveAfter);
      this.liveMax = Math.max(this.liveMax, liveAfter);
    }
    for (const tally of this.measuring ? [this.interval, this.measured] : [this.interval]) {
      if (kind === "join") tally.joins++;
      else if (kind === "leave") tally.leaves++;
      else tally.crashes++;
    }
  }

  /** The warm-up is over: the population now is where min and max start from. */
  beginMeasurement(): void {
    this.liveMin = Math.min(this.liveMin, this.liveNow);
    this.liveMax = Math.max(this.liveMax, this.liveNow);
  }

  /**
   * Adds to a declared counter. Overlays count on their hottest paths (a
   * duplicate announcement, say, for most messages of a block's spread), so
   * this is one map lookup and two array slots.
   */
  count(name: string, amount = 1): void {
    const i = this.counterIndex.get(name);
    if (i === undefined) throw new Error(`counter "${name}" was not declared (list it in the overlay definition's counters)`);
    this.interval.counters[i]! += amount;
    if (this.measuring) this.measured.counters[i]! += amount;
  }

  /** Declares a counter up front so it has a column even while it is zero. */
  declareCounter(name: string): void {
    if (this.counterIndex.has(name)) return;
    this.counterIndex.set(name, this.counterNames.length);
    this.counterNames.push(name);
    this.interval.counters.push(0);
    this.measured.counters.push(0);
  }

  private accumulateLive(): void {
    const from = this.liveChangedMs;
    const to = this.now;
    if (to > from) {
      this.liveAreaInterval += this.liveNow * (to - Math.max(from, this.intervalStartMs));
      const measuredFrom = Math.max(from, this.warmupMs);
      if (to > measuredFrom) this.liveAreaMeasured += this.liveNow * (to - measuredFrom);
    }
    this.liveChangedMs = to;
  }

  /** True when the current interval counts as measured (it began after the warm-up): its row's phase will be "measure". */
  get intervalMeasured(): boolean {
    return this.intervalStartMs >= this.warmupMs;
  }

  /** Ends the current interval at the recorder's time and appends its row. */
  closeInterval(overlaySample: Record<string, number>): void {
    this.accumulateLive();
    const t = this.interval;
    const latencies = t.latencies.sorted();
    const totals = this.trafficTotals(t);
    const livePeerSeconds = this.liveAreaInterval / 1000;
    const row: TimeSeriesRow = {
      time_s: round(this.now / 1000, 3),
      phase: this.intervalMeasured ? "measure" : "warmup",
      live_peers: this.liveNow,
      joins: t.joins,
      leaves: t.leaves,
      crashes: t.crashes,
      lookups_started: t.lookupsStarted,
      lookups_succeeded: t.lookupsSucceeded,
      lookups_failed: t.lookupsFailed,
      success_ratio: csvNumber(ratio(t.lookupsSucceeded, t.lookupsSucceeded + t.lookupsFailed)),
      latency_mean_ms: csvNumber(mean(latencies)),
      latency_p50_ms: csvNumber(percentile(latencies, 0.5)),
      latency_p90_ms: csvNumber(percentile(latencies, 0.9)),
      latency_p99_ms: csvNumber(percentile(latencies, 0.99)),
      // Hops and timeouts are whole counts, so their sum is exact in any order: no sorted copy needed for the mean.
      hops_mean: csvNumber(mean(t.hops.values())),
      ...(this.lookupTimeouts ? { timeouts_mean: csvNumber(mean(t.timeouts.values())) } : {}),
      messages_lookup: totals.lookupMessages,
      messages_maintenance: totals.maintenanceMessages,
      bytes_lookup: totals.lookupBytes,
      bytes_maintenance: totals.maintenanceBytes,
      messages_per_peer_per_s: csvNumber(ratio(totals.lookupMessages + totals.maintenanceMessages + totals.broadcastMessages, livePeerSeconds)),
      messages_lost: t.lost,
      messages_undelivered: t.undelivered,
    };
    if (this.hasBroadcast) {
      row.messages_broadcast = totals.broadcastMessages;
      row.bytes_broadcast = totals.broadcastBytes;
    }
    for (let i = 0; i < this.counterNames.length; i++) row[snake(this.counterNames[i]!)] = round(t.counters[i]!);
    for (const [name, value] of Object.entries(overlaySample)) row[snake(name)] = csvNumber(value);
    this.rows.push(row);
    t.reset();
    this.intervalStartMs = this.now;
    this.liveAreaInterval = 0;
  }

  timeSeries(): readonly TimeSeriesRow[] {
    return this.rows;
  }

  private trafficTotals(t: Tally) {
    let lookupMessages = 0, maintenanceMessages = 0, lookupBytes = 0, maintenanceBytes = 0, broadcastMessages = 0, broadcastBytes = 0;
    this.messageTypes.forEach((type, i) => {
      if (type.category === "lookup") {
        lookupMessages += t.messages[i]!;
        lookupBytes += t.bytes[i]!;
      } else if (type.category === "broadcast") {
        broadcastMessages += t.messages[i]!;
        broadcastBytes += t.bytes[i]!;
      } else {
        maintenanceMessages += t.messages[i]!;
        maintenanceBytes += t.bytes[i]!;
      }
    });
    return { lookupMessages, maintenanceMessages, lookupBytes, maintenanceBytes, broadcastMessages, broadcastBytes };
  }

  /**
   * The measured-window summary. `perLookup` gives the messages and bytes
   * charged to each measured, completed lookup (its whole traffic, including
   * copies still travelling after the answer arrived).
   */
  summary(args: {
    endMs: number;
    unfinishedLookups: number;
    perLookupMessages: ArrayLike<number>;
    perLookupBytes: ArrayLike<number>;
  }) {
    this.accumulateLive();
    const m = this.measured;
    const measuredSeconds = Math.max(0, args.endMs - this.warmupMs) / 1000;
    const peerSeconds = this.liveAreaMeasured / 1000;
    const latencies = m.latencies.sorted();
    const hops = m.hops.sorted();
    const totals = this.trafficTotals(m);
    const messages = totals.lookupMessages + totals.maintenanceMessages + totals.broadcastMessages;
    const bytes = totals.lookupBytes + totals.maintenanceBytes + totals.broadcastBytes;
    const completed = m.lookupsSucceeded + m.lookupsFailed;
    const byType: Record<string, { category: TrafficCategory; messages: number; bytes: number }> = {};
    this.messageTypes.forEach((type, i) => {
      byType[type.name] = { category: type.category, messages: m.messages[i]!, bytes: m.bytes[i]! };
    });
    const timeouts = m.timeouts.sorted();
    const counters: Record<string, number> = {};
    for (let i = 0; i < this.counterNames.length; i++) counters[this.counterNames[i]!] = round(m.counters[i]!);
    return {
      measuredSeconds: round(measuredSeconds, 3),
      lookups: {
        started: m.lookupsStarted,
        completed,
        succeeded: m.lookupsSucceeded,
        failed: m.lookupsFailed,
        unfinished: args.unfinishedLookups,
        successRatio: round(ratio(m.lookupsSucceeded, completed)),
        latencyMs: {
          mean: round(mean(latencies), 3),
          p50: round(percentile(latencies, 0.5), 3),
          p90: round(percentile(latencies, 0.9), 3),
          p99: round(percentile(latencies, 0.99), 3),
          max: round(latencies.length ? latencies[latencies.length - 1]! : NaN, 3),
          quantiles: latencyQuantiles(latencies),
        },
        hops: this.lookupTimeouts
          ? { mean: round(mean(hops), 4), p1: percentile(hops, 0.01), p50: percentile(hops, 0.5), p90: percentile(hops, 0.9), p99: percentile(hops, 0.99), max: maxOf(hops), histogram: histogram(hops) }
          : { mean: round(mean(hops), 4), p50: percentile(hops, 0.5), p90: percentile(hops, 0.9), max: maxOf(hops), histogram: histogram(hops) },
        ...(this.lookupTimeouts
          ? {
              timeouts: {
                mean: round(mean(timeouts), 4),
                p1: percentile(timeouts, 0.01),
                p50: percentile(timeouts, 0.5),
                p99: percentile(timeouts, 0.99),
                max: maxOf(timeouts),
                histogram: histogram(timeouts),
              },
            }
          : {}),
        messagesPerLookup: round(mean(args.perLookupMessages), 3),
        bytesPerLookup: round(mean(args.perLookupBytes), 1),
      },
      traffic: {
        messages,
        bytes,
        lookupMessages: totals.lookupMessages,
        maintenanceMessages: totals.maintenanceMessages,
        lookupBytes: totals.lookupBytes,
        maintenanceBytes: totals.maintenanceBytes,
        messagesPerPeerPerSecond: round(ratio(messages, peerSeconds), 4),
        bytesPerPeerPerSecond: round(ratio(bytes, peerSeconds), 2),
        lookupMessagesPerPeerPerSecond: round(ratio(totals.lookupMessages, peerSeconds), 4),
        maintenanceMessagesPerPeerPerSecond: round(ratio(totals.maintenanceMessages, peerSeconds), 4),
        ...(this.hasBroadcast
          ? {
              broadcastMessages: totals.broadcastMessages,
              broadcastBytes: totals.broadcastBytes,
              broadcastMessagesPerPeerPerSecond: round(ratio(totals.broadcastMessages, peerSeconds), 4),
            }
          : {}),
        lost: m.lost,
        undelivered: m.undelivered,
        byType,
      },
      peers: {
        liveMean: round(ratio(peerSeconds, measuredSeconds), 2),
        liveMin: Number.isFinite(this.liveMin) ? this.liveMin : this.liveNow,
        liveMax: Math.max(this.liveMax, this.liveNow),
        liveAtEnd: this.liveNow,
        joins: m.joins,
        leaves: m.leaves,
        crashes: m.crashes,
      },
      counters,
    };
  }
}

export type Summary = ReturnType<Recorder["summary"]>;

/**
 * The latency distribution in 101 numbers, for CDF plots: element i is the
 * nearest-rank percentile i/100 (element 0 the minimum, 100 the maximum);
 * empty with no success.
 */
function latencyQuantiles(sorted: Float64Array): number[] {
  if (sorted.length === 0) return [];
  const n = sorted.length;
  // Integer ranks: i / 100 * n in floating point can land just above an integer.
  return Array.from({ length: 101 }, (_, i) => round(sorted[Math.max(1, Math.ceil((i * n) / 100)) - 1]!, 3));
}

/** Element h counts the samples equal to h, from 0 to the largest (samples are small non-negative integers). */
function histogram(sorted: Float64Array): number[] {
  const out: number[] = [];
  for (const h of sorted) out[h] = (out[h] ?? 0) + 1;
  return Array.from(out, (c) => c ?? 0);
}

function maxOf(sorted: Float64Array): number {
  return sorted.length ? sorted[sorted.length - 1]! : NaN;
}

/** Empty CSV cell for "no value" rather than the string NaN. */
function csvNumber(x: number): number | string {
  return Number.isFinite(x) ? round(x, 4) : "";
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toLowerCase();
}
