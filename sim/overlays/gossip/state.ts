/** What one online peer holds: the items it has, its recent-update list and its hot rumours. */

export interface KnownItem {
  bytes: number;
  publishedMs: number;
  /** When this peer got it. */
  receivedMs: number;
}

export interface HotRumour {
  id: number;
  bytes: number;
  publishedMs: number;
  /** Contacts counted toward losing interest ("counter"). */
  contacts: number;
}

export class PeerState {
  readonly known = new Map<number, KnownItem>();
  /** Item ids in the order they arrived: the digest offered in exchanges, pruned after `memory`. */
  readonly recent: number[] = [];
  private recentStart = 0;
  hot: HotRumour[] = [];

  /** Forgets items published more than `memoryMs` ago: they leave the digest, and late copies are ignored. */
  prune(nowMs: number, memoryMs: number): void {
    while (this.recentStart < this.recent.length) {
      const id = this.recent[this.recentStart]!;
      const item = this.known.get(id)!;
      if (item.publishedMs + memoryMs >= nowMs) break;
      this.known.delete(id);
      this.recentStart++;
    }
    if (this.recentStart > 64 && this.recentStart * 2 > this.recent.length) {
      this.recent.splice(0, this.recentStart);
      this.recentStart = 0;
    }
  }

  recentIds(): number[] {
    return this.recent.slice(this.recentStart);
  }

  add(id: number, item: KnownItem): void {
    this.known.set(id, item);
    this.recent.push(id);
  }
}
