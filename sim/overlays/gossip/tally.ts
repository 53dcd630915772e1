/**
 * Demers et al.'s figures per item, counted by the overlay itself: residue
 * (share of peers never reached), traffic (updates sent per peer) and the
 * delays t_ave and t_last in rounds. An item's figures are final when its
 * spread has ended — rumour mongering: no peer is hot any more and no update
 * is waiting for its acknowledgement; anti-entropy: every peer online at
 * publication has it — and are then added to the overlay counters, so
 * summary.json gets them over the items that ended in the measured window
 * (an item cut off by the end of the run is left out rather than counted
 * with a residue it would not have had).
 *
 * Rounds are counted on the clock grid of the round length: an item
 * published at t0 and received at t arrived in round floor(t/T) − floor(t0/T).
 * With `timing: synchronous` and peers that joined together this is exactly
 * the paper's cycle count; with random phases it is the nearest equivalent.
 */
interface ItemTally {
  publishedMs: number;
  audience: number;
  reached: number;
  /** Peers hot about the item (rumour mongering). */
  hot: number;
  /** Updates sent as requests whose acknowledgement has not come back. */
  pending: number;
  updates: number;
  roundSum: number;
  lastRound: number;
}

export const TALLY_COUNTERS = ["itemsEnded", "endedAudience", "endedReached", "endedUpdates", "endedRoundSum", "endedLastRoundSum"] as const;

export class ItemTallies {
  private readonly items = new Map<number, ItemTally>();

  constructor(
    private readonly roundMs: number,
    private readonly rumour: boolean,
    /** Items still open this long after publication are forgotten uncounted (churn kept them from ending). */
    private readonly forgetAfterMs: number,
    private readonly count: (name: string, amount: number) => void,
  ) {}

  published(id: number, nowMs: number, audience: number): void {
    for (const [old, tally] of this.items) {
      if (tally.publishedMs + this.forgetAfterMs >= nowMs) break;
      this.items.delete(old);
    }
    this.items.set(id, { publishedMs: nowMs, audience, reached: 1, hot: 0, pending: 0, updates: 0, roundSum: 0, lastRound: 0 });
  }

  infected(id: number, nowMs: number): void {
    const t = this.items.get(id);
    if (!t) return;
    const round = Math.floor(nowMs / this.roundMs) - Math.floor(t.publishedMs / this.roundMs);
    t.reached++;
    t.roundSum += round;
    if (round > t.lastRound) t.lastRound = round;
    if (!this.rumour) this.check(id, t);
  }

  updateSent(id: number, acknowledged: boolean): void {
    const t = this.items.get(id);
    if (!t) return;
    t.updates++;
    if (acknowledged) t.pending++;
  }

  acknowledged(id: number): void {
    const t = this.items.get(id);
    if (!t) return;
    t.pending--;
    this.check(id, t);
  }

  hot(id: number, delta: number): void {
    const t = this.items.get(id);
    if (!t) return;
    t.hot += delta;
    this.check(id, t);
  }

  private check(id: number, t: ItemTally): void {
    const ended = this.rumour ? t.hot === 0 && t.pending === 0 : t.reached >= t.audience;
    if (!ended) return;
    this.items.delete(id);
    this.count("itemsEnded", 1);
    this.count("endedAudience", t.audience);
    this.count("endedReached", Math.min(t.reached, t.audience));
    this.count("endedUpdates", t.updates);
    this.count("endedRoundSum", t.roundSum);
    this.count("endedLastRoundSum", t.lastRound);
  }
}

/** summary.json `overlay` figures from the tally counters (NaN-free: 0 when no item ended). */
export function tallySummary(counters: Readonly<Record<string, number>>): Record<string, number> {
  const ended = counters["itemsEnded"] ?? 0;
  const audience = counters["endedAudience"] ?? 0;
  const reached = counters["endedReached"] ?? 0;
  const infected = reached - ended; // the origins are not infected by anyone
  const r = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  return {
    itemsEnded: ended,
    residue: audience > 0 ? r(1 - reached / audience, 5) : 0,
    trafficPerPeer: audience > 0 ? r((counters["endedUpdates"] ?? 0) / audience, 4) : 0,
    roundsMean: infected > 0 ? r((counters["endedRoundSum"] ?? 0) / infected, 3) : 0,
    roundsLast: ended > 0 ? r((counters["endedLastRoundSum"] ?? 0) / ended, 3) : 0,
  };
}
