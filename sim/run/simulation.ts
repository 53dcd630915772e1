import { installChurn, type ChurnSpec, type Lifecycle } from "../churn/churn.js";
import { FaultPlan, installFaults, type FaultAnnotation } from "../churn/faults/timeline.js";
import { ADVERSARY_COUNTERS, Adversaries } from "../peers/adversaries.js";
import { Rng } from "../engine/rng.js";
import { Simulator } from "../engine/simulator.js";
import { LookupState, LookupTable } from "../metrics/lookups.js";
import { BROADCAST_COLUMNS, BroadcastStats, BroadcastTable, type BroadcastSummary } from "../metrics/broadcasts.js";
import { describeColumns, type ColumnMeta } from "../metrics/columns.js";
import { round } from "../metrics/stats.js";
import { StorageTally, type StorageSummary } from "../metrics/storage.js";
import { Recorder, type Summary, type TimeSeriesRow } from "../metrics/recorder.js";
import { Observers } from "../metrics/observers/registry.js";
import type { FileContent } from "../metrics/writers.js";
import { type LatencyModel, type LatencySpec } from "../network/latency.js";
import { makeLatencyModel } from "../network/latency-models.js";
import { Network } from "../network/network.js";
import { makePolicy, type CarrierName } from "../network/carriers/carrier.js";
import { Links, type LinksInput } from "../network/links.js";
import { BANDWIDTH_COLUMNS, Meter } from "../network/meter.js";
import { parseBandwidth } from "../core/units.js";
import { fileSizeBytes, fileSizes } from "../workload/file-sizes.js";
import { OverlayRuntime } from "../overlays/context.js";
import type { Message, MessageTypes, Overlay, OverlayDefinition, ServiceSpec } from "../core/protocol.js";
import { findOverlay } from "../overlays/registry.js";
import { HostCache } from "../peers/bootstrap.js";
import { Population, type PeerId } from "../peers/population.js";
import type { Scenario } from "../scenario/schema.js";
import { keyPopularity } from "../workload/key-space.js";
import { LookupOperations } from "../workload/lookup-operations.js";
import { BroadcastWatch } from "../workload/broadcast-watch.js";
import { createWorkloads } from "../workload/registry.js";
import { DOWNLOAD_COLUMNS, DownloadOutcome, DownloadStats, DownloadTable, downloadRows, type DownloadSummary } from "../metrics/downloads.js";

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
  /** What records the run besides the recorder (metrics.*, sim/metrics/observers/): intervals, traces, snapshots. */
  private readonly observers: Observers;
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

  /** The peers' lifecycle as churn, faults and services drive it: the overlay hears of every change. */
  private readonly lifecycle: Lifecycle;
  private readonly runtime: OverlayRuntime<Message>;
  /** Lookups under way and their deadlines, whoever issues them; the overlay reports their ends here. */
  private readonly lookupOperations: LookupOperations;
  /** Availability of stored items, for overlays that store them. */
  private readonly storage = new StorageTally();

  /**
   * Builds the run in stages, each from what the earlier ones made:
   * measurement, underlay, runtime, peers, adversaries, services, overlay,
   * controls (faults), workloads, observers. Nothing runs until `runSlice`;
   * what the overlay's callbacks reach (`this.overlay`) exists by then. The
   * order of the stages is also the order of their first events, which
   * ties at equal times follow: keep it.
   */
  constructor(scenario: Scenario) {
    this.scenario = scenario;
    const definition = findOverlay(scenario.overlay.type);
    if (!definition) throw new Error(`unknown overlay "${scenario.overlay.type}"`);
    this.definition = definition;
    const root = new Rng(scenario.seed);
    this.endMs = scenario.duration;

    // Measurement: the recorder, and the tables of the operation kinds this run has.
    const messageTypes = activeMessageTypes(definition, scenario);
    this.recorder = new Recorder({
      warmupMs: scenario.metrics.warmup,
      intervalMs: scenario.metrics.interval,
      messageTypes: Object.entries(messageTypes).map(([name, info]) => ({ name, category: info.category })),
      lookupTimeouts: definition.lookupTimeouts === true,
    });
    for (const name of definition.counters) this.recorder.declareCounter(name);
    // Observers are made before the network, which reports lookup messages to them; they start in the last stage.
    this.observers = new Observers(scenario.metrics, { sim: this.sim, lookups: this.lookups, warmupMs: scenario.metrics.warmup, endMs: this.endMs });
    this.broadcasts = broadcastParts(definition, scenario, this.sim, this.population);
    this.downloads = definition.downloads ? downloadParts(scenario) : undefined;
    this.lookupOperations = new LookupOperations({
      sim: this.sim,
      population: this.population,
      lookups: this.lookups,
      recorder: this.recorder,
      timeoutMs: scenario.workload.timeout,
      warmupMs: scenario.metrics.warmup,
      abandoned: (origin, id) => this.overlay.lookupAbandoned?.(origin, id),
    });
    const faults = new FaultPlan(scenario.faults, this.endMs);

    // Underlay: latency, link capacities (their own streams, so a bandwidth section moves no other draw) and the network.
    const latency = makeLatencyModel(scenario.network.latency as LatencySpec);
    const bandwidth = scenario.network.bandwidth;
    this.links = bandwidth ? new Links(bandwidth as LinksInput, root.fork("links"), parseBandwidth) : undefined;
    this.meter = bandwidth ? new Meter(scenario.metrics.warmup) : undefined;
    this.network = this.buildNetwork(root, latency, messageTypes);
    if (this.network.countsRepair) for (const name of ["repair_messages", "repair_bytes"]) this.recorder.declareCounter(name);
    for (const name of faults.counters) this.recorder.declareCounter(name);

    // Runtime: the overlay's context, reporting operations to the tables above.
    const hostCache = new HostCache(scenario.peers.bootstrap.cacheSize, scenario.peers.bootstrap.contacts, root.fork("bootstrap"));
    this.runtime = this.buildRuntime(root, hostCache, messageTypes, faults.maintenanceResumes);
    // A freeze from 0 s is in force before anything runs: peers that come online at build time (an oracle ring)
    // register their periodic work but never start it. The fault's own event at 0 s then finds maintenance frozen.
    if (faults.maintenanceFrozenAtStart) this.runtime.setMaintenanceFrozen(true);

    // Peers: placement, the oracle's initial peers, then the churn pool (before the overlay, so it can place stored objects on it).
    this.lifecycle = this.peerLifecycle(latency, root.fork("placement"), hostCache);
    const oracle = (scenario.overlay as { bootstrap?: string }).bootstrap === "oracle";
    const initialPeers = oracle ? this.onlineFromStart(scenario.peers.count, hostCache) : undefined;
    const churn = installChurn({
      spec: scenario.churn as ChurnSpec,
      sim: this.sim,
      rng: root.fork("churn"),
      lifecycle: this.lifecycle,
      count: scenario.peers.count,
      joinOverMs: scenario.peers.joinOver,
      initialPeersOnline: initialPeers,
    });
    const pool = churn.pool;

    // Adversaries: drawn from the pool before the overlay is built, so it can ask about them.
    this.adversaries = new Adversaries(scenario.adversaries, pool, root.fork("adversaries"), this.runtime.adversaryHooks());
    this.runtime.setAdversaries(this.adversaries);
    if (this.adversaries.active) for (const name of ADVERSARY_COUNTERS) this.recorder.declareCounter(name);

    // Services: after the pool, so they shift no churn peer's id or place; they may have links of their own.
    const serviceSpecs = definition.services?.(scenario.overlay) ?? [];
    const services: Record<string, PeerId[]> = {};
    for (const spec of serviceSpecs) {
      services[spec.role] = Array.from({ length: spec.count }, () => this.lifecycle.create());
      if (this.links) for (const peer of services[spec.role]!) this.links.assign(peer, latency.regionOf(peer), spec.role);
    }

    // Overlay.
    const keys = keyPopularity(scenario.workload.keys, scenario.workload.popularity);
    this.overlay = definition.create(scenario.overlay, this.runtime.context, {
      keyCount: scenario.workload.keys,
      keyPopularity: (key: number) => keys.probability(key),
      allPeers: pool,
      services,
    });
    if (initialPeers) {
      if (!this.overlay.buildOracle) throw new Error(`overlay "${definition.name}" has no oracle bootstrap`);
      this.overlay.buildOracle(initialPeers);
    }
    this.startServices(serviceSpecs, services);

    // Controls: the fault timeline.
    installFaults({
      plan: faults,
      sim: this.sim,
      rng: root.fork("faults"),
      population: this.population,
      network: this.network,
      latency,
      overlay: this.overlay,
      lifecycle: this.lifecycle,
      departedEarly: (peer, rng) => churn.departedEarly(peer, rng),
      poolSize: pool.length,
      services,
      serviceDown: (peer) => this.serviceDown(peer),
      serviceUp: (peer) => this.serviceUp(peer),
      freezeMaintenance: (frozen) => this.runtime.setMaintenanceFrozen(frozen),
      endMs: this.endMs,
      annotate: (a) => this.faultAnnotations.push(a),
    });

    // Workloads, in the registry's order: lookups, then broadcasts.
    const workloads = createWorkloads(scenario.workload, {
      sim: this.sim,
      population: this.population,
      overlay: this.overlay,
      overlayName: definition.name,
      stream: (name) => root.fork(name),
      keys,
      lookups: this.lookupOperations,
      broadcasts: this.broadcasts?.watch,
      warmupMs: scenario.metrics.warmup,
      durationMs: scenario.duration,
    });
    for (const workload of workloads) workload.install();

    // Observers, in the registry's order: the time-series intervals, then traces and snapshots.
    this.observers.start({
      overlay: this.overlay,
      closeInterval: () => this.recorder.at(this.sim.now).closeInterval(this.sampleOverlay()),
      beginMeasurement: () => this.beginMeasurement(),
    });
  }

  private buildNetwork(root: Rng, latency: LatencyModel, messageTypes: MessageTypes<Message>): Network {
    const bandwidth = this.scenario.network.bandwidth;
    const trace = this.observers.traceMessage;
    // One function for every delivery: no closure allocated per message.
    const toOverlay = (to: PeerId, from: PeerId, msg: Message) => this.overlay.deliver(to, from, msg);
    return new Network({
      sim: this.sim,
      rng: root.fork("network"),
      latency,
      loss: this.scenario.network.loss,
      population: this.population,
      recorder: this.recorder,
      lookups: this.lookups,
      ...(this.broadcasts ? { broadcasts: this.broadcasts.table } : {}),
      messageTypes,
      // Messages per peer are counted only for the one reader, a crash of the most loaded peers:
      // the count is a store per arrival that every other run would pay for nothing.
      countLoad: this.scenario.faults.some((f) => f.kind === "crash" && (f as { target?: string }).target === "load"),
      deliver: (to, from, msg) => this.runtime.dispatch(to, from, msg, toOverlay),
      ...(bandwidth && this.links && this.meter
        ? { bandwidth: { links: this.links, meter: this.meter, policy: makePolicy(bandwidth.model as CarrierName), carryMessages: bandwidth.messages === "carried", solveIntervalMs: bandwidth.solveInterval ?? 0 } }
        : {}),
      ...(trace ? { trace } : {}),
    });
  }

  private buildRuntime(root: Rng, hostCache: HostCache, messageTypes: MessageTypes<Message>, maintenanceResumes: boolean): OverlayRuntime<Message> {
    const { broadcasts, downloads, definition, sim, scenario } = this;
    return new OverlayRuntime<Message>({
      sim,
      rng: root.fork("overlay"),
      network: this.network,
      population: this.population,
      hostCache,
      recorder: this.recorder,
      lookupSucceeded: (id, hops) => this.lookupOperations.succeeded(id, hops),
      lookupFailed: (id) => this.lookupOperations.failed(id),
      lookupTimedOut: (id) => this.lookups.timedOut(id),
      maintenanceResumes,
      lookupTypes: new Set(Object.entries(messageTypes).filter(([, info]) => info.category === "lookup").map(([name]) => name)),
      fileSize: fileSizes(fileSizeBytes(scenario.workload.fileSize), root.fork("file-sizes")),
      ...(this.links ? { links: this.links } : {}),
      ...(broadcasts ? { broadcastReached: (id: number, peer: PeerId) => broadcasts.watch.reached(id, peer) } : {}),
      ...(broadcasts && definition.originatesBroadcasts
        ? { startBroadcast: (peer: PeerId, _bytes: number, watchMs?: number) => broadcasts.watch.open(peer, watchMs) }
        : {}),
      ...(downloads
        ? {
            downloads: {
              started: (peer: PeerId, bytes: number, label: string) => {
                downloads.stats.started();
                return downloads.table.open(sim.now, peer, bytes, label);
              },
              completed: (id: number) => {
                if (downloads.table.end(id, sim.now, DownloadOutcome.Completed)) downloads.stats.ended(id);
              },
              aborted: (id: number) => {
                if (downloads.table.end(id, sim.now, DownloadOutcome.Aborted)) downloads.stats.ended(id);
              },
            },
          }
        : {}),
    });
  }

  /** How peers are made and come and go. A fault may have crashed a peer whose departure churn had already planned: such calls do nothing. */
  private peerLifecycle(latency: LatencyModel, placementRng: Rng, hostCache: HostCache): Lifecycle {
    const { population, network, recorder, sim, links } = this;
    return {
      create: (): PeerId => {
        const peer = population.create();
        latency.place(peer, placementRng);
        links?.assign(peer, latency.regionOf(peer));
        return peer;
      },
      join: (peer: PeerId) => {
        if (population.isOnline(peer)) return;
        population.markOnline(peer);
        network.peerUp(peer);
        recorder.at(sim.now).peerEvent("join", population.liveCount);
        this.overlay.join(peer);
        hostCache.announce(peer);
      },
      leave: (peer: PeerId) => {
        if (!population.isOnline(peer)) return;
        this.overlay.leave(peer);
        population.markOffline(peer);
        network.peerDown(peer);
        recorder.at(sim.now).peerEvent("leave", population.liveCount);
      },
      crash: (peer: PeerId) => {
        if (!population.isOnline(peer)) return;
        population.markOffline(peer);
        network.peerDown(peer);
        recorder.at(sim.now).peerEvent("crash", population.liveCount);
        this.overlay.crash(peer);
      },
    };
  }

  /** Oracle bootstrap: `count` peers exist and are online before the overlay is built. */
  private onlineFromStart(count: number, hostCache: HostCache): PeerId[] {
    const peers: PeerId[] = [];
    for (let i = 0; i < count; i++) {
      const peer = this.lifecycle.create();
      this.population.markOnline(peer);
      this.network.peerUp(peer);
      hostCache.announce(peer);
      peers.push(peer);
      this.recorder.at(0).peerEvent("join", this.population.liveCount);
    }
    return peers;
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

  /** The end of the warm-up: the recorder and the bandwidth meter start counting. */
  private beginMeasurement(): void {
    this.recorder.at(this.sim.now).beginMeasurement();
    if (this.meter) {
      this.network.carrier.flows.settleAll();
      this.meter.beginMeasurement(this.sim.now);
    }
  }

  /** The overlay's own time-series numbers, plus data availability when it stores items. */
  private sampleOverlay(): Record<string, number> {
    const sample = { ...this.broadcasts?.stats.sample(), ...this.downloads?.stats.sample(), ...this.overlay.sample?.(), ...this.bandwidthColumns() };
    const stored = this.overlay.availability?.();
    if (!stored) return sample;
    return { ...this.storage.sample(stored, this.recorder.intervalMeasured), ...sample };
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
    const storage = this.storage.summary();
    const fromDefinition = this.definition.summary?.(this.scenario.overlay, summary.counters, summary.measuredSeconds);
    const fromOverlay = this.overlay.summary?.();
    const derived = fromOverlay ? { ...fromDefinition, ...fromOverlay } : fromDefinition;
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

  /** The observers' result files (snapshots.json, traces.json), by name; call once, after `finish`. */
  observerFiles(): Record<string, FileContent> {
    return this.observers.files();
  }

  /** downloads.csv rows, for overlays that report downloads. */
  downloadRows(): Record<string, string | number>[] | undefined {
    return this.downloads && downloadRows(this.downloads.table);
  }
}

/**
 * The message types this run registers: all the overlay declares, except
 * broadcast types in runs that make no broadcasts and types the overlay's
 * options leave unused, so other runs' files keep their columns.
 */
function activeMessageTypes(definition: OverlayDefinition, scenario: Scenario): MessageTypes<Message> {
  const broadcasting = scenario.workload.broadcasts !== undefined || definition.originatesBroadcasts === true;
  const unused = new Set(definition.unusedMessageTypes?.(scenario.overlay) ?? []);
  const declared = Object.entries(definition.messageTypes as MessageTypes<Message>).filter(
    ([name, info]) => (info.category !== "broadcast" || broadcasting) && !unused.has(name),
  );
  return Object.fromEntries(declared) as MessageTypes<Message>;
}

/** The broadcast table, statistics and watch, in runs with workload.broadcasts or an overlay that starts broadcasts. */
function broadcastParts(definition: OverlayDefinition, scenario: Scenario, sim: Simulator, population: Population) {
  if (scenario.workload.broadcasts === undefined && !definition.originatesBroadcasts) return undefined;
  const table = new BroadcastTable();
  const stats = new BroadcastStats(table, scenario.metrics.warmup);
  return { table, stats, watch: new BroadcastWatch(sim, population, table, stats, scenario.duration) };
}

function downloadParts(scenario: Scenario) {
  const table = new DownloadTable();
  return { table, stats: new DownloadStats(table, scenario.metrics.warmup) };
}
