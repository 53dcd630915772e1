import { z } from "zod";
import { duration, durationHint, integer, rate, strict } from "../core/fields.js";
import type { PeerId } from "../peers/population.js";
import { fileSizeSchema } from "./file-size-schema.js";
import { workloadKind, type InstalledWorkload, type WorkloadRun } from "./kind.js";

/**
 * The lookup workload (workload.lookups): live peers ask for keys as a
 * Poisson process, keys chosen by popularity (uniform or Zipf). Each lookup
 * has a deadline (workload.timeout, kept by lookup-operations.ts); the
 * object a lookup fetches is workload.fileSize bytes.
 */

const lookupRate = z.union(
  [
    strict({
      rate: rate("10/s").meta({
        description: 'Lookups per unit of time by all live peers together (a Poisson process), like "10/s" or "600/min"; a plain number is per second.',
      }),
    }),
    strict({
      perPeer: rate("1/min").meta({
        description: 'Lookups per live peer per unit of time, like "1/min"; the total rate follows the live population. A plain number is per second.',
      }),
    }),
    strict({
      count: integer(0).meta({ description: "Exactly this many lookups, at uniform random times over the measured window (after the warm-up)." }),
    }),
  ],
  {
    error: () => `expected exactly one of { rate: "10/s" } (all peers together), { perPeer: "1/min" } or { count: 10000 } (spread over the run)`,
  },
);

export type LookupArrivals = z.output<typeof lookupRate>;

export const lookups = workloadKind({
  name: "lookups",
  description: "live peers look keys up as a Poisson process (a total rate, a per-peer rate or an exact count), each with a deadline",
  schema: strict({
    lookups: lookupRate
      .prefault({ rate: "10/s" })
      .meta({ description: "How often lookups start: exactly one of rate, perPeer or count." }),
    /** A lookup without an answer after this long counts as failed. */
    timeout: duration({ example: "30s" })
      .prefault("30s")
      .meta({ description: `A lookup without an answer after this long counts as failed. ${durationHint("30s")}` }),
    fileSize: fileSizeSchema
      .optional()
      .meta({ description: 'Size of the object behind each key, for overlays that transfer data when network.bandwidth is on: a size like "4MB" or a distribution; omitted: 4MB.' }),
  }),
  check(section, scenario, issue) {
    const none = "count" in section.lookups && section.lookups.count === 0;
    if (!none && !scenario.overlaySupports("lookup")) {
      issue(["lookups"], `the ${scenario.overlayType} overlay cannot look keys up (it declares no lookup messages); write lookups: { count: 0 }`);
    }
  },
  create: (section, run) => new LookupArrivalProcess(section.lookups, run),
});

/** Picks when lookups start, from whom and for which key, on the "workload" stream. */
class LookupArrivalProcess implements InstalledWorkload {
  private readonly rng;
  private readonly issueAndContinue = () => {
    this.issueOne();
    this.scheduleNext();
  };

  constructor(
    private readonly arrivals: LookupArrivals,
    private readonly run: WorkloadRun,
  ) {
    this.rng = run.stream("workload");
  }

  install(): void {
    const { arrivals, run, rng } = this;
    if ("count" in arrivals) {
      // Exactly `count` lookups at uniform random times over the measured window:
      // a Poisson process conditioned on its number of arrivals.
      const window = run.durationMs - run.warmupMs;
      const times = new Float64Array(arrivals.count);
      for (let i = 0; i < times.length; i++) times[i] = run.warmupMs + rng.next() * window;
      times.sort();
      // One pending arrival at a time: a million queued arrivals would slow the event queue for the whole run.
      const issueAt = (i: number) => {
        this.issueOne();
        if (i + 1 < times.length) run.sim.at(times[i + 1]!, issueAt, i + 1);
      };
      if (times.length > 0) run.sim.at(times[0]!, issueAt, 0);
    } else {
      this.scheduleNext();
    }
  }

  /** The next arrival of the open-ended Poisson process; the per-peer rate follows the live population. */
  private scheduleNext(): void {
    const { arrivals, rng } = this;
    const { population, sim } = this.run;
    const perMs = "rate" in arrivals ? arrivals.rate / 1000 : "perPeer" in arrivals ? (arrivals.perPeer / 1000) * Math.max(1, population.liveCount) : 0;
    const gap = rng.exponential(1 / perMs);
    if (sim.now + gap < this.run.durationMs) sim.schedule(gap, this.issueAndContinue);
  }

  private issueOne(): void {
    const { rng, run } = this;
    const origin: PeerId = run.population.randomLive(rng.next());
    const key = run.keys.sample(rng);
    if (origin < 0) return;
    const id = run.lookups.open(origin, key);
    run.overlay.lookup!(origin, key, id); // the scenario was rejected if the overlay cannot look up
  }
}
