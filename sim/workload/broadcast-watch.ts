import type { Simulator } from "../engine/simulator.js";
import type { BroadcastStats, BroadcastTable } from "../metrics/broadcasts.js";
import type { PeerId, Population } from "../peers/population.js";

/**
 * Watches broadcasts, whoever starts them: the workload's publications and
 * those a protocol originates itself (ctx.startBroadcast, e.g. mined blocks).
 * Each is watched for a window, then closed: its coverage and times are final
 * (sim/metrics/broadcasts.ts).
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
