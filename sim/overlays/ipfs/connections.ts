import type { PeerId } from "../../peers/population.js";

/**
 * The connection manager: every peer's open libp2p connections, the peers
 * its Bitswap broadcasts reach. Connections are two-sided; they open when
 * two peers talk (a DHT request answered, a dial to a provider, a bootstrap
 * contact). When one takes a peer above its `high` water mark, the peer
 * closes its oldest connections down to `low` (libp2p's BasicConnMgr, minus
 * its grace period and tags).
 *
 * A connection to a peer that goes offline closes at both ends at once
 * (the other end sees the stream reset; a crashed peer's connections are
 * closed by keep-alive timeouts in reality, a simplification).
 */
export class Connections {
  private readonly open: (Set<PeerId> | undefined)[] = [];
  private closed = 0;

  constructor(
    /** Low and high water marks of `peer`. */
    private readonly marks: (peer: PeerId) => { low: number; high: number },
  ) {}

  /** Open connections of `peer`, oldest first. */
  of(peer: PeerId): ReadonlySet<PeerId> {
    return this.open[peer] ?? EMPTY;
  }

  count(peer: PeerId): number {
    return this.open[peer]?.size ?? 0;
  }

  has(a: PeerId, b: PeerId): boolean {
    return this.open[a]?.has(b) === true;
  }

  /** True if `peer` is below its low water mark. */
  wantsMore(peer: PeerId): boolean {
    return this.count(peer) < this.marks(peer).low;
  }

  /** Opens a connection between `a` and `b` (both online). */
  connect(a: PeerId, b: PeerId): void {
    if (a === b || this.has(a, b)) return;
    this.side(a).add(b);
    this.side(b).add(a);
    this.trim(a, b);
    this.trim(b, a);
  }

  private side(peer: PeerId): Set<PeerId> {
    let set = this.open[peer];
    if (set === undefined) this.open[peer] = set = new Set();
    return set;
  }

  /** Above high water: close the oldest connections (never `keep`, the one just opened) down to low water. */
  private trim(peer: PeerId, keep: PeerId): void {
    const set = this.open[peer]!;
    const { low, high } = this.marks(peer);
    if (set.size <= high) return;
    // Deleting while iterating a Set is safe: iteration goes on with the entries left.
    for (const other of set) {
      if (set.size <= low) break;
      if (other === keep) continue;
      set.delete(other);
      this.open[other]?.delete(peer);
      this.closed++;
    }
  }

  /** `peer` went offline: every connection it had closes. */
  gone(peer: PeerId): void {
    const set = this.open[peer];
    if (set === undefined) return;
    for (const other of set) this.open[other]?.delete(peer);
    this.open[peer] = undefined;
  }

  /** Connections closed by trimming so far. */
  get trimmed(): number {
    return this.closed;
  }
}

const EMPTY: ReadonlySet<PeerId> = new Set();
