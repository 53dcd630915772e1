import type { Simulator } from "../../engine/simulator.js";
import { round } from "../stats.js";
import type { LookupTracer, TracedLookup } from "../traces.js";
import type { Message, Overlay, PeerSnapshot } from "../../core/protocol.js";

/**
 * Pictures of the overlay's graph at the times `metrics.snapshots.at` (and
 * `metrics.traceAt`) ask for, written to snapshots.json for the viewer's
 * topology view (see docs/results.md). Taking one only reads the overlay: it
 * draws no random number and changes no state, so a run's other results do
 * not depend on it.
 *
 * Snapshots are kept whole until the run ends and cut down to `maxPeers`
 * only then, when the traced lookups are known: a replay must never point at
 * peers the picture left out, so every peer a traced lookup touched is kept
 * (with its ring neighbours), and the rest of the room goes to whole id
 * ranges of a DHT (so successor links survive) or to the graph neighbourhood
 * of those peers (so a flood does not look shattered).
 */

export interface SnapshotSpec {
  /** Simulated times, ms. */
  readonly at: readonly number[];
  /** Peers to record besides the traced lookups' own (which are always recorded). */
  readonly maxPeers: number;
}

/** How a snapshot was cut down: "id-range" (contiguous arcs of a DHT's id space) or "neighbourhood" (breadth-first from the traced peers). */
export type Sampling = "id-range" | "neighbourhood";

export interface SnapshotRecord {
  /** Simulated time of the snapshot, ms. */
  readonly timeMs: number;
  /** Peers in the overlay's snapshot (online peers and service peers that are up). */
  readonly peersOnline: number;
  /** Present when not every online peer is recorded: how the recorded ones were chosen. */
  readonly sampled?: Sampling;
  /** The recorded peers; peers a traced lookup reached that were offline at the time have role "offline" and no links. */
  readonly peers: readonly PeerSnapshot[];
  /** Where the keys of the lookups traced nearest this snapshot sit in the id space (DHTs), for marking them. */
  readonly keys?: readonly { key: number; position: number }[];
}

interface Taken {
  timeMs: number;
  peers: readonly PeerSnapshot[];
}

export class SnapshotTaker {
  private readonly taken: Taken[] = [];

  constructor(
    sim: Simulator,
    private readonly overlay: Overlay<Message>,
    private readonly spec: SnapshotSpec,
    endMs: number,
    private readonly tracer?: LookupTracer,
    extraTimesMs: readonly number[] = [],
  ) {
    const times = [...new Set([...spec.at, ...extraTimesMs])].filter((t) => t < endMs).sort((a, b) => a - b);
    for (const t of times) sim.at(t, () => this.take(sim.now));
  }

  private take(nowMs: number): void {
    const snapshot = this.overlay.snapshot?.();
    if (!snapshot) return;
    this.taken.push({ timeMs: round(nowMs, 3), peers: snapshot.peers });
  }

  private ghosts(online: readonly PeerSnapshot[], traced: ReadonlySet<number>): PeerSnapshot[] {
    const positioned = online.length > 0 && online.every((p) => p.position !== undefined);
    return ghostsOf(online, traced, positioned && this.overlay.idFraction ? (peer) => this.overlay.idFraction!(peer) : undefined);
  }

  result(): readonly SnapshotRecord[] {
    const traces = this.tracer?.result() ?? [];
    const nearest = traces.map((l) => nearestIndex(this.taken, l.startMs));
    return this.taken.map((s, i) => {
      const mine = traces.filter((_, j) => nearest[j] === i);
      const traced = tracedPeers(mine);
      const peers = [...sample(s.peers, this.spec.maxPeers, traced), ...this.ghosts(s.peers, traced)].sort((a, b) => a.peer - b.peer);
      const keyPositions = this.overlay.keyPosition
        ? [...new Set(mine.map((l) => l.key))].sort((a, b) => a - b).map((key) => ({ key, position: round(this.overlay.keyPosition!(key), 6) }))
        : [];
      return {
        timeMs: s.timeMs,
        peersOnline: s.peers.length,
        ...(peers.filter((p) => p.role !== "offline").length < s.peers.length ? { sampled: samplingOf(s.peers) } : {}),
        peers,
        ...(keyPositions.length > 0 ? { keys: keyPositions } : {}),
      };
    });
  }
}

/** Peers a traced lookup sent to that were not online when the picture was taken (dead contacts, later joiners), with role "offline" and no links. */
function ghostsOf(online: readonly PeerSnapshot[], traced: ReadonlySet<number>, position: ((peer: number) => number) | undefined): PeerSnapshot[] {
  const here = new Set(online.map((p) => p.peer));
  return [...traced]
    .filter((peer) => !here.has(peer))
    .sort((a, b) => a - b)
    .map((peer) => ({ peer, role: "offline", links: [], keys: [], ...(position ? { position: round(position(peer), 6) } : {}) }));
}

/** The snapshot closest in time to `timeMs` (the earlier one on a tie); -1 when there is none. */
export function nearestIndex(snapshots: readonly { timeMs: number }[], timeMs: number): number {
  let best = -1;
  snapshots.forEach((s, i) => {
    if (best < 0 || Math.abs(s.timeMs - timeMs) < Math.abs(snapshots[best]!.timeMs - timeMs)) best = i;
  });
  return best;
}

/** Every peer a lookup started at, sent to or heard from. */
export function tracedPeers(lookups: readonly TracedLookup[]): Set<number> {
  const out = new Set<number>();
  for (const l of lookups) {
    out.add(l.origin);
    for (const m of l.messages) out.add(m.from).add(m.to);
  }
  return out;
}

function samplingOf(peers: readonly PeerSnapshot[]): Sampling {
  return peers.length > 0 && peers.every((p) => p.position !== undefined) ? "id-range" : "neighbourhood";
}

/**
 * Index servers and the peers in `keep` (always, even past `max`), then, up
 * to `max` peers in all, contiguous id ranges grown from them (DHTs, where
 * every peer has a position) or their breadth-first neighbourhood (other
 * overlays). Links to peers left out are dropped.
 */
export function sample(all: readonly PeerSnapshot[], max: number, keep: ReadonlySet<number> = new Set()): PeerSnapshot[] {
  const chosen = all.length <= max ? all : samplingOf(all) === "id-range" ? byIdRange(all, max, keep) : byNeighbourhood(all, max, keep);
  const ids = new Set(chosen.map((p) => p.peer));
  return [...chosen]
    .sort((a, b) => a.peer - b.peer)
    .map((p) => {
      const kept = p.links.map((l) => ids.has(l));
      const out: PeerSnapshot = {
        peer: p.peer,
        ...(p.role !== undefined ? { role: p.role } : {}),
        ...(p.position !== undefined ? { position: round(p.position, 6) } : {}),
        links: p.links.filter((_, i) => kept[i]),
        ...(p.linkKinds ? { linkKinds: p.linkKinds.filter((_, i) => kept[i]) } : {}),
        keys: p.keys,
      };
      return out;
    });
}

/** Peers in id order; the must-keep ones and their ring neighbours seed blocks that then grow clockwise in turn, so the picture shows whole arcs. */
function byIdRange(all: readonly PeerSnapshot[], max: number, keep: ReadonlySet<number>): PeerSnapshot[] {
  const ring = [...all].sort((a, b) => a.position! - b.position! || a.peer - b.peer);
  const n = ring.length;
  const chosen = new Uint8Array(n);
  let count = 0;
  const take = (i: number, always = false) => {
    if ((always || count < max) && !chosen[i]) {
      chosen[i] = 1;
      count++;
    }
  };
  // Servers, traced peers and their ring neighbours are kept whatever maxPeers says: a replay must never point outside the picture.
  ring.forEach((p, i) => p.role === "index" && take(i, true));
  ring.forEach((p, i) => {
    if (!keep.has(p.peer)) return;
    take(i, true);
    take((i + n - 1) % n, true);
    take((i + 1) % n, true);
  });
  if (count === 0) take(0);
  while (count < max) {
    const ends: number[] = [];
    for (let i = 0; i < n; i++) if (chosen[i] && !chosen[(i + 1) % n]) ends.push((i + 1) % n);
    if (ends.length === 0) break;
    for (const i of ends) take(i);
  }
  return ring.filter((_, i) => chosen[i]);
}

/** Breadth-first from index servers and must-keep peers (in peer order), so the kept peers stay connected as they are in the overlay. */
function byNeighbourhood(all: readonly PeerSnapshot[], max: number, keep: ReadonlySet<number>): PeerSnapshot[] {
  const byPeer = new Map(all.map((p) => [p.peer, p] as const));
  const sorted = [...all].sort((a, b) => a.peer - b.peer);
  const chosen = new Set<number>();
  const queue: number[] = [];
  const take = (peer: number, always = false) => {
    if ((always || chosen.size < max) && !chosen.has(peer) && byPeer.has(peer)) {
      chosen.add(peer);
      queue.push(peer);
    }
  };
  // Servers and traced peers are kept whatever maxPeers says: a replay must never point outside the picture.
  for (const p of sorted) if (p.role === "index") take(p.peer, true);
  for (const p of sorted) if (keep.has(p.peer)) take(p.peer, true);
  let next = 0;
  for (let head = 0; chosen.size < max; head++) {
    if (head >= queue.length) {
      // A part of the graph not reached yet: start again from the lowest peer number left.
      while (next < sorted.length && chosen.has(sorted[next]!.peer)) next++;
      if (next >= sorted.length) break;
      take(sorted[next]!.peer);
    }
    for (const l of byPeer.get(queue[head]!)!.links) take(l);
  }
  return sorted.filter((p) => chosen.has(p.peer));
}
