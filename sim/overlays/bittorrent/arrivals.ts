import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { BittorrentMessage } from "./messages.js";

/**
 * When a leecher starts downloading. "join": as soon as it comes online, so
 * peers.joinOver 0 is a flash crowd of peers.count leechers at time 0.
 * "poisson": peers that are online start one after another at the times of a
 * Poisson process (exponential gaps of mean 1/rate, in the order they
 * joined), the steady-state workload of Qiu & Srikant (SIGCOMM 2004). A peer
 * that had arrived and comes back after churn resumes at once.
 */
export class Arrivals {
  private lastArrivalMs = 0;
  private readonly arrived = new Set<PeerId>();

  constructor(
    private readonly ctx: OverlayContext<BittorrentMessage>,
    private readonly process: "join" | "poisson",
    /** Arrivals per second (poisson). */
    private readonly ratePerS: number | undefined,
  ) {}

  /** Calls `start` when `peer` (online now) arrives in the swarm. */
  schedule(peer: PeerId, start: () => void): void {
    if (this.process === "join" || this.arrived.has(peer)) {
      this.arrived.add(peer);
      start();
      return;
    }
    const now = this.ctx.now();
    this.lastArrivalMs = Math.max(this.lastArrivalMs, now) + this.ctx.rng.exponential(1000 / this.ratePerS!);
    this.ctx.setTimer(peer, this.lastArrivalMs - now, () => {
      this.arrived.add(peer);
      start();
    });
  }
}
