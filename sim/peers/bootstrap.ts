import type { Rng } from "../engine/rng.js";
import type { PeerId } from "./population.js";

/**
 * A well-known host cache, like Gnutella's GWebCache: it remembers the last
 * few peers that joined and hands a joining peer a small random sample of
 * them. It is never told about departures, so some contacts it gives out are
 * already offline; the joiner finds out the way a real one would, by timeout.
 * This is the only way a peer learns about others when it joins.
 */
export class HostCache {
  private readonly entries: PeerId[] = [];
  private next = 0;

  constructor(
    private readonly capacity: number,
    private readonly contactsPerJoin: number,
    private readonly rng: Rng,
  ) {}

  /** Remembers `peer`, evicting the oldest entry when full. */
  announce(peer: PeerId): void {
    if (this.entries.includes(peer)) return;
    if (this.entries.length < this.capacity) {
      this.entries.push(peer);
    } else {
      this.entries[this.next] = peer;
      this.next = (this.next + 1) % this.capacity;
    }
  }

  /** Up to `contactsPerJoin` remembered peers other than `peer`, in random order. */
  contactsFor(peer: PeerId): PeerId[] {
    const others = this.entries.filter((p) => p !== peer);
    return this.rng.sample(others, this.contactsPerJoin);
  }
}
