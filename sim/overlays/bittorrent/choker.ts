import type { Rng } from "../../engine/rng.js";
import type { PeerId } from "../../peers/population.js";
import type { Connection, PeerState } from "./state.js";

export interface ChokerOptions {
  regularSlots: number;
  optimisticSlots: number;
  optimisticInterval: number;
  snubTimeout: number;
}

/**
 * Who a peer uploads to, decided every rechoke period (Cohen 2003, §2.4;
 * Legout et al. 2006, §II-C). A leecher gives its regular slots to the
 * interested peers that uploaded to it fastest over the last two periods
 * (tit-for-tat), leaving out peers that snub it (no block for `snubTimeout`
 * while it wanted one). A seed, which downloads nothing, rotates its regular
 * slots round robin: a peer keeps its slot for one optimistic interval, then
 * the peers unchoked longest ago come next. Either way `optimisticSlots`
 * more go to random choked interested peers, rotated every
 * `optimisticInterval`; a connection younger than three intervals is three
 * times as likely to be picked, so newcomers get their first pieces.
 */
export class Choker {
  constructor(
    private readonly options: ChokerOptions,
    private readonly rng: Rng,
  ) {}

  /** The peers `state` should have unchoked from now on. */
  decide(state: PeerState, now: number): Set<PeerId> {
    // Kept in connection order as INTERESTED and NOT INTERESTED arrive, so the work here is proportional to it.
    const interested = state.interestedPeers;
    const regular = state.complete ? this.seedSlots(interested, now) : this.leecherSlots(interested, state.chokeRound, now);
    const chosen = new Set<PeerId>(regular.map((c) => c.peer));
    this.rotateOptimistic(state, interested, chosen, now);
    for (const peer of state.optimistic) chosen.add(peer);
    return chosen;
  }

  private leecherSlots(interested: Connection[], round: number, now: number): Connection[] {
    const ranked = interested
      .filter((c) => !(c.amInterested && now - c.lastBlockMs > this.options.snubTimeout))
      .map((c) => {
        c.rollTo(round);
        return { c, rate: c.receivedNow + c.receivedBefore, tie: this.rng.next() };
      });
    ranked.sort((a, b) => b.rate - a.rate || a.tie - b.tie);
    return ranked.slice(0, this.options.regularSlots).map((r) => r.c);
  }

  private seedSlots(interested: Connection[], now: number): Connection[] {
    const keep = interested
      .filter((c) => !c.amChoking && now - c.lastUnchokedMs < this.options.optimisticInterval)
      .sort((a, b) => b.lastUnchokedMs - a.lastUnchokedMs || a.peer - b.peer)
      .slice(0, this.options.regularSlots);
    const kept = new Set(keep);
    const next = interested.filter((c) => !kept.has(c)).sort((a, b) => a.lastUnchokedMs - b.lastUnchokedMs || a.peer - b.peer);
    return [...keep, ...next.slice(0, this.options.regularSlots - keep.length)];
  }

  private rotateOptimistic(state: PeerState, interested: Connection[], regular: Set<PeerId>, now: number): void {
    const slots = this.options.optimisticSlots;
    const stillGood = (peer: PeerId) => {
      const c = state.connections.get(peer);
      return c !== undefined && c.peerInterested && !regular.has(peer);
    };
    const due = now - state.optimisticRotatedMs >= this.options.optimisticInterval;
    const kept = due ? [] : state.optimistic.filter(stillGood);
    if (due) state.optimisticRotatedMs = now;
    const pool = interested.filter((c) => !regular.has(c.peer) && !kept.includes(c.peer));
    const young = 3 * this.options.optimisticInterval;
    const weights = pool.map((c) => (now - c.openedMs < young ? 3 : 1));
    while (kept.length < slots && pool.length > 0) {
      let total = 0;
      for (const w of weights) total += w;
      let x = this.rng.next() * total;
      let i = 0;
      while (i < pool.length - 1 && x >= weights[i]!) x -= weights[i++]!;
      kept.push(pool[i]!.peer);
      pool.splice(i, 1);
      weights.splice(i, 1);
    }
    state.optimistic = kept;
  }
}
