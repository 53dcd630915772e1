import type { PeerId } from "../../peers/population.js";
import type { AdversaryView } from "../../core/protocol.js";
import type { ChordTables } from "./tables.js";

/**
 * What misrouting Chord nodes need: where their accomplices sit on the ring.
 *
 * The attack (Sit & Morris, "Security considerations for peer-to-peer
 * distributed hash tables", IPTPS 2002; Castro et al., OSDI 2002): asked the
 * way to a target, a misrouting node answers that the owner is the malicious
 * node whose id most closely precedes the target. That node is never the
 * true owner (the owner is the first node at or after the target), the
 * answer looks plausible (it is close to the target), and the lookup ends at
 * a malicious node, which then serves nothing or a corrupted value.
 *
 * Malicious nodes collude: they know each other's ids and which of them are
 * in the ring now (read from the tables, a modelling shortcut for the side
 * channel colluders would keep up), so they never name an offline accomplice.
 */
export class Accomplices {
  /** Accomplice nodes sorted by id (built on first use: node ids exist once the tables have grown to hold them). */
  private sorted: Int32Array | null = null;

  constructor(
    private readonly adversary: AdversaryView,
    private readonly t: ChordTables,
  ) {}

  private build(): Int32Array {
    const t = this.t;
    const nodes = Int32Array.from(this.adversary.accomplices);
    for (const node of nodes) t.ensure(node);
    const { ids, W, space } = t;
    nodes.sort((a, b) => space.cmp(ids, a * W, ids, b * W) || a - b);
    return nodes;
  }

  /**
   * The accomplice in the ring whose id most closely precedes `target`
   * (strictly below it, wrapping round), or -1 if none is in the ring.
   */
  preceding(target: Uint32Array, to: number): PeerId {
    const sorted = (this.sorted ??= this.build());
    const n = sorted.length;
    if (n === 0) return -1;
    const { ids, W, space, inRing } = this.t;
    // First position whose id is ≥ target; the one before it precedes the target.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (space.cmp(ids, sorted[mid]! * W, target, to) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let k = 1; k <= n; k++) {
      const node = sorted[(lo - k + n) % n]!;
      if (inRing[node]) return node;
    }
    return -1;
  }
}
