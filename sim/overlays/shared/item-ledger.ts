import type { PeerId } from "../../peers/population.js";

/**
 * Whether a peer's items outlive its session. "disk": files stay with the
 * peer while it is offline and count again when it returns (unstructured,
 * hybrid). "session": items live in memory and go with the session, so a
 * peer is only ever in the ledger while it is online (Chord, Kademlia).
 */
export type ItemPersistence = "disk" | "session";

/**
 * Who holds which item: the one record of it that the overlays storing keys
 * share, each keeping only its own placement and repair policy on top.
 *
 * Per peer it keeps the items held, in the order they were acquired, each
 * with whatever the overlay wants to know of its copy (`Meta`: an expiry
 * time, say; `true` when nothing). Per item it keeps the holders, the online
 * copies, and whether some peer ever held it; the totals (stored, available,
 * held) move with every change, so reading availability costs nothing.
 *
 * An item is stored once some peer has held it, available while it has a
 * copy on an online peer, and held while some peer, online or not, has it.
 * What counts as lost differs per overlay (see each one's availability()).
 */
export class ItemLedger<Meta = true> {
  private readonly held: (Map<number, Meta> | undefined)[] = [];
  /** Disk persistence only: 1 while the peer is online. */
  private online = new Uint8Array(0);
  /** Peers holding each item, online or not. */
  private readonly holders: Int32Array;
  /** Online peers holding each item. */
  private readonly onlineCopies: Int32Array;
  /** 1 once some peer has held the item. */
  private readonly everStored: Uint8Array;
  private stored = 0;
  private available = 0;
  private heldItems = 0;

  constructor(
    readonly itemCount: number,
    readonly persistence: ItemPersistence,
  ) {
    this.holders = new Int32Array(itemCount);
    this.onlineCopies = new Int32Array(itemCount);
    this.everStored = new Uint8Array(itemCount);
  }

  // ── Reading ───────────────────────────────────────────────────────

  holds(peer: PeerId, item: number): boolean {
    return this.held[peer]?.has(item) ?? false;
  }

  /** What `peer` knows of its copy of `item`; undefined when it holds none. */
  copyOf(peer: PeerId, item: number): Meta | undefined {
    return this.held[peer]?.get(item);
  }

  /** The items `peer` holds and their copies, in the order it got them (a live view: do not change the ledger while iterating). */
  holdingsOf(peer: PeerId): ReadonlyMap<number, Meta> | undefined {
    return this.held[peer];
  }

  /** The items `peer` holds, in the order it got them (a fresh array). */
  itemsOf(peer: PeerId): number[] {
    const map = this.held[peer];
    return map === undefined ? [] : [...map.keys()];
  }

  /** How many items `peer` holds. */
  countOf(peer: PeerId): number {
    return this.held[peer]?.size ?? 0;
  }

  /** Peers holding `item`, online or not. */
  holdersOf(item: number): number {
    return this.holders[item]!;
  }

  /** Online peers holding `item` now. */
  onlineCopiesOf(item: number): number {
    return this.onlineCopies[item]!;
  }

  /** True once some peer has held `item`. */
  wasStored(item: number): boolean {
    return this.everStored[item] === 1;
  }

  /** Items some peer has held at some time. */
  storedCount(): number {
    return this.stored;
  }

  /** Items with a copy on an online peer now. */
  availableCount(): number {
    return this.available;
  }

  /** Items some peer holds now, online or not. */
  heldCount(): number {
    return this.heldItems;
  }

  isOnline(peer: PeerId): boolean {
    return this.persistence === "session" || this.online[peer] === 1;
  }

  // ── Changing ──────────────────────────────────────────────────────

  /** `peer` takes a copy of `item`. False (and nothing changes) when it already holds one. */
  add(peer: PeerId, item: number, meta: Meta): boolean {
    let map = this.held[peer];
    if (map === undefined) this.held[peer] = map = new Map();
    else if (map.has(item)) return false;
    map.set(item, meta);
    if (this.holders[item]!++ === 0) {
      this.heldItems++;
      if (this.everStored[item] === 0) {
        this.everStored[item] = 1;
        this.stored++;
      }
    }
    if (this.isOnline(peer) && this.onlineCopies[item]!++ === 0) this.available++;
    return true;
  }

  /** `peer` drops its copy of `item`. True when that was the last online copy. */
  remove(peer: PeerId, item: number): boolean {
    const map = this.held[peer];
    if (map === undefined || !map.delete(item)) return false;
    if (--this.holders[item]! === 0) this.heldItems--;
    return this.isOnline(peer) && this.onlineLoss(item);
  }

  /**
   * `peer` came online (true) or went offline (false). With disk
   * persistence its items stay with it and their online copies follow;
   * with session persistence going offline drops them all. Returns how many
   * items lost their last online copy.
   */
  setOnline(peer: PeerId, online: boolean): number {
    if (this.persistence === "session") return online ? 0 : this.dropAll(peer);
    if (peer >= this.online.length) {
      if (!online) return 0;
      const grown = new Uint8Array(Math.max(peer + 1, this.online.length * 2));
      grown.set(this.online);
      this.online = grown;
    }
    if ((this.online[peer] === 1) === online) return 0;
    this.online[peer] = online ? 1 : 0;
    const map = this.held[peer];
    if (map === undefined) return 0;
    let lastCopies = 0;
    for (const item of map.keys()) {
      if (!online) {
        if (this.onlineLoss(item)) lastCopies++;
      } else if (this.onlineCopies[item]!++ === 0) this.available++;
    }
    return lastCopies;
  }

  /** Session persistence: everything `peer` held goes with its session. Returns how many items lost their last copy. */
  private dropAll(peer: PeerId): number {
    const map = this.held[peer];
    if (map === undefined) return 0;
    this.held[peer] = undefined;
    let lastCopies = 0;
    for (const item of map.keys()) {
      if (--this.holders[item]! === 0) this.heldItems--;
      if (this.onlineLoss(item)) lastCopies++;
    }
    return lastCopies;
  }

  private onlineLoss(item: number): boolean {
    if (--this.onlineCopies[item]! !== 0) return false;
    this.available--;
    return true;
  }
}
