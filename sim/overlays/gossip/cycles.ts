import type { PeerId } from "../../peers/population.js";
import { CycleTimeouts } from "./cycle-timeouts.js";
import { CycleTraffic } from "./cycle-traffic.js";
import { GossipPart, type GossipParts } from "./parts.js";
import type { Spread } from "./spread.js";
import type { PeerState } from "./state.js";

/** What became of one update carried inside a cycle. */
const NO_ANSWER = 0;
const NEWS = 1;
const KNEW = 2;

/**
 * `execution: cycles` — the protocols of spread.ts run as Demers et al.
 * simulated them and as PeerSim's cycle-driven engine runs protocols: one
 * engine event per round (`ctx.everyCycle`) in which every peer that has
 * something to do takes its turn, and every exchange completes inside that
 * turn without engine events.
 *
 * - Turns go in ascending peer id, every online peer's. (Push rumour
 *   mongering, where only hot peers act, has its own walk: push-cycles.ts.)
 * - A peer offers, pushes and serves only what it had before the cycle
 *   began: a peer infected in cycle r spreads from cycle r + 1 on.
 * - A partner "knew" an update if it had the item before the cycle began
 *   (the event mode's round rule), so two pushes of one cycle to the same
 *   peer are both necessary contacts; likewise an anti-entropy partner asks
 *   for, and serves, by what each side had when the cycle began.
 * - Feedback (the acks of a turn's pushes, and a digest saying the puller
 *   knew a served rumour) counts when the cycle ends: in the event mode every
 *   peer sends at the round's start and the answers come after, so no
 *   peer's sends depend on answers to others of the same round. A rumour pushed to an offline
 *   partner gets no answer: it counts (feedback) and its spread can end only
 *   once `requestTimeout` has passed, at the first cycle at or after it and
 *   before that cycle's turns, where the event mode's timeout fires; not at
 *   all if the sender has left by then, as in the event mode. Blind contacts
 *   count as they are made, as in the event mode.
 * - Every message an exchange would send is counted through `ctx.carried`,
 *   once per cycle and type (per item for updates), so traffic and messages
 *   per peer mean what they mean in the event mode. Acks, digests and wants
 *   are resolved inline.
 * - A peer reached in a cycle is reached at the cycle's time: times to
 *   50/90/100 % are multiples of the round, where the event mode adds the
 *   message latency.
 */
export class Cycles extends GossipPart {
  private readonly rumours: boolean;
  private readonly pushes: boolean;
  private readonly pulls: boolean;
  /** The peers taking a turn this cycle, then scratch copies of id lists that a turn changes while it reads them. */
  private turns = new Int32Array(64);
  private ids = new Int32Array(64);
  private served = new Int32Array(64);
  /** (peer, item) pairs whose contact counts toward losing interest when the cycle ends (feedback). */
  private counted = new Int32Array(128);
  private countedSize = 0;
  /** The cycle's time: everything in it happens at this instant. */
  private now = 0;
  private readonly traffic: CycleTraffic;
  private readonly timeouts: CycleTimeouts;
  private readonly timedOut = (peer: PeerId, id: number): void => {
    if (this.options.feedback) this.spread.contacted(peer, id);
    this.tallies.acknowledged(id);
  };

  constructor(
    parts: GossipParts,
    private readonly spread: Spread,
  ) {
    super(parts);
    const { options, ctx, items, peers } = parts;
    this.rumours = options.algorithm === "rumour";
    this.pushes = options.direction !== "pull";
    this.pulls = options.direction !== "push";
    this.traffic = new CycleTraffic(ctx, items);
    this.timeouts = new CycleTimeouts(peers);
  }

  /** One cycle: every turn, then the cycle's traffic. */
  readonly cycle = (): void => {
    this.now = this.ctx.now();
    this.timeouts.run(this.now, this.timedOut);
    const peers = this.peers;
    if (this.turns.length < peers.capacity) this.turns = new Int32Array(peers.capacity);
    const n = peers.onlineAscending(this.turns);
    this.countedSize = 0;
    for (let i = 0; i < n; i++) this.turn(this.turns[i]!);
    // Rounds are simultaneous: interest lost in a cycle takes effect when it ends, so no turn of this
    // cycle, and no pull a peer serves in it, depends on where that peer's turn fell in the order.
    for (let i = 0; i < this.countedSize; i += 2) this.spread.contacted(this.counted[i]!, this.counted[i + 1]!);
    this.traffic.account();
  };

  private turn(peer: PeerId): void {
    const state = this.peers.get(peer);
    if (state === undefined) return;
    this.peers.prune(peer, state, this.now);
    // A push-only rumour monger with nothing from before this cycle has nothing to do (no partner is drawn).
    if (this.rumours && !this.pulls && this.hotBefore(peer, state) === 0) return;
    for (let i = 0; i < this.options.fanout; i++) {
      const partner = this.membership.partner(peer);
      if (partner < 0) break;
      if (this.rumours) this.rumourContact(peer, state, partner);
      else this.antiEntropyContact(peer, state, partner);
    }
  }

  /** How many of `peer`'s hot rumours it had before this cycle: they lead its hot list, as rumours are listed in the order they arrived. */
  private hotBefore(peer: PeerId, state: PeerState): number {
    const hot = state.hotIds;
    let n = hot.length;
    while (n > 0 && this.items.receivedMsOf(hot[n - 1]!, peer) === this.now) n--;
    return n;
  }

  private rumourContact(peer: PeerId, state: PeerState, partner: PeerId): void {
    if (this.pushes) {
      const n = this.copyHot(peer, state, "ids");
      const ids = this.ids;
      for (let j = 0; j < n; j++) {
        const id = ids[j]!;
        const answer = this.update(peer, partner, id);
        if (answer === NO_ANSWER) this.timeouts.add(peer, id, this.now + this.options.requestTimeout);
        if (!this.options.feedback) this.spread.contacted(peer, id);
        else if (answer === KNEW) this.countLater(peer, id);
      }
    }
    if (this.pulls) this.pullRumours(peer, state, partner);
  }

  /** `peer`'s digest reaches `partner`, which sends the hot rumours it had before this cycle that `peer` lacks. */
  private pullRumours(peer: PeerId, state: PeerState, partner: PeerId): void {
    this.digest(this.knownBefore(peer, state), partner);
    const other = this.peers.get(partner);
    if (other === undefined) return;
    this.peers.prune(partner, other, this.now);
    const n = this.copyHot(partner, other, "served");
    const ids = this.served;
    const feedback = this.options.feedback;
    for (let j = 0; j < n; j++) {
      const id = ids[j]!;
      // The digest lists what the peer had when the cycle began.
      const had = this.items.receivedMsOf(id, peer);
      const known = had >= 0 && had < this.now;
      if (!known && this.update(partner, peer, id) === KNEW && feedback) this.countLater(partner, id);
      // Feedback: the digest already says the peer knew it (counted when the cycle ends); blind: every contact counts now.
      if (!feedback) this.spread.contacted(partner, id);
      else if (known) this.countLater(partner, id);
    }
  }

  /**
   * Anti-entropy: `peer`'s digest of what it had before this cycle reaches
   * `partner`, which sends what `peer` lacks (pull) and names what it lacks
   * itself, which `peer` then sends (push).
   */
  private antiEntropyContact(peer: PeerId, state: PeerState, partner: PeerId): void {
    const offered = this.copyRecent(peer, state, "ids");
    // A push-only peer with nothing to offer skips the exchange.
    if (!this.pulls && offered === 0) return;
    this.digest(offered, partner);
    const other = this.peers.get(partner);
    if (other === undefined) return;
    this.peers.prune(partner, other, this.now);
    if (this.pulls) {
      const n = this.copyRecent(partner, other, "served");
      for (let j = 0; j < n; j++) {
        const id = this.served[j]!;
        const had = this.items.receivedMsOf(id, peer);
        if (had < 0 || had >= this.now) this.update(partner, peer, id);
      }
    }
    if (this.pushes) {
      let wanted = 0;
      for (let j = 0; j < offered; j++) {
        const id = this.ids[j]!;
        // The partner names what it lacked when the cycle began: two peers of one cycle may both send it an item.
        const had = this.items.receivedMsOf(id, partner);
        if (had >= 0 && had < this.now) continue;
        wanted++;
        this.update(peer, partner, id);
      }
      if (wanted > 0) this.traffic.want(wanted);
    }
  }

  /** How many of the items `peer` holds it had before this cycle (its digest's length). */
  private knownBefore(peer: PeerId, state: PeerState): number {
    let n = 0;
    for (let j = state.recentStart; j < state.recent.length; j++) if (this.items.receivedMsOf(state.recent[j]!, peer) < this.now) n++;
    return n;
  }

  /** A digest of `ids` item ids goes to `to`. */
  private digest(ids: number, to: PeerId): void {
    this.traffic.digest(ids, this.peers.get(to) !== undefined);
  }

  /**
   * Item `id` goes from `from` to `to` and takes effect at once, as
   * Spread.receiveUpdate does; rumour updates are acknowledged. Returns
   * whether `to` had it before this cycle, had not, or is offline.
   */
  private update(from: PeerId, to: PeerId, id: number): number {
    const state = this.peers.get(to);
    this.traffic.update(id, state !== undefined);
    // An unanswered rumour keeps its spread open until its timeout, as a request waiting for its answer does.
    this.tallies.updateSent(id, state === undefined && this.rumours);
    if (state === undefined) return NO_ANSWER;
    const tooOld = this.items.publishedMsOf(id) + this.options.memory < this.now;
    const had = this.items.receivedMsOf(id, to);
    if (tooOld || had >= 0) this.traffic.duplicate();
    else {
      this.tallies.infected(id, this.now);
      this.spread.accept(to, state, id);
    }
    if (this.rumours) this.traffic.ack();
    return tooOld || (had >= 0 && had < this.now) ? KNEW : NEWS;
  }

  /** Copies the hot rumours `peer` had before this cycle into the scratch array `into`; returns how many. */
  private copyHot(peer: PeerId, state: PeerState, into: "ids" | "served"): number {
    const n = this.hotBefore(peer, state);
    const out = this.room(into, n);
    const hot = state.hotIds;
    for (let j = 0; j < n; j++) out[j] = hot[j]!;
    return n;
  }

  /** Copies the items `peer` held before this cycle (its digest) into the scratch array `into`; returns how many. */
  private copyRecent(peer: PeerId, state: PeerState, into: "ids" | "served"): number {
    const recent = state.recent;
    const out = this.room(into, recent.length - state.recentStart);
    let n = 0;
    for (let j = state.recentStart; j < recent.length; j++) {
      const id = recent[j]!;
      if (this.items.receivedMsOf(id, peer) < this.now) out[n++] = id;
    }
    return n;
  }

  /** The scratch array `name`, grown to hold `n` ids. */
  private room(name: "ids" | "served", n: number): Int32Array {
    const array = this[name];
    if (array.length >= n) return array;
    const fresh = new Int32Array(Math.max(n, 2 * array.length));
    this[name] = fresh;
    return fresh;
  }

  private countLater(peer: PeerId, id: number): void {
    if (this.countedSize + 2 > this.counted.length) {
      const fresh = new Int32Array(2 * this.counted.length);
      fresh.set(this.counted);
      this.counted = fresh;
    }
    this.counted[this.countedSize++] = peer;
    this.counted[this.countedSize++] = id;
  }
}
