import type { Simulator } from "../engine/simulator.js";
import type { LookupTable } from "../metrics/lookups.js";
import type { Recorder } from "../metrics/recorder.js";
import type { PeerId, Population } from "../peers/population.js";

/**
 * The lookups under way, whoever issues them: each opened lookup has a
 * deadline (workload.timeout); the overlay reports success or an early
 * failure through its context, and one that has not succeeded by its
 * deadline has failed. Built with the measurement, before the overlay, since
 * the overlay's context reports to it.
 */
export interface LookupOperationsSetup {
  sim: Simulator;
  population: Population;
  lookups: LookupTable;
  recorder: Recorder;
  timeoutMs: number;
  warmupMs: number;
  /** Tells the overlay that a lookup of its online peer `origin` ran out of time. */
  abandoned(origin: PeerId, id: number): void;
}

export class LookupOperations {
  private readonly origins = new Map<number, PeerId>();
  private timeouts = new Float64Array(1024);
  private readonly expire = (id: number) => this.onDeadline(id);

  constructor(private readonly o: LookupOperationsSetup) {}

  /** Opens a lookup of `key` from `origin` and starts its deadline; returns its id. */
  open(origin: PeerId, key: number): number {
    const { sim, lookups, recorder } = this.o;
    const id = lookups.open(sim.now, origin, key);
    recorder.at(sim.now).lookupStarted();
    if (id >= this.timeouts.length) {
      const bigger = new Float64Array(this.timeouts.length * 2);
      bigger.set(this.timeouts);
      this.timeouts = bigger;
    }
    this.origins.set(id, origin);
    this.timeouts[id] = sim.schedule(this.o.timeoutMs, this.expire, id);
    return id;
  }

  /** Called by the overlay (through its context) when a lookup found its key. */
  succeeded(id: number, hops: number): void {
    const { sim, lookups, recorder } = this.o;
    if (!lookups.succeed(id, sim.now, hops)) return;
    sim.cancel(this.timeouts[id]!);
    this.origins.delete(id);
    const start = lookups.startMs[id]!;
    recorder.at(sim.now).lookupEnded(start >= this.o.warmupMs, true, sim.now - start, hops, lookups.timeouts[id]!);
  }

  /** Called by the overlay when a lookup gave up before its deadline. */
  failed(id: number): void {
    const { sim, lookups, recorder } = this.o;
    if (!lookups.fail(id, sim.now)) return;
    sim.cancel(this.timeouts[id]!);
    this.origins.delete(id);
    recorder.at(sim.now).lookupEnded(lookups.startMs[id]! >= this.o.warmupMs, false, 0, 0, lookups.timeouts[id]!);
  }

  private onDeadline(id: number): void {
    const origin = this.origins.get(id);
    this.failed(id);
    if (origin !== undefined && this.o.population.isOnline(origin)) this.o.abandoned(origin, id);
  }
}
