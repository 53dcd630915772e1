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
    this.timeouts[id] = sim.schedule(this.o.timeoutMs, this.expire, id);
    return id;
  }

  /** Called by the overlay (through its context) when a lookup found its key. */
  succeeded(id: number, hops: number): void {
    const { sim, lookups, recorder } = this.o;
    if (!lookups.succeed(id, sim.now, hops)) return;
    sim.cancel(this.timeouts[id]!);
    const start = lookups.startMs[id]!;
    recorder.at(sim.now).lookupEnded(start >= this.o.warmupMs, true, sim.now - start, hops, lookups.timeouts[id]!);
  }

  /** Called by the overlay when a lookup gave up before its deadline. Returns false if it had already ended. */
  failed(id: number): boolean {
    const { sim, lookups, recorder } = this.o;
    if (!lookups.fail(id, sim.now)) return false;
    sim.cancel(this.timeouts[id]!);
    recorder.at(sim.now).lookupEnded(lookups.startMs[id]! >= this.o.warmupMs, false, 0, 0, lookups.timeouts[id]!);
    return true;
  }

  private onDeadline(id: number): void {
    // The origin comes from the lookup table, which keeps it anyway: a map of pending
    // origins cost two hash operations per lookup.
    if (!this.failed(id)) return;
    const origin = this.o.lookups.origin[id]!;
    if (this.o.population.isOnline(origin)) this.o.abandoned(origin, id);
  }
}
