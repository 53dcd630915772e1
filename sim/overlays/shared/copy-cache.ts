import type { PeerId } from "../../peers/population.js";
import type { ItemLedger } from "./item-ledger.js";

/**
 * Copies a peer keeps of what its searches found (`replication.onSuccess`,
 * shared/replication.ts): at most `maxStored` per peer besides its own
 * files, the least recently added evicted first; its own files are never
 * evicted. The copies live in the ledger like any file.
 */
export class CopyCache {
  /** Each peer's copies, oldest first (its own files are never here). */
  private readonly copies: (number[] | undefined)[] = [];

  constructor(
    private readonly ledger: ItemLedger,
    private readonly maxStored: number,
  ) {}

  /** `peer` keeps a copy of `key`. False when it already holds the key or keeps no copies. */
  keep(peer: PeerId, key: number): boolean {
    if (this.maxStored <= 0 || !this.ledger.add(peer, key, true)) return false;
    let copies = this.copies[peer];
    if (!copies) this.copies[peer] = copies = [];
    copies.push(key);
    if (copies.length > this.maxStored) this.ledger.remove(peer, copies.shift()!);
    return true;
  }
}
