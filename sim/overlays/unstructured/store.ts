import type { PeerId } from "../../peers/population.js";
import type { StorageAvailability } from "../../core/protocol.js";

/**
 * What every peer stores, and how many copies of each key are online.
 *
 * A peer's own files (placed at the start, sim/workload/placement.ts) stay on
 * its disk across sessions and are never evicted. Copies made when searches
 * succeed (`replication.onSuccess`) go into a small per-peer cache of at most
 * `maxStored` keys, oldest evicted first; they too survive a session (files
 * on disk). Counts per key — holders, online holders — are updated at every
 * change (join, departure, copy, eviction), so availability costs nothing to
 * sample.
 */
export class Store {
  /** Each peer's own files, as a small array: checked on every query, so kept cheap. */
  private readonly own: (Int32Array | undefined)[] = [];
  /** Copies made by searches, oldest first. */
  private readonly copies: (number[] | undefined)[] = [];
  private readonly online: boolean[] = [];
  /** Peers holding each key (own file or copy), online or not. */
  private readonly holders: Int32Array;
  /** Online peers holding each key. */
  private readonly onlineHolders: Int32Array;
  private available = 0;
  private lost = 0;

  constructor(
    private readonly keyCount: number,
    holdings: ReadonlyMap<PeerId, ReadonlySet<number>>,
    private readonly maxStored: number,
  ) {
    this.holders = new Int32Array(keyCount);
    this.onlineHolders = new Int32Array(keyCount);
    for (const [peer, keys] of holdings) {
      const list = Int32Array.from(keys);
      this.own[peer] = list;
      for (const key of list) this.holders[key]!++;
    }
    for (let key = 0; key < keyCount; key++) if (this.holders[key] === 0) this.lost++;
  }

  holds(peer: PeerId, key: number): boolean {
    return (this.own[peer]?.includes(key) ?? false) || (this.copies[peer]?.includes(key) ?? false);
  }

  /** Everything `peer` stores: its own files, then its copies (oldest first). */
  keysOf(peer: PeerId): number[] {
    const own = this.own[peer];
    const copies = this.copies[peer];
    return [...(own ?? []), ...(copies ?? [])];
  }

  /** `peer` came online (true) or went offline (false); its files stay with it. */
  setOnline(peer: PeerId, online: boolean): void {
    if ((this.online[peer] ?? false) === online) return;
    this.online[peer] = online;
    const step = online ? 1 : -1;
    const own = this.own[peer];
    if (own) for (const key of own) this.onlineStep(key, step);
    const copies = this.copies[peer];
    if (copies) for (const key of copies) this.onlineStep(key, step);
  }

  /**
   * `peer` keeps a copy of `key`, evicting its oldest copy when its cache is
   * full. False when it already holds the key or keeps no copies.
   */
  addCopy(peer: PeerId, key: number): boolean {
    if (this.maxStored <= 0 || this.holds(peer, key)) return false;
    let copies = this.copies[peer];
    if (!copies) this.copies[peer] = copies = [];
    if (copies.length >= this.maxStored) this.drop(peer, copies.shift()!);
    copies.push(key);
    if (this.holders[key]!++ === 0) this.lost--;
    if (this.online[peer]) this.onlineStep(key, 1);
    return true;
  }

  /** Online peers holding `key` now. */
  onlineHoldersOf(key: number): number {
    return this.onlineHolders[key]!;
  }

  /** Peers holding `key`, online or not. */
  holdersOf(key: number): number {
    return this.holders[key]!;
  }

  availability(): StorageAvailability {
    return { stored: this.keyCount, available: this.available, lost: this.lost };
  }

  private drop(peer: PeerId, key: number): void {
    if (--this.holders[key]! === 0) this.lost++;
    if (this.online[peer]) this.onlineStep(key, -1);
  }

  private onlineStep(key: number, step: 1 | -1): void {
    const before = this.onlineHolders[key]!;
    this.onlineHolders[key] = before + step;
    if (before === 0 && step === 1) this.available++;
    else if (before === 1 && step === -1) this.available--;
  }
}
