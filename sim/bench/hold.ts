/**
 * The classic "hold model" benchmark of an event queue (Jones 1986; the
 * standard test for calendar and ladder queues): keep `pending` events in the
 * queue; each event, when it runs, schedules exactly one new event an
 * Exp(mean 1 ms) delay later. The queue size stays constant, so the result is
 * the steady-state cost of one dequeue + one enqueue, plus the callback and
 * one random draw. calendar.ts runs the same model on a bare calendar queue.
 */

import { Rng } from "../engine/rng.js";
import { Simulator } from "../engine/simulator.js";
import { timePhases, type Timing } from "./measure.js";

export interface HoldOptions {
  /** Events kept in the queue. Default 100,000. */
  pending?: number;
  /** Events timed. Default 5,000,000. */
  events?: number;
  seed?: number;
  /** The workload's name in results. Default "engine-hold". */
  name?: string;
}

export function benchHold(opts: HoldOptions = {}): { name: string; pending: number } & Timing {
  const pending = opts.pending ?? 100_000;
  const events = opts.events ?? 5_000_000;
  const rng = new Rng(opts.seed ?? 1).fork("hold");
  const sim = new Simulator();
  const hold = (): void => {
    sim.schedule(rng.exponential(1), hold);
  };
  const { timing } = timePhases(
    null,
    () => {
      for (let i = 0; i < pending; i++) sim.schedule(rng.exponential(1), hold);
      // Untimed warm-up: replace every initial event once, so the queue's shape
      // (and the JIT) reach steady state before timing, as is usual for the hold model.
      sim.run({ maxEvents: pending });
    },
    () => {
      const stop = sim.run({ maxEvents: events });
      if (stop !== "maxEvents" || sim.eventsRun !== pending + events || sim.pending !== pending) {
        throw new Error(`benchHold: expected ${events} timed events with ${pending} pending, got ${sim.eventsRun} (${stop})`);
      }
      return events;
    },
  );
  return { name: opts.name ?? "engine-hold", pending, ...timing };
}
