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
export const TALLY_COUNTERS = ["itemsEnded", "endedAudience", "endedReached", "endedUpdates", "endedRoundSum", "endedLastRoundSum"] as const;

/** The figures of every item, in typed arrays indexed by item id (ids are dense, in publication order). */
export class ItemTallies {
  private cap = 64;
  private size = 0;
  /** Still being tallied: neither ended nor forgotten. */
  private open = new Uint8Array(this.cap);
  private publishedMs = new Float64Array(this.cap);
  private audience = new Int32Array(this.cap);
  private reached = new Int32Array(this.cap);
  /** Peers hot about the item (rumour mongering). */
  private hotPeers = new Int32Array(this.cap);
  /** Updates sent as requests whose acknowledgement has not come back. */
  private pending = new Int32Array(this.cap);
  private updates = new Float64Array(this.cap);
  private roundSum = new Float64Array(this.cap);
  private lastRound = new Float64Array(this.cap);
  /** Items before this one are no longer open. */
  private oldestOpen = 0;

  constructor(
    private readonly roundMs: number,
    private readonly rumour: boolean,
    /** Items still open this long after publication are forgotten uncounted (churn kept them from ending). */
    private readonly forgetAfterMs: number,
    private readonly count: (name: string, amount: number) => void,
  ) {}

  published(id: number, nowMs: number, audience: number): void {
    while (this.oldestOpen < this.size) {
      const old = this.oldestOpen;
      if (this.open[old] === 1 && this.publishedMs[old]! + this.forgetAfterMs >= nowMs) break;
      this.open[old] = 0;
      this.oldestOpen++;
    }
    if (id >= this.cap) this.grow(id);
    this.size = Math.max(this.size, id + 1);
    this.open[id] = 1;
    this.publishedMs[id] = nowMs;
    this.audience[id] = audience;
    this.reached[id] = 1;
    this.hotPeers[id] = 0;
    this.pending[id] = 0;
    this.updates[id] = 0;
    this.roundSum[id] = 0;
    this.lastRound[id] = 0;
  }

  private isOpen(id: number): boolean {
    return id < this.size && this.open[id] === 1;
  }

  /** `count` peers (more than one: a cycle's, execution: cycles) got item `id` at `nowMs`. */
  infected(id: number, nowMs: number, count = 1): void {
    if (!this.isOpen(id)) return;
    const round = Math.floor(nowMs / this.roundMs) - Math.floor(this.publishedMs[id]! / this.roundMs);
    this.reached[id]! += count;
    this.roundSum[id]! += round * count;
    if (round > this.lastRound[id]!) this.lastRound[id] = round;
    if (!this.rumour) this.check(id);
  }

  /** `count` updates of item `id` were sent; `acknowledged`: they wait for an answer. */
  updateSent(id: number, acknowledged: boolean, count = 1): void {
    if (!this.isOpen(id)) return;
    this.updates[id]! += count;
    if (acknowledged) this.pending[id]! += count;
  }

  acknowledged(id: number): void {
    if (!this.isOpen(id)) return;
    this.pending[id]!--;
    this.check(id);
  }

  hot(id: number, delta: number): void {
    if (!this.isOpen(id)) return;
    this.hotPeers[id]! += delta;
    this.check(id);
  }

  private check(id: number): void {
    const ended = this.rumour ? this.hotPeers[id] === 0 && this.pending[id] === 0 : this.reached[id]! >= this.audience[id]!;
    if (!ended) return;
    this.open[id] = 0;
    this.count("itemsEnded", 1);
    this.count("endedAudience", this.audience[id]!);
    this.count("endedReached", Math.min(this.reached[id]!, this.audience[id]!));
    this.count("endedUpdates", this.updates[id]!);
    this.count("endedRoundSum", this.roundSum[id]!);
    this.count("endedLastRoundSum", this.lastRound[id]!);
  }

  private grow(id: number): void {
    let cap = this.cap;
    while (cap <= id) cap *= 2;
    const copy = <T extends Float64Array | Int32Array | Uint8Array>(old: T, fresh: T): T => {
      fresh.set(old as never);
      return fresh;
    };
    this.open = copy(this.open, new Uint8Array(cap));
    this.publishedMs = copy(this.publishedMs, new Float64Array(cap));
    this.audience = copy(this.audience, new Int32Array(cap));
    this.reached = copy(this.reached, new Int32Array(cap));
    this.hotPeers = copy(this.hotPeers, new Int32Array(cap));
    this.pending = copy(this.pending, new Int32Array(cap));
    this.updates = copy(this.updates, new Float64Array(cap));
    this.roundSum = copy(this.roundSum, new Float64Array(cap));
    this.lastRound = copy(this.lastRound, new Float64Array(cap));
    this.cap = cap;
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
