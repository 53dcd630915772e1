import type { Simulator } from "../engine/simulator.js";
import { round } from "../metrics/stats.js";
import type { Message, Overlay, PeerSnapshot } from "../core/protocol.js";

/**
 * Pictures of the overlay's graph at the times `metrics.snapshots.at` asks
 * for, written to snapshots.json for the viewer's topology view (see
 * docs/results.md). Taking one only reads the overlay: it draws no random
 * number and changes no state, so a run's other results do not depend on it.
 */

export interface SnapshotSpec {
  /** Simulated times, ms. */
  readonly at: readonly number[];
  readonly maxPeers: number;
}

export interface SnapshotRecord {
  /** Simulated time of the snapshot, ms. */
  readonly timeMs: number;
  /** Peers in the overlay's snapshot (online peers and service peers that are up). */
  readonly peersOnline: number;
  /** The recorded peers: all of them, or `maxPeers` evenly spaced ones (index servers always kept). */
  readonly peers: readonly PeerSnapshot[];
}

export class SnapshotTaker {
  private readonly records: SnapshotRecord[] = [];

  constructor(
    private readonly sim: Simulator,
    private readonly overlay: Overlay<Message>,
    private readonly spec: SnapshotSpec,
    endMs: number,
  ) {
    const times = [...new Set(spec.at)].filter((t) => t < endMs).sort((a, b) => a - b);
    for (const t of times) sim.at(t, () => this.take());
  }

  private take(): void {
    const snapshot = this.overlay.snapshot?.();
    if (!snapshot) return;
    this.records.push({
      timeMs: round(this.sim.now, 3),
      peersOnline: snapshot.peers.length,
      peers: sample(snapshot.peers, this.spec.maxPeers),
    });
  }

  result(): readonly SnapshotRecord[] {
    return this.records;
  }
}

/** At most `max` peers, evenly spaced by peer number, index servers always kept; links to peers left out are dropped. */
export function sample(all: readonly PeerSnapshot[], max: number): PeerSnapshot[] {
  const sorted = [...all].sort((a, b) => a.peer - b.peer);
  const services = sorted.filter((p) => p.role === "index");
  const others = sorted.filter((p) => !services.includes(p));
  const room = Math.max(0, max - services.length);
  const kept = others.length <= room ? others : Array.from({ length: room }, (_, i) => others[Math.floor((i * others.length) / room)]!);
  const chosen = [...services.slice(0, max), ...kept].sort((a, b) => a.peer - b.peer);
  const ids = new Set(chosen.map((p) => p.peer));
  return chosen.map((p) => {
    const keep = p.links.map((l) => ids.has(l));
    const out: PeerSnapshot = {
      peer: p.peer,
      ...(p.role !== undefined ? { role: p.role } : {}),
      ...(p.position !== undefined ? { position: round(p.position, 6) } : {}),
      links: p.links.filter((_, i) => keep[i]),
      ...(p.linkKinds ? { linkKinds: p.linkKinds.filter((_, i) => keep[i]) } : {}),
      keys: p.keys,
    };
    return out;
  });
}
