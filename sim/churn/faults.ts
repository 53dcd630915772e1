import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { LatencyModel } from "../network/latency.js";
import type { Network } from "../network/network.js";
import type { Message, Overlay } from "../core/protocol.js";
import type { PeerId, Population } from "../peers/population.js";
import type { Fault } from "./faults-schema.js";
import type { Lifecycle } from "./churn.js";

/**
 * The fault timeline (scenario `faults:`, docs/faults.md): things that go
 * wrong at set times, on top of whatever churn the scenario has. Like churn,
 * it only decides when and to whom; crashing a peer, freezing maintenance or
 * dropping a message is done by the same lifecycle, overlay and network code
 * that does it in any run. Every fault that fires leaves an annotation, which
 * the viewer draws on the time axes.
 *
 * Peers crashed by a fault come back only if the churn model brings them
 * back: with session churn, a crashed peer rejoins after an offline period
 * drawn from the churn's offline distribution (on the faults' random
 * stream); with a trace, when the trace next joins it; with no churn, it
 * stays down.
 */

export interface FaultAnnotation {
  time_s: number;
  kind: string;
  label: string;
  /** For a fault with a window that ends within the run: when it ends (the viewer shades the window). */
  until_s?: number;
}

export interface FaultSetup {
  faults: readonly Fault[];
  sim: Simulator;
  rng: Rng;
  population: Population;
  network: Network;
  latency: LatencyModel;
  overlay: Overlay<Message>;
  lifecycle: Lifecycle;
  /** Tells churn a fault took `peer` down, so it plans the peer's return (see InstalledChurn). */
  departedEarly(peer: PeerId, rng: Rng): void;
  /** Size of the churn pool, for partitions by id of overlays without identifiers. */
  poolSize: number;
  /** The service peers of each role, and how to take one down and bring it back. */
  services: Readonly<Record<string, readonly PeerId[]>>;
  serviceDown(peer: PeerId): void;
  serviceUp(peer: PeerId): void;
  /** Stops (true) or resumes (false) the overlay's periodic maintenance (the runtime's `every` tasks). */
  freezeMaintenance(frozen: boolean): void;
  endMs: number;
  /** Receives each annotation when its fault fires. */
  annotate(a: FaultAnnotation): void;
}

/** Installs every fault of the timeline on the simulator. Throws (with the fault's index) if a fault cannot apply to this run. */
export function installFaults(setup: FaultSetup): void {
  const { sim, endMs } = setup;
  setup.faults.forEach((fault, i) => {
    check(fault, i, setup);
    const start = () => begin(fault, setup);
    sim.at(fault.at, start);
    const until = "until" in fault ? fault.until : undefined;
    if (until !== undefined && until < endMs) sim.at(until, () => end(fault, setup));
  });
}

function check(fault: Fault, index: number, s: FaultSetup): void {
  const where = `faults[${index}] (${fault.kind})`;
  if (fault.kind === "crash-role") {
    const peers = s.services[fault.role];
    if (!peers || peers.length === 0) {
      const roles = Object.keys(s.services);
      throw new FaultError(`${where}.role: no service peers with role "${fault.role}" in this overlay; ${roles.length ? `roles here: ${roles.map((r) => JSON.stringify(r)).join(", ")}` : "it has no service roles"}`);
    }
    if (fault.index !== undefined && fault.index >= peers.length) {
      throw new FaultError(`${where}.index: expected 0 to ${peers.length - 1} (there are ${peers.length} "${fault.role}" servers), got ${fault.index}`);
    }
  }
}

/** A fault that does not fit the run (a role the overlay lacks): reported like a scenario error. */
export class FaultError extends Error {
  override readonly name = "FaultError";
}

function begin(fault: Fault, s: FaultSetup): void {
  const t = s.sim.now;
  const until = "until" in fault && fault.until !== undefined && fault.until < s.endMs ? { until_s: Math.round(fault.until) / 1000 } : {};
  const note = (kind: string, label: string) => s.annotate({ time_s: Math.round(t) / 1000, kind, label, ...until });
  switch (fault.kind) {
    case "crash": {
      const victims = chooseVictims(fault.fraction, fault.target, s);
      for (const peer of victims) {
        s.lifecycle.crash(peer);
        s.departedEarly(peer, s.rng);
      }
      note("crash", `${victims.length} peers crash (${fault.target === "random" ? "at random" : `most ${fault.target}`})`);
      return;
    }
    case "crash-role": {
      for (const peer of rolePeers(fault, s)) s.serviceDown(peer);
      note("outage", `${roleName(fault)} down`);
      return;
    }
    case "partition": {
      s.network.conditions.group = partitionGroups(fault, s);
      note("partition", `network split in ${fault.by === "region" ? "regions" : `${fault.groups} groups by ${fault.by}`}`);
      return;
    }
    case "degrade": {
      const c = s.network.conditions;
      if (fault.loss !== undefined) c.loss = fault.loss;
      if (fault.latencyFactor !== undefined) c.latencyFactor = fault.latencyFactor;
      if (fault.extraLatency !== undefined) c.extraLatencyMs = fault.extraLatency;
      const parts = [
        fault.loss !== undefined ? `loss ${fault.loss}` : "",
        fault.latencyFactor !== undefined ? `latency ×${fault.latencyFactor}` : "",
        fault.extraLatency !== undefined ? `latency +${fault.extraLatency} ms` : "",
      ].filter(Boolean);
      note("degrade", `network degraded: ${parts.join(", ")}`);
      return;
    }
    case "freeze":
      s.freezeMaintenance(true);
      note("freeze", "maintenance frozen");
      return;
    case "flash-crowd": {
      const gap = fault.joins > 1 ? fault.over / fault.joins : 0;
      for (let i = 0; i < fault.joins; i++) {
        const peer = s.lifecycle.create();
        s.sim.schedule(i * gap, (p: PeerId) => {
          s.lifecycle.join(p);
          if (fault.stay !== undefined) s.sim.schedule(fault.stay, (q: PeerId) => s.lifecycle.leave(q), p);
        }, peer);
      }
      note("flash-crowd", `flash crowd: ${fault.joins} peers join${fault.over > 0 ? ` over ${fault.over / 1000} s` : ""}`);
      return;
    }
  }
}

function end(fault: Fault, s: FaultSetup): void {
  const note = (kind: string, label: string) => s.annotate({ time_s: Math.round(s.sim.now) / 1000, kind, label });
  switch (fault.kind) {
    case "crash-role":
      for (const peer of rolePeers(fault, s)) s.serviceUp(peer);
      note("restart", `${roleName(fault)} back up`);
      return;
    case "partition":
      s.network.conditions.group = undefined;
      note("heal", "partition healed");
      return;
    case "degrade": {
      const c = s.network.conditions;
      c.loss = undefined;
      c.latencyFactor = 1;
      c.extraLatencyMs = 0;
      note("recover", "network back to normal");
      return;
    }
    case "freeze":
      s.freezeMaintenance(false);
      note("unfreeze", "maintenance resumes");
      return;
    default:
      return;
  }
}

function rolePeers(fault: Extract<Fault, { kind: "crash-role" }>, s: FaultSetup): readonly PeerId[] {
  const peers = s.services[fault.role]!;
  return fault.index === undefined ? peers : [peers[fault.index]!];
}

function roleName(fault: Extract<Fault, { kind: "crash-role" }>): string {
  return fault.index === undefined ? `${fault.role} server(s)` : `${fault.role} server ${fault.index + 1}`;
}

/**
 * The peers a crash takes down: round(fraction · online) of them, at random
 * or the top ones by a measure of centrality (ties go to the lower peer
 * number, so the choice is the same on every machine).
 */
export function chooseVictims(fraction: number, target: "random" | "degree" | "load" | "storage", s: FaultSetup): PeerId[] {
  const live = s.population.livePeers().slice();
  const n = Math.round(fraction * live.length);
  if (n === 0) return [];
  if (target === "random") return s.rng.sample(live, n);
  const score = new Map<PeerId, number>();
  if (target === "load") {
    for (const p of live) score.set(p, s.network.receivedBy(p));
  } else {
    const snapshot = s.overlay.snapshot?.();
    if (!snapshot) throw new Error(`a crash targeted by ${target} needs an overlay that can describe its graph`);
    for (const p of live) score.set(p, 0);
    for (const peer of snapshot.peers) {
      if (!score.has(peer.peer)) continue;
      if (target === "storage") {
        score.set(peer.peer, peer.keys.length);
        continue;
      }
      score.set(peer.peer, score.get(peer.peer)! + new Set(peer.links).size);
      for (const l of new Set(peer.links)) if (score.has(l) && l !== peer.peer) score.set(l, score.get(l)! + 1);
    }
  }
  live.sort((a, b) => score.get(b)! - score.get(a)! || a - b);
  return live.slice(0, n);
}

/** Which group each peer is in while the network is split. */
function partitionGroups(fault: Extract<Fault, { kind: "partition" }>, s: FaultSetup): (peer: PeerId) => number {
  const groups = fault.groups;
  switch (fault.by) {
    case "random": {
      // A salted hash of the peer number: every peer, even one created later, has a fixed group.
      const salt = Math.floor(s.rng.next() * 0x100000000) | 0;
      return (peer) => (mix(peer ^ salt) >>> 0) % groups;
    }
    case "region": {
      const names = new Map<string, number>();
      return (peer) => {
        const r = s.latency.regionOf(peer) ?? "";
        let g = names.get(r);
        if (g === undefined) names.set(r, (g = names.size));
        return g;
      };
    }
    case "id": {
      const fractionOf = s.overlay.idFraction?.bind(s.overlay);
      return fractionOf
        ? (peer) => Math.min(groups - 1, Math.floor(fractionOf(peer) * groups))
        : (peer) => Math.min(groups - 1, Math.floor((peer / s.poolSize) * groups));
    }
  }
}

function mix(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}
