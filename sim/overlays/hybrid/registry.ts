import type { Rng } from "../../engine/rng.js";
import type { PeerId } from "../../peers/population.js";

/**
 * What an index knows: which peer registered which keys, and when it was last
 * heard from. A central index server keeps one; so does each super-peer, for
 * its leaves. Holders of a key are kept in registration order, so answers
 * depend only on simulated events.
 */
export class Registry {
  private readonly peers = new Map<PeerId, { keys: readonly number[]; lastSeenMs: number }>();
  private readonly byKey = new Map<number, Set<PeerId>>();

  get size(): number {
    return this.peers.size;
  }

  has(peer: PeerId): boolean {
    return this.peers.has(peer);
  }

  /** Records (or replaces) `peer`'s keys. */
  register(peer: PeerId, keys: readonly number[], nowMs: number): void {
    this.remove(peer);
    this.peers.set(peer, { keys, lastSeenMs: nowMs });
    for (const key of keys) {
      let holders = this.byKey.get(key);
      if (!holders) this.byKey.set(key, (holders = new Set()));
      holders.add(peer);
    }
  }

  /** Forgets `peer`; false if it was not registered. */
  remove(peer: PeerId): boolean {
    const entry = this.peers.get(peer);
    if (!entry) return false;
    this.peers.delete(peer);
    for (const key of entry.keys) {
      const holders = this.byKey.get(key)!;
      holders.delete(peer);
      if (holders.size === 0) this.byKey.delete(key);
    }
    return true;
  }

  /** Notes that `peer` is alive; false if it is not registered. */
  touch(peer: PeerId, nowMs: number): boolean {
    const entry = this.peers.get(peer);
    if (!entry) return false;
    entry.lastSeenMs = nowMs;
    return true;
  }

  /** Notes that every registered peer is alive now (maintenance resumes after a freeze: silence during it is not held against anyone). */
  touchAll(nowMs: number): void {
    for (const entry of this.peers.values()) entry.lastSeenMs = nowMs;
  }

  /** Up to `max` registered holders of `key` other than `exclude`, chosen at random. */
  holders(key: number, exclude: PeerId, max: number, rng: Rng): PeerId[] {
    const holders = this.byKey.get(key);
    if (!holders) return [];
    const others: PeerId[] = [];
    for (const p of holders) if (p !== exclude) others.push(p);
    return rng.sample(others, max);
  }

  /** Forgets every peer last heard from before `cutoffMs`, except `keep`; returns how many. */
  purgeSilent(cutoffMs: number, keep: PeerId): number {
    const silent: PeerId[] = [];
    for (const [peer, entry] of this.peers) if (entry.lastSeenMs < cutoffMs && peer !== keep) silent.push(peer);
    for (const peer of silent) this.remove(peer);
    return silent.length;
  }

  registered(): IterableIterator<PeerId> {
    return this.peers.keys();
  }
}
