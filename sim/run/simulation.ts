import { installChurn, type ChurnSpec } from "../churn/churn.js";
import { installFaults, type FaultAnnotation } from "../churn/faults.js";
import { ADVERSARY_COUNTERS, Adversaries } from "../peers/adversaries.js";
import { Rng } from "../engine/rng.js";
import { Simulator } from "../engine/simulator.js";
import { LookupState, LookupTable } from "../metrics/lookups.js";
import { BROADCAST_COLUMNS, BroadcastStats, BroadcastTable, type BroadcastSummary } from "../metrics/broadcasts.js";
import { describeColumns, type ColumnMeta } from "../metrics/columns.js";
import { LookupTracer } from "../metrics/traces.js";
import { round } from "../metrics/stats.js";
import { Recorder, type Summary, type TimeSeriesRow } from "../metrics/recorder.js";
import { makeLatencyModel, type LatencySpec } from "../network/latency.js";
import { Network } from "../network/network.js";
import { makePolicy, type CarrierName } from "../network/carriers/carrier.js";
import { Links, type LinksInput } from "../network/links.js";
import { BANDWIDTH_COLUMNS, Meter } from "../network/meter.js";
import { parseBandwidth, parseSize } from "../core/units.js";
import { fileSizes, type FileSizeBytes } from "../workload/file-sizes.js";
import type { FileSizeSpec } from "../workload/file-size-schema.js";
import { OverlayRuntime } from "../overlays/context.js";
import type { Message, MessageTypes, Overlay, OverlayDefinition, ServiceSpec } from "../core/protocol.js";
import { findOverlay } from "../overlays/registry.js";
import { HostCache } from "../peers/bootstrap.js";
import { Population, type PeerId } from "../peers/population.js";
import type { Scenario } from "../scenario/schema.js";
import { keyPopularity, LookupWorkload } from "../workload/lookups.js";
import { BroadcastWatch, BroadcastWorkload } from "../workload/broadcasts.js";
import { DOWNLOAD_COLUMNS, DownloadOutcome, DownloadStats, DownloadTable, downloadRows, type DownloadSummary } from "../metrics/downloads.js";
import { SnapshotTaker } from "./snapshots.js";

/**
 * One run of one scenario: builds the world (engine, underlay, peers, overlay,
 * churn, workload, metrics) from a validated scenario, then runs it, in
 * slices if the caller wants to show progress or stop early. Building and
 * running are separate so tests and benchmarks can time or inspect each.
 *
 * Random streams, each forked from the scenario seed by name, so that extra
 * draws in one never shift another: "network", "churn", "bootstrap",
 * "workload", "overlay".
 */
export class Simulation {
  readonly scenario: Scenario;
  readonly sim = new Simulator(1 << 16);
  readonly population = new Population();
  readonly recorder: Recorder;
  readonly lookups = new LookupTable();
  /** The running overlay; tests and observers may inspect it (snapshot, sample). */
  readonly overlay: Overlay<Message>;
  /** Pictures of the overlay (metrics.snapshots), for snapshots.json. */
  readonly snapshots: SnapshotTaker | undefined;
  /** Message-by-message traces of the first measured lookups (metrics.traceLookups), for traces.json. */
  readonly tracer: LookupTracer | undefined;
  /** The fault timeline's events so far, for annotations.json. */
  readonly faultAnnotations: FaultAnnotation[] = [];
  /** The malicious peers (scenario `adversaries:`). */
  readonly adversaries: Adversaries;
  /** Per-peer link capacities and the transfer meter, when the scenario has network.bandwidth. */
  readonly links: Links | undefined;
  readonly meter: Meter | undefined;
  readonly network: Network;
  /** Published items and how far they spread (workload.broadcasts), in runs that broadcast. */
  readonly broadcasts: { table: BroadcastTable; stats: BroadcastStats; watch: BroadcastWatch } | undefined;
  /** Every download and its end, for overlays that report downloads (OverlayDefinition.downloads). */
  readonly downloads: { table: DownloadTable; stats: DownloadStats } | undefined;
  private readonly endMs: number;
  private readonly definition: OverlayDefinition;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
    const definition = findOverlay(scenario.overlay.type);
    if (!definition) throw new Error(`unknown overlay "${scenario.overlay.type}"`);
    this.definition = definition;
    const root = new Rng(scenario.seed);
    const latency = makeLatencyModel(scenario.network.latency as LatencySpec);
    const placementRng = root.fork("placement");
    this.endMs = scenario.duration;

    // Broadcast message types exist only in runs that broadcast, so other runs' files keep their columns.
    const broadcastSpec = scenario.workload.broadcasts;
    const broadcasting = broadcastSpec !== undefined || definition.originatesBroadcasts === true;
    const declaredTypes = Object.entries(definition.messageTypes as MessageTypes<Message>).filter(
      ([, info]) => info.category !== "broadcast" || broadcasting,
    );
    const activeTypes = Object.fromEntries(declaredTypes) as MessageTypes<Message>;
    const messageTypes = declaredTypes.map(([name, info]) => ({ name, category: info.category }));
    this.recorder = new Recorder({
      warmupMs: scenario.metrics.warmup,
      intervalMs: scenario.metrics.interval,
      messageTypes,
      lookupTimeouts: definition.lookupTimeouts === true,
    });
    for (const name of definition.counters) this.recorder.declareCounter(name);

    const keys = keyPopularity(scenario.workload.keys, scenario.workload.popularity);
    let overlay: Overlay<Message> | undefined;
    // One function for every delivery: no closure allocated per message.
    const toOverlay = (to: PeerId, from: PeerId, msg: Message) => overlay!.deliver(to, from, msg);
    let workload: LookupWorkload | undefined;
    const traceCount = scenario.metrics.traceLookups;
    const tracer = traceCount ? new LookupTracer(this.lookups, scenario.metrics.traceAt ?? scenario.metrics.warmup, traceCount) : undefined;
    this.tracer = tracer;
    const bandwidth = scenario.network.bandwidth;
    // Their own streams ("links", "file-sizes"), so a bandwidth section moves no other draw.
    const links = bandwidth ? new Links(bandwidth as LinksInput, root.fork("links"), parseBandwidth) : undefined;
    const meter = bandwidth ? new Meter(scenario.metrics.warmup) : undefined;
    this.links = links;
    this.meter = meter;
    const broadcastTable = broadcasting ? new BroadcastTable() : undefined;
    const broadcastWatch = broadcastTable
      ? new BroadcastWatch(this.sim, this.population, broadcastTable, new BroadcastStats(broadcastTable, scenario.metrics.warmup), scenario.duration)
      : undefined;
    this.broadcasts = broadcastWatch && { table: broadcastWatch.table, stats: broadcastWatch.stats, watch: broadcastWatch };
    const downloadTable = definition.downloads ? new DownloadTable() : undefined;
    const downloadStats = downloadTable && new DownloadStats(downloadTable, scenario.metrics.warmup);
    this.downloads = downloadTable && downloadStats && { table: downloadTable, stats: downloadStats };
    const network = new Network({
      sim: this.sim,
      rng: root.fork("network"),
      latency,
      loss: scenario.network.loss,
      population: this.population,
      recorder: this.recorder,
      lookups: this.lookups,
      ...(broadcastTable ? { broadcasts: broadcastTable } : {}),
      messageTypes: activeTypes,
      deliver: (to, from, msg) => runtime.dispatch(to, from, msg, toOverlay),
      ...(bandwidth && links && meter
        ? { bandwidth: { links, meter, policy: makePolicy(bandwidth.model as CarrierName), carryMessages: bandwidth.messages === "carried" } }
        : {}),
      ...(tracer ? { trace: (now: number, lookup: number, from: PeerId, to: PeerId, type: string) => tracer.sent(now, lookup, from, to, type) } : {}),
    });
    const hostCache = new HostCache(scenario.peers.bootstrap.cacheSize, scenario.peers.bootstrap.contacts, root.fork("bootstrap"));
    const runtime = new OverlayRuntime<Message>({
      sim: this.sim,
      rng: root.fork("overlay"),
      network,
      population: this.population,
      hostCache,
      recorder: this.recorder,
      lookupSucceeded: (id, hops) => workload!.succeeded(id, hops),
      lookupFailed: (id) => workload!.failed(id),
      lookupTimedOut: (id) => this.lookups.timedOut(id),
      lookupTypes: new Set(messageTypes.filter((t) => t.category === "lookup").map((t) => t.name)),
      fileSize: fileSizes(fileSizeBytes(scenario.workload.fileSize), root.fork("file-sizes")),
      ...(broadcastWatch ? { broadcastReached: (id: number, peer: PeerId) => broadcastWatch.reached(id, peer) } : {}),
      ...(broadcastWatch && definition.originatesBroadcasts ? { startBroadcast: (peer: PeerId, _bytes: number, watchMs?: number) => broadcastWatch.open(peer, watchMs) } : {}),
      ...(downloadTable && downloadStats
        ? {
            downloads: {
              started: (peer: PeerId, bytes: number, label: string) => {
                downloadStats.started();
                return downloadTable.open(this.sim.now, peer, bytes, label);
              },
              completed: (id: number) => {
                if (downloadTable.end(id, this.sim.now, DownloadOutcome.Completed)) downloadStats.ended(id);
              },
              aborted: (id: number) => {
                if (downloadTable.end(id, this.sim.now, DownloadOutcome.Aborted)) downloadStats.ended(id);
              },
            },
          }
        : {}),
    });
    this.network = network;
    if (network.countsRepair) for (const name of ["repair_messages", "repair_bytes"]) this.recorder.declareCounter(name);
    if (scenario.faults.some((f) => f.kind === "partition")) this.recorder.declareCounter("partition_dropped");

    const population = this.population;
    const recorder = this.recorder;
    const sim = this.sim;
    const lifecycle = {
      create: (): PeerId => {
        const peer = population.create();
        latency.place(peer, placementRng);
        links?.assign(peer, latency.regionOf(peer));
        return peer;
      },
      // A fault may have crashed a peer whose departure churn had already planned: such calls do nothing.
      join: (peer: PeerId) => {
        if (population.isOnline(peer)) return;
        population.markOnline(peer);
        network.peerUp(peer);
        recorder.at(sim.now).peerEvent("join", population.liveCount);
        overlay!.join(peer);
        hostCache.announce(peer);
      },
      leave: (peer: PeerId) => {
        if (!population.isOnline(peer)) return;
        overlay!.leave(peer);
        population.markOffline(peer);
        network.peerDown(peer);
        recorder.at(sim.now).peerEvent("leave", population.liveCount);
      },
      crash: (peer: PeerId) => {
        if (!population.isOnline(peer)) return;
        population.markOffline(peer);
        network.peerDown(peer);
        recorder.at(sim.now).peerEvent("crash", population.liveCount);
        overlay!.crash(peer);
      },
    };

    // Oracle bootstrap: the initial peers exist and are online before the overlay is built.
    const oracle = (scenario.overlay as { bootstrap?: string }).bootstrap === "oracle";
    const initialPeers: PeerId[] = [];
    if (oracle) {
      for (let i = 0; i < scenario.peers.count; i++) {
        const peer = lifecycle.create();
        population.markOnline(peer);
        network.peerUp(peer);
        hostCache.announce(peer);
        initialPeers.push(peer);
        recorder.at(0).peerEvent("join", population.liveCount);
      }
    }

    // The churn pool is created before the overlay, so the overlay can place stored objects on it.
    const churn = installChurn({
      spec: scenario.churn as ChurnSpec,
      sim,
      rng: root.fork("churn"),
      lifecycle,
      count: scenario.peers.count,
      joinOverMs: scenario.peers.joinOver,
      initialPeersOnline: oracle ? initialPeers : undefined,
    });
    const pool = churn.pool;

    // Malicious peers are drawn from the pool, before the overlay is built, so it can ask about them.
    this.adversaries = new Adversaries(scenario.adversaries, pool, root.fork("adversaries"), runtime.adversaryHooks());
    runtime.setAdversaries(this.adversaries);
    if (this.adversaries.active) for (const name of ADVERSARY_COUNTERS) this.recorder.declareCounter(name);

    // Service peers (servers with a role) come after the pool, so they shift no churn peer's id or place.
    const services: Record<string, PeerId[]> = {};
    const serviceSpecs = definition.services?.(scenario.overlay) ?? [];
    for (const spec of serviceSpecs) {
      services[spec.role] = Array.from({ length: spec.count }, () => lifecycle.create());
      // Service peers may have links of their own (network.bandwidth.services).
      if (links) for (const peer of services[spec.role]!) links.assign(peer, latency.regionOf(peer), spec.role);
    }

    overlay = definition.create(scenario.overlay, runtime.context, {
      keyCount: scenario.workload.keys,
      keyPopularity: (key: number) => keys.probability(key),
      allPeers: pool,
      services,
    });
    if (oracle) {
      if (!overlay.buildOracle) throw new Error(`overlay "${definition.name}" has no oracle bootstrap`);
      overlay.buildOracle(initialPeers);
    }
    this.overlay = overlay;
    this.startServices(serviceSpecs, services);
    installFaults({
      faults: scenario.faults,
      sim,
      rng: root.fork("faults"),
      population,
      network,
      latency,
      overlay,
      lifecycle,
      departedEarly: (peer, rng) => churn.departedEarly(peer, rng),
      poolSize: pool.length,
      services,
      serviceDown: (peer) => this.serviceDown(peer),
      serviceUp: (peer) => this.serviceUp(peer),
      freezeMaintenance: (frozen) => {
        runtime.setMaintenanceFrozen(frozen);
        overlay!.setMaintenanceFrozen?.(frozen);
      },
      endMs: this.endMs,
      annotate: (a) => this.faultAnnotations.push(a),
    });

    workload = new LookupWorkload({
      sim,
      rng: root.fork("workload"),
      population,
      overlay,
      lookups: this.lookups,
      recorder,
      keys,
      arrivals: scenario.workload.lookups,
      timeoutMs: scenario.workload.timeout,
      warmupMs: scenario.metrics.warmup,
      durationMs: scenario.duration,
    });
    workload.install();
    if (broadcastSpec && broadcastWatch) {
      if (!overlay.broadcast) throw new Error(`overlay "${definition.name}" cannot broadcast`);
      new BroadcastWorkload({
        sim,
        rng: root.fork("broadcasts"),
        population,
        overlay,
        watch: broadcastWatch,
        spec: broadcastSpec,
        warmupMs: scenario.metrics.warmup,
        durationMs: scenario.duration,
      }).install();
    }
    this.scheduleIntervals();
    const snapshots = scenario.metrics.snapshots;
    this.snapshots = snapshots ? new SnapshotTaker(sim, overlay, snapshots, this.endMs, this.tracer, scenario.metrics.traceAt ?? []) : undefined;
  }

  /** A service peer crashes (an outage); nothing happens if it is already down. */
  private serviceDown(peer: PeerId): void {
    if (!this.population.isOnline(peer)) return;
    this.population.markServiceOffline(peer);
    this.network.peerDown(peer);
    this.overlay.crash(peer);
  }

  /** A service peer comes (back) up; nothing happens if it is already up. */
  private serviceUp(peer: PeerId): void {
    if (this.population.isOnline(peer)) return;
    this.population.markServiceOnline(peer);
    this.network.peerUp(peer);
    this.overlay.join(peer);
  }

  /** Brings the service peers online at time 0 and schedules their outages. */
  private startServices(specs: readonly ServiceSpec[], services: Record<string, PeerId[]>): void {
    const down = (peer: PeerId) => this.serviceDown(peer);
    const restart = (peer: PeerId) => this.serviceUp(peer);
    for (const spec of specs) {
      for (const peer of services[spec.role]!) this.serviceUp(peer);
      for (const outage of spec.outages ?? []) {
        const peer = services[spec.role]![outage.index];
        if (peer === undefined) throw new Error(`no ${spec.role} number ${outage.index} (there are ${spec.count})`);
        if (outage.atMs < this.endMs) this.sim.at(outage.atMs, down, peer);
        if (outage.restartAtMs !== undefined && outage.restartAtMs < this.endMs) this.sim.at(outage.restartAtMs, restart, peer);
      }
    }
  }

  /** Closes a time-series interval every `metrics.interval`, and at the end of the run. */
  private scheduleIntervals(): void {
    const { interval, warmup } = this.scenario.metrics;
    const close = () => {
      this.recorder.at(this.sim.now).closeInterval(this.sampleOverlay());
      const next = this.sim.now + interval;
      if (next < this.endMs) this.sim.at(next, close);
    };
    if (interval < this.endMs) this.sim.at(interval, close);
    const begin = () => {
      this.recorder.at(this.sim.now).beginMeasurement();
      if (this.meter) {
        this.network.carrier.flows.settleAll();
        this.meter.beginMeasurement(this.sim.now);
      }
    };
    if (warmup > 0) this.sim.at(warmup, begin);
    else begin();
  }

  /** The overlay's own time-series numbers, plus data availability when it stores items. */
  private sampleOverlay(): Record<string, number> {
    const sample = { ...this.broadcasts?.stats.sample(), ...this.downloads?.stats.sample(), ...this.overlay.sample?.(), ...this.bandwidthColumns() };
    const stored = this.overlay.availability?.();
    if (!stored) return sample;
    return {
      items_stored: stored.stored,
      items_available: stored.available,
      availability: stored.stored > 0 ? round(stored.available / stored.stored) : 1,
      ...(stored.lost !== undefined ? { items_lost: stored.lost } : {}),
      ...sample,
    };
  }

  /** The bandwidth columns of the interval ending now (none without network.bandwidth). */
  private bandwidthColumns(): Record<string, number> {
    if (!this.meter || !this.links) return {};
    this.network.carrier.flows.settleAll();
    const upload = this.links.upload;
    return this.meter.closeInterval(this.sim.now, (peer) => upload[peer]!);
  }

  /** Simulated time at which the run ends (ms). */
  get durationMs(): number {
    return this.endMs;
  }

  /** Runs at most `maxEvents` more events. Returns true once the run has reached its end. */
  runSlice(maxEvents: number): boolean {
    const stop = this.sim.run({ until: this.endMs, maxEvents });
    return stop === "until" || stop === "empty";
  }

  /** Runs to the end in one go. */
  runToEnd(): void {
    this.sim.run({ until: this.endMs });
  }

  /** Closes the last (possibly partial) interval and computes the summary. Call once, after running. */
  finish(): {
    summary: Summary & {
      storage?: StorageSummary;
      overlay?: Record<string, number>;
      broadcasts?: BroadcastSummary;
      downloads?: DownloadSummary;
      bandwidth?: ReturnType<Meter["summary"]>;
    };
    timeSeries: readonly TimeSeriesRow[];
  } {
    const now = this.sim.now;
    this.broadcasts?.watch.finish();
    const rows = this.recorder.timeSeries();
    const lastClosed = rows.length > 0 ? (rows[rows.length - 1]!.time_s as number) * 1000 : 0;
    if (now > lastClosed) this.recorder.at(now).closeInterval(this.sampleOverlay());

    const warmup = this.scenario.metrics.warmup;
    const messages: number[] = [];
    const bytes: number[] = [];
    let unfinished = 0;
    const t = this.lookups;
    for (let id = 0; id < t.size; id++) {
      if (t.startMs[id]! < warmup) continue;
      if (t.state[id] === LookupState.Pending) {
        unfinished++;
        continue;
      }
      messages.push(t.messages[id]!);
      bytes.push(t.bytes[id]!);
    }
    const summary = this.recorder.at(now).summary({
      endMs: now,
      unfinishedLookups: unfinished,
      perLookupMessages: messages,
      perLookupBytes: bytes,
    });
    const storage = storageSummary(this.recorder.timeSeries());
    const derived = this.definition.summary?.(this.scenario.overlay, summary.counters, summary.measuredSeconds);
    const overlay = derived && Object.fromEntries(Object.entries(derived).map(([k, v]) => [k, Number.isFinite(v) ? round(v) : v]));
    const hasOverlay = overlay !== undefined && Object.keys(overlay).length > 0;
    let bandwidth: ReturnType<Meter["summary"]> | undefined;
    if (this.meter && this.links) {
      this.network.carrier.flows.settleAll();
      const upload = this.links.upload;
      bandwidth = this.meter.summary(now, (peer) => upload[peer]!);
    }
    const broadcasts = this.broadcasts?.stats.summary();
    const downloads = this.downloads?.stats.summary();
    const full = { ...summary, ...(broadcasts ? { broadcasts } : {}), ...(downloads ? { downloads } : {}), ...(storage ? { storage } : {}), ...(hasOverlay ? { overlay } : {}), ...(bandwidth ? { bandwidth } : {}) };
    return { summary: full, timeSeries: this.recorder.timeSeries() };
  }

  /** Metadata of every time-series column (columns.json): unit, kind and title in English and Korean. */
  columns(): Record<string, ColumnMeta> {
    const rows = this.recorder.timeSeries();
    const header = rows.length > 0 ? Object.keys(rows[0]!) : [];
    return describeColumns(header, {
      ...(this.broadcasts ? BROADCAST_COLUMNS : {}),
      ...(this.downloads ? DOWNLOAD_COLUMNS : {}),
      ...(this.meter ? BANDWIDTH_COLUMNS : {}),
    });
  }

  /** downloads.csv rows, for overlays that report downloads. */
  downloadRows(): Record<string, string | number>[] | undefined {
    return this.downloads && downloadRows(this.downloads.table);
  }
}

/** What summary.json says about stored items: availability over the measured window (mean and at the end), and items lost for good. */
export interface StorageSummary {
  itemsStored: number;
  availabilityMean: number | null;
  availabilityMin: number | null;
  availabilityEnd: number | null;
  itemsLost: number | null;
}

function storageSummary(rows: readonly TimeSeriesRow[]): StorageSummary | undefined {
  const measured = rows.filter((r) => r.phase === "measure" && typeof r.availability === "number");
  if (measured.length === 0) return undefined;
  const values = measured.map((r) => r.availability as number);
  const last = measured[measured.length - 1]!;
  return {
    itemsStored: last.items_stored as number,
    availabilityMean: round(values.reduce((a, b) => a + b, 0) / values.length),
    availabilityMin: Math.min(...values),
    availabilityEnd: last.availability as number,
    itemsLost: typeof last.items_lost === "number" ? last.items_lost : null,
  };
}

/** workload.fileSize with its sizes in bytes. */
function fileSizeBytes(spec: FileSizeSpec | undefined): FileSizeBytes | undefined {
  if (spec === undefined) return undefined;
  const bytes = (v: string | number) => (typeof v === "number" ? v : parseSize(v)!);
  if (typeof spec !== "object") return bytes(spec);
  switch (spec.distribution) {
    case "exponential":
      return { distribution: "exponential", mean: bytes(spec.mean) };
    case "uniform":
      return { distribution: "uniform", min: bytes(spec.min), max: bytes(spec.max) };
    case "lognormal":
      return { distribution: "lognormal", median: bytes(spec.median), sigma: spec.sigma };
    case "pareto":
      return { distribution: "pareto", scale: bytes(spec.scale), shape: spec.shape };
  }
}
