import type { PeerId } from "../../peers/population.js";
import type { StorageAvailability } from "../../core/protocol.js";
import { ItemLedger } from "../shared/item-ledger.js";

/**
 * What every peer stores: the shared ledger (shared/item-ledger.ts) plus this
 * overlay's repair policy.
 *
 * A peer's own files (placed at the start, sim/workload/placement.ts) stay on
 * its disk across sessions and are never evicted. Copies made when searches
 * succeed (`replication.onSuccess`) go into a small per-peer cache of at most
 * `maxStored` keys, oldest evicted first; they too survive a session (files
 * on disk).
 */
export class Store {
  private readonly ledger: ItemLedger;
  /** Copies made by searches, oldest first (own files are never here). */
  private readonly copies: (number[] | undefined)[] = [];

  constructor(
    private readonly keyCount: number,
    holdings: ReadonlyMap<PeerId, ReadonlySet<number>>,
    private readonly maxStored: number,
  ) {
    this.ledger = new ItemLedger(keyCount, "disk");
    for (const [peer, keys] of holdings) for (const key of keys) this.ledger.add(peer, key, true);
  }

  holds(peer: PeerId, key: number): boolean {
    return this.ledger.holds(peer, key);
  }

  /** Everything `peer` stores: its own files, then its copies (oldest first). */
  keysOf(peer: PeerId): number[] {
    return this.ledger.itemsOf(peer);
  }

  /** `peer` came online (true) or went offline (false); its files stay with it. */
  setOnline(peer: PeerId, online: boolean): void {
    this.ledger.setOnline(peer, online);
  }

  /**
   * `peer` keeps a copy of `key`, evicting its oldest copy when its cache is
   * full. False when it already holds the key or keeps no copies.
   */
  addCopy(peer: PeerId, key: number): boolean {
    if (this.maxStored <= 0 || this.ledger.holds(peer, key)) return false;
    let copies = this.copies[peer];
    if (!copies) this.copies[peer] = copies = [];
    if (copies.length >= this.maxStored) this.ledger.remove(peer, copies.shift()!);
    copies.push(key);
    this.ledger.add(peer, key, true);
    return true;
  }

  /** Online peers holding `key` now. */
  onlineHoldersOf(key: number): number {
    return this.ledger.onlineCopiesOf(key);
  }

  /** Peers holding `key`, online or not. */
  holdersOf(key: number): number {
    return this.ledger.holdersOf(key);
  }

  /** Every key is stored from the start; a key is lost when no peer, online or not, holds it. */
  availability(): StorageAvailability {
    return { stored: this.keyCount, available: this.ledger.availableCount(), lost: this.keyCount - this.ledger.heldCount() };
  }
}
