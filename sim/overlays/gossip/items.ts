import type { PeerId } from "../../peers/population.js";

const UNKNOWN = -1;

/**
 * What every peer knows of every item, by dense item id (items are broadcast
 * ids, numbered from 0 in publication order).
 *
 * An item's size and publication time are the same for every peer, so they
 * are kept once per item. Which peers hold it, and since when, is one
 * Float64Array per item indexed by peer (UNKNOWN when the peer does not hold
 * it): checking whether an arriving update is news is one array read instead
 * of a per-peer map lookup, which at 10^4 peers missed the cache on every
 * message. An item's array lives while some peer holds the item (`holders`);
 * peers drop items from their recent list after `memory`, so at any time only
 * the items of about one memory window have arrays.
 */
export class ItemStore {
  private bytes = new Float64Array(64);
  private publishedMs = new Float64Array(64);
  private holders = new Int32Array(64);
  private readonly receivedMs: (Float64Array | undefined)[] = [];

  constructor(private peerCapacity: number) {}

  /** Item `id` was published at `publishedMs` with `bytes` of payload. */
  published(id: number, bytes: number, publishedMs: number): void {
    if (id >= this.bytes.length) this.grow(id);
    this.bytes[id] = bytes;
    this.publishedMs[id] = publishedMs;
  }

  bytesOf(id: number): number {
    return this.bytes[id]!;
  }

  publishedMsOf(id: number): number {
    return this.publishedMs[id]!;
  }

  /** When `peer` got item `id`, or -1 if it does not hold it. */
  receivedMsOf(id: number, peer: PeerId): number {
    const at = this.receivedMs[id];
    return at === undefined || peer >= at.length ? UNKNOWN : at[peer]!;
  }

  holds(id: number, peer: PeerId): boolean {
    return this.receivedMsOf(id, peer) !== UNKNOWN;
  }

  add(id: number, peer: PeerId, nowMs: number): void {
    if (peer >= this.peerCapacity) this.peerCapacity = Math.max(peer + 1, 2 * this.peerCapacity);
    let at = this.receivedMs[id];
    if (at === undefined || peer >= at.length) {
      const fresh = new Float64Array(this.peerCapacity).fill(UNKNOWN);
      if (at !== undefined) fresh.set(at);
      this.receivedMs[id] = at = fresh;
    }
    at[peer] = nowMs;
    this.holders[id]!++;
  }

  remove(id: number, peer: PeerId): void {
    const at = this.receivedMs[id]!;
    at[peer] = UNKNOWN;
    if (--this.holders[id]! === 0) this.receivedMs[id] = undefined;
  }

  private grow(id: number): void {
    let cap = this.bytes.length;
    while (cap <= id) cap *= 2;
    const f = (old: Float64Array) => {
      const fresh = new Float64Array(cap);
      fresh.set(old);
      return fresh;
    };
    this.bytes = f(this.bytes);
    this.publishedMs = f(this.publishedMs);
    const holders = new Int32Array(cap);
    holders.set(this.holders);
    this.holders = holders;
  }
}
