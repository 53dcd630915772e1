import { z } from "zod";
import { duration, integer, rate, strict } from "../core/fields.js";
import type { Rng } from "../engine/rng.js";
import { workloadKind, type InstalledWorkload, type WorkloadRun } from "./kind.js";

/**
 * The broadcast workload (workload.broadcasts): live peers publish new items
 * (a rumour, a block, a news item) as a Poisson process, and the overlay
 * spreads each one. Every broadcast is watched for `window`
 * (broadcast-watch.ts); then its coverage, its times to reach 50/90/100 % of
 * the peers online when it was published, and its traffic are final.
 */

export const broadcastsSchema = strict({
  rate: rate("1/s")
    .optional()
    .meta({ description: 'Broadcasts per unit of time by all live peers together (a Poisson process), like "1/s"; a plain number is per second.' }),
  perPeer: rate("1/h")
    .optional()
    .meta({ description: 'Broadcasts per live peer per unit of time, like "1/h"; the total rate follows the live population.' }),
  count: integer(0, 10_000_000)
    .optional()
    .meta({ description: "Exactly this many broadcasts, at uniform random times over the measured window (after the warm-up)." }),
  bytes: integer(1, 1_000_000_000)
    .default(1024)
    .meta({ description: "Size of each published item in bytes (what a broadcast message carries besides its headers)." }),
  window: duration({ example: "1m" })
    .prefault("1m")
    .meta({ description: 'How long each broadcast is watched: coverage and times are final after this, like "1m" (units ms, s, m, h, d; a plain number is ms).' }),
})
  .superRefine((b, ctx) => {
    const given = (["rate", "perPeer", "count"] as const).filter((k) => b[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `expected exactly one of rate: "1/s" (all peers together), perPeer: "1/h" or count: 100 (spread over the run), got ${given.length === 0 ? "none" : given.join(" and ")}`,
      });
    }
  })
  .meta({ description: "Items that live peers publish and the overlay spreads to everyone (a broadcast); the overlay must support broadcasts." });

export type BroadcastsSpec = z.output<typeof broadcastsSchema>;

export const broadcasts = workloadKind({
  name: "broadcasts",
  description: "live peers publish items that the overlay spreads to everyone; measured: time to reach 50/90/100 %, coverage, traffic",
  schema: strict({ broadcasts: broadcastsSchema.optional() }),
  check(section, scenario, issue) {
    if (section.broadcasts && !scenario.overlaySupports("broadcast")) {
      const able = scenario.overlaysThatSupport("broadcast");
      issue(["broadcasts"], `the ${scenario.overlayType} overlay cannot broadcast; overlays that can: ${able.join(", ") || "none"}`);
    }
  },
  create: (section, run) => {
    if (!section.broadcasts || !run.broadcasts) return undefined;
    if (!run.overlay.broadcast) throw new Error(`overlay "${run.overlayName}" cannot broadcast`);
    return new BroadcastArrivals(section.broadcasts, run);
  },
});

/** Picks when items are published and by whom, on the "broadcasts" stream, and hands each to the overlay. */
class BroadcastArrivals implements InstalledWorkload {
  private readonly rng: Rng;
  private readonly publishAndContinue = () => {
    this.publishOne();
    this.scheduleNext();
  };

  constructor(
    private readonly spec: BroadcastsSpec,
    private readonly run: WorkloadRun,
  ) {
    this.rng = run.stream("broadcasts");
  }

  install(): void {
    const { spec, rng, run } = this;
    if (spec.count !== undefined) {
      // Exactly `count` broadcasts at uniform random times over the measured window, one pending at a time.
      const window = run.durationMs - run.warmupMs;
      const times = new Float64Array(spec.count);
      for (let i = 0; i < times.length; i++) times[i] = run.warmupMs + rng.next() * window;
      times.sort();
      const publishAt = (i: number) => {
        this.publishOne();
        if (i + 1 < times.length) run.sim.at(times[i + 1]!, publishAt, i + 1);
      };
      if (times.length > 0) run.sim.at(times[0]!, publishAt, 0);
    } else {
      this.scheduleNext();
    }
  }

  private scheduleNext(): void {
    const { spec, rng } = this;
    const { population, sim } = this.run;
    const perMs = spec.rate !== undefined ? spec.rate / 1000 : (spec.perPeer! / 1000) * Math.max(1, population.liveCount);
    const gap = rng.exponential(1 / perMs);
    if (sim.now + gap < this.run.durationMs) sim.schedule(gap, this.publishAndContinue);
  }

  private publishOne(): void {
    const { rng, spec, run } = this;
    const origin = run.population.randomLive(rng.next());
    if (origin < 0) return;
    const id = run.broadcasts!.open(origin, spec.window);
    run.overlay.broadcast!(origin, id, spec.bytes);
  }
}
