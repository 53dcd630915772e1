import { z } from "zod";
import { duration, integer, rate, strict } from "../core/fields.js";
import type { Rng } from "../engine/rng.js";
import type { Simulator } from "../engine/simulator.js";
import type { BroadcastStats, BroadcastTable } from "../metrics/broadcasts.js";
import type { Overlay } from "../core/protocol.js";
import type { PeerId, Population } from "../peers/population.js";

/**
 * The broadcast workload: live peers publish new items (a rumour, a block, a
 * news item) as a Poisson process, and the overlay spreads each one. Every
 * broadcast is watched for `window`; then its coverage, its times to reach
 * 50/90/100 % of the peers online when it was published, and its traffic
 * are final (sim/metrics/broadcasts.ts).
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

/**
 * Watches broadcasts, whoever starts them: the workload's publications and
 * those a protocol originates itself (ctx.startBroadcast, e.g. mined blocks).
 * Each is watched for a window, then closed: its coverage and times are final.
 */
export class BroadcastWatch {
  /** Broadcasts whose watch would outlast the run: `finish` closes them. */
  private readonly pendingAtEnd: number[] = [];
  private readonly closeWatch = (id: number) => {
    this.table.close(id);
    this.stats.closed(id);
  };

  constructor(
    private readonly sim: Simulator,
    private readonly population: Population,
    readonly table: BroadcastTable,
    readonly stats: BroadcastStats,
    private readonly durationMs: number,
  ) {}

  /** A new broadcast from `origin`, watched for `windowMs` (or to the end of the run); returns its id. */
  open(origin: PeerId, windowMs: number = Infinity): number {
    const { sim } = this;
    const id = this.table.open(sim.now, origin, this.population.liveCount);
    this.stats.started(sim.now);
    // Watches that would end after the run are closed by `finish` instead, so every broadcast is counted once.
    if (sim.now + windowMs < this.durationMs) sim.schedule(windowMs, this.closeWatch, id);
    else this.pendingAtEnd.push(id);
    return id;
  }

  /** Broadcast `id` reached `peer` (ctx.reached). */
  reached(id: number, peer: PeerId): void {
    this.table.reach(id, peer, this.sim.now);
  }

  /** The run ended: broadcasts still being watched are counted with what they reached so far. */
  finish(): void {
    for (const id of this.pendingAtEnd) this.closeWatch(id);
    this.pendingAtEnd.length = 0;
  }
}

export interface BroadcastSetup {
  sim: Simulator;
  rng: Rng;
  population: Population;
  overlay: Overlay<any>;
  watch: BroadcastWatch;
  spec: BroadcastsSpec;
  warmupMs: number;
  durationMs: number;
}

/** The broadcast workload: picks publishers and times, and hands each item to the overlay. */
export class BroadcastWorkload {
  private readonly publishAndContinue = () => {
    this.publishOne();
    this.scheduleNext();
  };

  constructor(private readonly w: BroadcastSetup) {}

  install(): void {
    const { spec, sim, rng } = this.w;
    if (spec.count !== undefined) {
      // Exactly `count` broadcasts at uniform random times over the measured window, one pending at a time.
      const window = this.w.durationMs - this.w.warmupMs;
      const times = new Float64Array(spec.count);
      for (let i = 0; i < times.length; i++) times[i] = this.w.warmupMs + rng.next() * window;
      times.sort();
      const publishAt = (i: number) => {
        this.publishOne();
        if (i + 1 < times.length) sim.at(times[i + 1]!, publishAt, i + 1);
      };
      if (times.length > 0) sim.at(times[0]!, publishAt, 0);
    } else {
      this.scheduleNext();
    }
  }

  private scheduleNext(): void {
    const { spec, population, rng, sim } = this.w;
    const perMs = spec.rate !== undefined ? spec.rate / 1000 : (spec.perPeer! / 1000) * Math.max(1, population.liveCount);
    const gap = rng.exponential(1 / perMs);
    if (sim.now + gap < this.w.durationMs) sim.schedule(gap, this.publishAndContinue);
  }

  private publishOne(): void {
    const { rng, population, overlay, spec, watch } = this.w;
    const origin = population.randomLive(rng.next());
    if (origin < 0) return;
    const id = watch.open(origin, spec.window);
    overlay.broadcast!(origin, id, spec.bytes);
  }
}
