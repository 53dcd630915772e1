import type { PeerId } from "../../peers/population.js";

/**
 * The bootstrap contacts each joining node is trying (at most `PER_NODE`,
 * newest first), in one typed array of PER_NODE entries a node (-1 after the
 * last), rather than a map from node to a list: at a million peers joining
 * over minutes, a hundred thousand joiners at once each answer routing steps
 * with their contacts, and a map of that size costs a few cache misses a
 * look-up. Made at the first join, so an oracle ring that never joins has
 * none.
 */
export class JoinContacts {
  private slots = new Int32Array(0);

  /** The contacts of `node` (empty if it has none), at most `max` of them, in a new array. */
  of(node: PeerId, max = PER_NODE): PeerId[] {
    const out: PeerId[] = [];
    const base = node * PER_NODE;
    if (base >= this.slots.length) return out;
    for (let j = 0; j < max && j < PER_NODE; j++) {
      const c = this.slots[base + j]!;
      if (c < 0) break;
      out.push(c);
    }
    return out;
  }

  /** `node` now tries the first PER_NODE of `contacts`. */
  set(node: PeerId, contacts: readonly PeerId[]): void {
    const base = node * PER_NODE;
    if (base >= this.slots.length) {
      const bigger = new Int32Array(Math.max(base + PER_NODE, 2 * this.slots.length)).fill(-1);
      bigger.set(this.slots);
      this.slots = bigger;
    }
    const n = Math.min(contacts.length, PER_NODE);
    for (let j = 0; j < n; j++) this.slots[base + j] = contacts[j]!;
    this.slots.fill(-1, base + n, base + PER_NODE);
  }

  /** `node` is in the ring, or gone: it tries nobody. */
  clear(node: PeerId): void {
    const base = node * PER_NODE;
    if (base < this.slots.length) this.slots.fill(-1, base, base + PER_NODE);
  }
}

/** Contacts kept per joining node. */
const PER_NODE = 8;
