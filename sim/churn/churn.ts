import { z } from "zod";
import { familyUnion, type ComponentDefinition } from "../core/component.js";
import { durationDistribution, probability, strict } from "../core/fields.js";
import { makeSampler, type DistributionSpec } from "../engine/distributions.js";
import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { PeerId } from "../peers/population.js";
import type { ChurnTrace } from "./trace.js";

/**
 * Churn: when peers come and go. The experimenter's side of the run (PeerSim
 * would call it a control): it only decides *when*; what a join, leave or
 * crash does is the lifecycle's business.
 *
 * With `sessions`, every peer alternates online sessions and offline periods
 * drawn from the scenario's distributions. To keep `count` peers online on
 * average, the pool holds count·(E[session] + E[offline]) / E[session] peers:
 * at equilibrium a peer is online a fraction E[session]/(E[session]+E[offline])
 * of the time. The first `count` peers start online (joining over the join
 * window), the rest start offline.
 *
 * The run starts in equilibrium: a peer online at time 0 has been online for
 * a while already, so its remaining session is a *residual* life, which for
 * heavy-tailed sessions is much longer than a fresh one (the inspection
 * paradox). Drawing fresh sessions instead would make the population sag
 * at the start and recover only after many session lengths. The residual is
 * drawn without knowing the distribution's form: each peer's on/off
 * alternation is played forward from far in the past (ten mean cycles)
 * until it crosses time 0 in the wanted state.
 */

export type ChurnSpec =
  | { model: "none" }
  | { model: "sessions"; session: DistributionSpec; offline: DistributionSpec; gracefulLeave: number }
  | { model: "trace"; file: string; trace?: ChurnTrace };

export interface Lifecycle {
  /** Creates a new, offline peer. */
  create(): PeerId;
  join(peer: PeerId): void;
  leave(peer: PeerId): void;
  crash(peer: PeerId): void;
}

/**
 * The churn models a scenario can name in churn.model (the family shape of
 * sim/core/component.ts): the schema and `peerlab list` come from this list,
 * and `create` installs the model in a run (makes the pool, schedules every
 * join and departure).
 */
export const CHURN_MODELS = [
  {
    name: "none",
    description: "peers join during the join window and stay",
    schema: strict({ model: z.literal("none") }).meta({ description: "Peers join during peers.joinOver and stay." }),
    create: (setup: ChurnSetup) => installSessions(setup),
  },
  {
    name: "sessions",
    description: "peers alternate sessions and offline periods (fixed, exponential, uniform, pareto, weibull, lognormal) around the target population",
    schema: strict({
        model: z.literal("sessions"),
        /** How long a peer stays online each time. */
        session: durationDistribution("1h").meta({ description: "How long a peer stays online each time, chosen by `distribution`." }),
        /** How long a peer stays away between sessions. */
        offline: durationDistribution("1h").meta({ description: "How long a peer stays away between sessions, chosen by `distribution`." }),
        /** Fraction of departures that are graceful goodbyes; the rest are crashes. */
        gracefulLeave: probability()
          .default(0.5)
          .meta({ description: "Fraction of departures that are graceful goodbyes; the rest are crashes." }),
      }).meta({
        description:
          "Peers alternate online sessions and offline periods; the pool holds count·(E[session] + E[offline]) / E[session] peers, so about `count` are online.",
      }),
    create: (setup: ChurnSetup) => installSessions(setup),
  },
  {
    name: "trace",
    description: "replays a CSV trace of (time_s, peer, event) rows; `peerlab trace generate` writes one from any churn model",
    schema: strict({
        model: z.literal("trace"),
        file: z
          .string()
          .min(1)
          .meta({ description: "A churn trace (CSV: time_s,peer,event; see docs/faults.md), relative to the scenario file." }),
      }).meta({
        description: "Replays a churn trace: each row joins, leaves or crashes one peer at its time; the pool holds max(peer label)+1 peers and peers.count is not used.",
      }),
    create: (setup: ChurnSetup): InstalledChurn => ({ pool: replayTrace(traceOf(setup.spec as TraceSpec), setup.sim, setup.lifecycle), departedEarly: () => {} }),
  },
] as const satisfies readonly ComponentDefinition<InstalledChurn, ChurnSetup>[];

/** The churn section of a scenario: one of the models, by `model`. */
export const churnSchema = familyUnion("model", "a churn model", CHURN_MODELS);

export const SESSION_DISTRIBUTIONS = ["fixed", "exponential", "uniform", "pareto", "weibull", "lognormal"];

/** Size of the pool that keeps `count` peers online on average. */
export function poolSize(spec: ChurnSpec, count: number): number {
  if (spec.model === "none") return count;
  if (spec.model === "trace") return traceOf(spec).peers;
  const on = makeSampler(spec.session).mean;
  const off = makeSampler(spec.offline).mean;
  return Math.max(count, Math.round((count * (on + off)) / on));
}

export interface ChurnSetup {
  spec: ChurnSpec;
  sim: Simulator;
  rng: Rng;
  lifecycle: Lifecycle;
  /** Target number of online peers. */
  count: number;
  /** The first `count` peers join evenly over this window (ms). */
  joinOverMs: number;
  /** Oracle bootstrap: the first `count` peers are already online at time 0. */
  initialPeersOnline: readonly PeerId[] | undefined;
}

/** The churn of a run, once installed. */
export interface InstalledChurn {
  /** Every peer that can ever be online. */
  pool: PeerId[];
  /**
   * Something other than churn (a fault) took `peer` offline. With session
   * churn its planned departure is cancelled and it comes back after an
   * offline period, drawn from `rng` (the caller's stream, so the churn
   * stream and every other peer's churn stay as they were). With a trace the
   * peer rejoins when the trace next says so; without churn it stays away.
   */
  departedEarly(peer: PeerId, rng: Rng): void;
}

/** Creates the peer pool and schedules every join and departure, by the scenario's churn model. */
export function installChurn(setup: ChurnSetup): InstalledChurn {
  const model = CHURN_MODELS.find((m) => m.name === setup.spec.model);
  if (model === undefined) throw new Error(`unknown churn model "${setup.spec.model}"`);
  return model.create(setup);
}

/** No churn, or sessions: the first `count` peers join (over the join window, or are there at 0), the rest of the pool comes and goes. */
function installSessions(setup: ChurnSetup): InstalledChurn {
  const { spec, sim, rng, lifecycle, count } = setup;
  const pool: PeerId[] = setup.initialPeersOnline ? setup.initialPeersOnline.slice() : [];
  while (pool.length < poolSize(spec, count)) pool.push(lifecycle.create());

  const initial = pool.slice(0, count);
  const session = spec.model === "sessions" ? makeSampler(spec.session) : undefined;
  const offline = spec.model === "sessions" ? makeSampler(spec.offline) : undefined;

  /** Time from 0 until a peer that is online (or offline) at time 0 changes state, in equilibrium. */
  const residual = (wantOnline: boolean): number => {
    const cycle = session!.mean + offline!.mean;
    const pOnline = session!.mean / cycle;
    for (;;) {
      // A random phase within one cycle, so that even fixed durations end up spread out.
      let t = -10 * cycle - rng.next() * cycle;
      let online = rng.next() < pOnline;
      for (;;) {
        const end = t + (online ? session! : offline!).sample(rng);
        if (end > 0) {
          if (online === wantOnline) return end;
          break; // crossed 0 in the other state: try again
        }
        t = end;
        online = !online;
      }
    }
  };

  /**
   * Each online peer's planned departure (its event handle; -1: none), so a
   * fault that takes it down first can cancel it. A typed array by peer
   * number: a map of a million handles was a large share of the heap.
   */
  let plannedDeparture = new Float64Array(Math.max(16, pool.length)).fill(-1);
  const planDeparture = (peer: PeerId, after: number) => {
    if (peer >= plannedDeparture.length) {
      const bigger = new Float64Array(Math.max(peer + 1, 2 * plannedDeparture.length)).fill(-1);
      bigger.set(plannedDeparture);
      plannedDeparture = bigger;
    }
    plannedDeparture[peer] = sim.schedule(after, depart, peer);
  };
  const depart = (peer: PeerId) => {
    if (spec.model !== "sessions") return;
    plannedDeparture[peer] = -1;
    if (rng.next() < spec.gracefulLeave) lifecycle.leave(peer);
    else lifecycle.crash(peer);
    sim.schedule(offline!.sample(rng), arrive, peer);
  };
  const arrive = (peer: PeerId) => {
    lifecycle.join(peer);
    if (session) planDeparture(peer, session.sample(rng));
  };
  const arriveMidSession = (peer: PeerId) => {
    lifecycle.join(peer);
    if (session) planDeparture(peer, residual(true));
  };
  const departedEarly = (peer: PeerId, faultRng: Rng) => {
    const planned = peer < plannedDeparture.length ? plannedDeparture[peer]! : -1;
    if (planned < 0) return; // no churn, or the peer had not joined yet (it still will)
    sim.cancel(planned);
    plannedDeparture[peer] = -1;
    sim.schedule(offline!.sample(faultRng), arrive, peer);
  };

  if (setup.initialPeersOnline) {
    for (const peer of initial) if (session) planDeparture(peer, residual(true));
  } else {
    const gap = count > 1 ? setup.joinOverMs / count : 0;
    initial.forEach((peer, i) => sim.schedule(i * gap, arriveMidSession, peer));
  }
  for (const peer of pool.slice(count)) sim.schedule(residual(false), arrive, peer);
  return { pool, departedEarly };
}

type TraceSpec = Extract<ChurnSpec, { model: "trace" }>;

function traceOf(spec: TraceSpec): ChurnTrace {
  if (!spec.trace) throw new Error(`churn trace ${spec.file} was not loaded (load scenarios with sim/scenario/load.ts)`);
  return spec.trace;
}

/** Trace churn: the pool is one peer per label, all offline, and each row becomes one event at its time. */
function replayTrace(trace: ChurnTrace, sim: Simulator, lifecycle: Lifecycle): PeerId[] {
  const pool: PeerId[] = [];
  while (pool.length < trace.peers) pool.push(lifecycle.create());
  const actions = [lifecycle.join, lifecycle.leave, lifecycle.crash];
  for (let i = 0; i < trace.timeMs.length; i++) {
    sim.at(trace.timeMs[i]!, actions[trace.event[i]!]!, pool[trace.peer[i]!]!);
  }
  return pool;
}
