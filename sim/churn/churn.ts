import { makeSampler, type DistributionSpec } from "../engine/distributions.js";
import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { PeerId } from "../peers/population.js";

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
 * window), the rest start offline. First sessions are drawn like any other,
 * not from the residual-life distribution, so heavy-tailed churn has a
 * transient at the start: that is what the warm-up window is for.
 */

export type ChurnSpec =
  | { model: "none" }
  | { model: "sessions"; session: DistributionSpec; offline: DistributionSpec; gracefulLeave: number };

export interface Lifecycle {
  /** Creates a new, offline peer. */
  create(): PeerId;
  join(peer: PeerId): void;
  leave(peer: PeerId): void;
  crash(peer: PeerId): void;
}

export const CHURN_MODELS = [
  { name: "none", description: "peers join during the join window and stay" },
  {
    name: "sessions",
    description: "peers alternate sessions and offline periods (fixed, exponential, uniform, pareto, weibull, lognormal) around the target population",
  },
];

export const SESSION_DISTRIBUTIONS = ["fixed", "exponential", "uniform", "pareto", "weibull", "lognormal"];

/** Size of the pool that keeps `count` peers online on average. */
export function poolSize(spec: ChurnSpec, count: number): number {
  if (spec.model === "none") return count;
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

/** Creates the peer pool and schedules every join and departure. Returns the pool. */
export function installChurn(setup: ChurnSetup): PeerId[] {
  const { spec, sim, rng, lifecycle, count } = setup;
  const pool: PeerId[] = setup.initialPeersOnline ? setup.initialPeersOnline.slice() : [];
  while (pool.length < poolSize(spec, count)) pool.push(lifecycle.create());

  const initial = pool.slice(0, count);
  const session = spec.model === "sessions" ? makeSampler(spec.session) : undefined;
  const offline = spec.model === "sessions" ? makeSampler(spec.offline) : undefined;

  const depart = (peer: PeerId) => {
    if (spec.model !== "sessions") return;
    if (rng.next() < spec.gracefulLeave) lifecycle.leave(peer);
    else lifecycle.crash(peer);
    sim.schedule(offline!.sample(rng), arrive, peer);
  };
  const arrive = (peer: PeerId) => {
    lifecycle.join(peer);
    if (session) sim.schedule(session.sample(rng), depart, peer);
  };

  if (setup.initialPeersOnline) {
    for (const peer of initial) if (session) sim.schedule(session.sample(rng), depart, peer);
  } else {
    const gap = count > 1 ? setup.joinOverMs / count : 0;
    initial.forEach((peer, i) => sim.schedule(i * gap, arrive, peer));
  }
  for (const peer of pool.slice(count)) sim.schedule(offline!.sample(rng), arrive, peer);
  return pool;
}
