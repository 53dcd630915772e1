import { ZipfSampler } from "../engine/distributions.js";

/** Key popularity: Zipf with exponent s (s = 0 is uniform). */
export function keyPopularity(keys: number, popularity: Popularity): ZipfSampler {
  return new ZipfSampler(keys, popularity.distribution === "zipf" ? popularity.s : 0);
}
import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { LookupTable } from "../metrics/lookups.js";
import type { Recorder } from "../metrics/recorder.js";
import type { Overlay } from "../core/protocol.js";
import type { PeerId, Population } from "../peers/population.js";

/**
 * The lookup workload: live peers ask for keys as a Poisson process, keys
 * chosen by popularity (uniform or Zipf). Each lookup has a deadline; one
 * that has not succeeded by then has failed.
 */

export type LookupArrivals = { rate: number } | { perPeer: number } | { count: number };
export type Popularity = { distribution: "uniform" } | { distribution: "zipf"; s: number };

export interface WorkloadSetup {
  sim: Simulator;
  rng: Rng;
  population: Population;
  overlay: Overlay<any>;
  lookups: LookupTable;
  recorder: Recorder;
  /** Which key each lookup asks for: rank 0 is the most popular key. */
  keys: ZipfSampler;
  arrivals: LookupArrivals;
  timeoutMs: number;
  warmupMs: number;
  durationMs: number;
}

export class LookupWorkload {
  private readonly origins = new Map<number, PeerId>();
  private timeouts = new Float64Array(1024);
  private readonly expire = (id: number) => this.onDeadline(id);
  private readonly issueAndContinue = () => {
    this.issueOne();
    this.scheduleNext();
  };

  constructor(private readonly w: WorkloadSetup) {}

  install(): void {
    const { arrivals } = this.w;
    if ("count" in arrivals) {
      // Exactly `count` lookups at uniform random times over the measured window:
      // a Poisson process conditioned on its number of arrivals.
      const window = this.w.durationMs - this.w.warmupMs;
      const times = new Float64Array(arrivals.count);
      for (let i = 0; i < times.length; i++) times[i] = this.w.warmupMs + this.w.rng.next() * window;
      times.sort();
      // One pending arrival at a time: a million queued arrivals would slow the event queue for the whole run.
      const issueAt = (i: number) => {
        this.issueOne();
        if (i + 1 < times.length) this.w.sim.at(times[i + 1]!, issueAt, i + 1);
      };
      if (times.length > 0) this.w.sim.at(times[0]!, issueAt, 0);
    } else {
      this.scheduleNext();
    }
  }

  /** The next arrival of the open-ended Poisson process; the per-peer rate follows the live population. */
  private scheduleNext(): void {
    const { arrivals, population, rng, sim } = this.w;
    const perMs = "rate" in arrivals ? arrivals.rate / 1000 : "perPeer" in arrivals ? (arrivals.perPeer / 1000) * Math.max(1, population.liveCount) : 0;
    const gap = rng.exponential(1 / perMs);
    if (sim.now + gap < this.w.durationMs) sim.schedule(gap, this.issueAndContinue);
  }

  private issueOne(): void {
    const { sim, rng, population, lookups, recorder, overlay } = this.w;
    const origin = population.randomLive(rng.next());
    const key = this.w.keys.sample(rng);
    if (origin < 0) return;
    const id = lookups.open(sim.now, origin, key);
    recorder.at(sim.now).lookupStarted();
    if (id >= this.timeouts.length) {
      const bigger = new Float64Array(this.timeouts.length * 2);
      bigger.set(this.timeouts);
      this.timeouts = bigger;
    }
    this.origins.set(id, origin);
    this.timeouts[id] = sim.schedule(this.w.timeoutMs, this.expire, id);
    overlay.lookup!(origin, key, id); // the scenario was rejected if the overlay cannot look up
  }

  /** Called by the overlay (through its context) when a lookup found its key. */
  succeeded(id: number, hops: number): void {
    const { sim, lookups, recorder } = this.w;
    if (!lookups.succeed(id, sim.now, hops)) return;
    sim.cancel(this.timeouts[id]!);
    this.origins.delete(id);
    const start = lookups.startMs[id]!;
    recorder.at(sim.now).lookupEnded(start >= this.w.warmupMs, true, sim.now - start, hops);
  }

  /** Called by the overlay when a lookup gave up before its deadline. */
  failed(id: number): void {
    const { sim, lookups, recorder } = this.w;
    if (!lookups.fail(id, sim.now)) return;
    sim.cancel(this.timeouts[id]!);
    this.origins.delete(id);
    recorder.at(sim.now).lookupEnded(lookups.startMs[id]! >= this.w.warmupMs, false, 0, 0);
  }

  private onDeadline(id: number): void {
    const origin = this.origins.get(id);
    this.failed(id);
    if (origin !== undefined && this.w.population.isOnline(origin)) this.w.overlay.lookupAbandoned?.(origin, id);
  }
}
