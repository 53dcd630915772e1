/**
 * The BitTorrent benchmark (issue 19): a flash crowd of `peers` leechers
 * joins at time 0 to fetch a 100 MB file (400 pieces of 256 KiB) from one
 * seed, on heterogeneous links under `maxmin`, until every leecher has the
 * file (the run stops within a simulated second of the last completion,
 * rather than simulating idle seeds for the rest of `duration`).
 * The whole overlay runs (tracker, peer wire, picker, choker), through the
 * same Simulation a scenario builds. The model options that trade accuracy
 * for speed (transferUnit, haveInterval, redundantHaves, solveInterval) are
 * parameters, exact unless a workload says otherwise; `execution: rounds` runs the flow-level
 * swarm instead (rounds and flows solved reported). Reports wall time, events, the solver's
 * work and the download times, whose checksum shows reruns are identical.
 */
import { DownloadOutcome } from "../metrics/downloads.js";
import { Simulation } from "../run/simulation.js";
import { validateScenario } from "../scenario/load.js";
import { timePhases } from "./measure.js";

/** Simulated time between checks for the last download (ms; fixed, so the stopping point is deterministic). */
const CHECK_EVERY_MS = 1_000;

export interface BittorrentBenchOptions {
  name?: string;
  peers?: number;
  /** "piece" (the default here: one transfer per piece) or "block" (16 KiB requests, exact). */
  transferUnit?: "piece" | "block";
  fileSize?: string;
  /** overlay.haveInterval: "0s" sends every HAVE (exact); longer batches them. */
  haveInterval?: string;
  /** overlay.redundantHaves: true sends every HAVE to every connection (BEP 3); false skips peers known to have the pieces. */
  redundantHaves?: boolean;
  /** network.bandwidth.solveInterval: "0s" solves rates at every start and end (exact); longer solves once per step. */
  solveInterval?: string;
  seed?: number;
  /** overlay.execution: "events" (the default) or "rounds" (the flow-level swarm, one engine event per round). */
  execution?: "events" | "rounds";
  /** overlay.roundLength with execution rounds. */
  roundLength?: string;
  /** Stop once every leecher has the file (default) or run the whole `duration` (2 h). */
  untilDone?: boolean;
}

export function benchBittorrent(opts: BittorrentBenchOptions = {}) {
  const peers = opts.peers ?? 10_000;
  const transferUnit = opts.transferUnit ?? "piece";
  const raw = {
    name: opts.name ?? "bittorrent",
    seed: opts.seed ?? 1,
    duration: "2h",
    peers: { count: peers, joinOver: "0s" },
    network: {
      latency: { model: "lognormal", median: "40ms", sigma: 0.5, min: "5ms" },
      bandwidth: {
        model: "maxmin",
        ...(opts.solveInterval !== undefined ? { solveInterval: opts.solveInterval } : {}),
        links: {
          classes: [
            { share: 0.5, upload: "1Mbit/s", download: "8Mbit/s" },
            { share: 0.3, upload: "5Mbit/s", download: "36Mbit/s" },
            { share: 0.2, upload: "20Mbit/s", download: "100Mbit/s" },
          ],
        },
        services: { seed: { upload: "20Mbit/s", download: "20Mbit/s" }, tracker: { upload: "1Gbit/s", download: "1Gbit/s" } },
      },
    },
    overlay: {
      type: "bittorrent",
      torrent: { size: opts.fileSize ?? "100MB", pieceSize: "256KiB", transferUnit },
      haveInterval: opts.haveInterval ?? "0s",
      redundantHaves: opts.redundantHaves ?? true,
      pieceMapPeers: 0,
      ...(opts.execution !== undefined ? { execution: opts.execution } : {}),
      ...(opts.roundLength !== undefined ? { roundLength: opts.roundLength } : {}),
    },
    workload: { lookups: { count: 0 } },
    metrics: { interval: "1m", warmup: "0s" },
  };
  const scenario = validateScenario(raw, raw.name);
  const untilDone = opts.untilDone ?? true;
  const { state: simulation, timing } = timePhases(
    peers,
    () => new Simulation(scenario),
    (s) => {
      if (!untilDone) s.runToEnd();
      else {
        for (let t = CHECK_EVERY_MS; ; t += CHECK_EVERY_MS) {
          s.sim.run({ until: Math.min(t, s.durationMs) });
          if (t >= s.durationMs || allCompleted(s, peers)) break;
        }
      }
      return s.sim.eventsRun;
    },
  );
  const { summary } = simulation.finish();
  const s = summary as unknown as {
    downloads: { completed: number; timeMs: { mean: number; p50: number; p90: number; max: number } };
    overlay: { distributionTimeS: number; tOverTMin: number };
    counters: Record<string, number>;
    traffic: { byType: Record<string, { messages: number }> };
  };
  // execution rounds: rounds that moved bytes, and max-min flows solved over all of them.
  const roundWork = (simulation.overlay.results?.() as { roundWork?: { rounds: number; flows: number } } | undefined)?.roundWork;
  const flows = simulation.network.carrier.flows;
  const componentFlows = (simulation.network.carrier.policy as { componentFlows?: number }).componentFlows;
  return {
    name: raw.name,
    peers,
    transferUnit,
    haveInterval: raw.overlay.haveInterval,
    redundantHaves: raw.overlay.redundantHaves,
    solveInterval: opts.solveInterval ?? "0s",
    simulatedS: Math.round(simulation.sim.now) / 1000,
    ...timing,
    solves: flows.solves,
    ...(roundWork ? { rounds: roundWork.rounds, roundFlows: roundWork.flows } : {}),
    meanComponentFlows: componentFlows !== undefined ? Math.round((componentFlows / flows.solves) * 10) / 10 : null,
    reschedules: flows.reschedules,
    downloadsCompleted: s.downloads.completed,
    downloadMeanS: Math.round(s.downloads.timeMs.mean) / 1000,
    downloadP90S: Math.round(s.downloads.timeMs.p90) / 1000,
    distributionTimeS: s.overlay.distributionTimeS,
    tOverTMin: s.overlay.tOverTMin,
    duplicateBlocks: s.counters.duplicateBlocks,
    // What the events are: control messages by type (each is one event), and the data transfers
    // (about one per request: a block, or a whole piece in piece mode).
    messages: messageCounts(s.traffic.byType),
  };
}

/** True once `peers` downloads have started and every one of them completed. */
function allCompleted(s: Simulation, peers: number): boolean {
  const table = s.downloads?.table;
  if (!table || table.size < peers) return false;
  for (let id = 0; id < table.size; id++) if (table.outcome[id] !== DownloadOutcome.Completed) return false;
  return true;
}

/** Messages sent, by type, largest first (types never sent left out). */
function messageCounts(byType: Record<string, { messages: number }>): Record<string, number> {
  const sent = Object.entries(byType).filter(([, t]) => t.messages > 0);
  sent.sort((a, b) => b[1].messages - a[1].messages || (a[0] < b[0] ? -1 : 1));
  return Object.fromEntries(sent.map(([type, t]) => [type, t.messages]));
}
