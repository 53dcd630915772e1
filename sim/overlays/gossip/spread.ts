import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { Membership } from "./membership.js";
import type { DigestMessage, GossipMessage, UpdateMessage, WantMessage } from "./messages.js";
import type { GossipOptions } from "./options.js";
import { PeerState, type HotRumour } from "./state.js";
import type { ItemTallies } from "./tally.js";

/**
 * One gossip round of a peer and the exchanges it starts (Demers et al. 1987).
 *
 * Rumour mongering: a peer that receives a new item becomes hot about it;
 * every round it sends each hot item to `fanout` random partners (push) and/or
 * asks them for their hot items, sending the ids it has (pull). Each update
 * is acknowledged, telling the sender whether the receiver knew it already;
 * with feedback only such unnecessary contacts count toward losing interest,
 * blind every contact does. "counter" loses interest after k counted contacts,
 * "coin" with probability 1/k at each.
 *
 * Anti-entropy: every round a peer sends the ids of its recent items to a
 * random partner; the partner answers (push) with the ids it lacks, which the
 * peer then sends, and/or (pull) sends the items the peer lacks.
 */
export class Spread {
  constructor(
    private readonly ctx: OverlayContext<GossipMessage>,
    private readonly options: GossipOptions,
    private readonly states: (PeerState | undefined)[],
    private readonly membership: Membership,
    private readonly tallies: ItemTallies,
  ) {}

  private get pushes(): boolean {
    return this.options.direction !== "pull";
  }

  private get pulls(): boolean {
    return this.options.direction !== "push";
  }

  /** `peer` publishes (or first receives) item `id`. */
  accept(peer: PeerId, id: number, bytes: number, publishedMs: number): void {
    const state = this.states[peer]!;
    state.add(id, { bytes, publishedMs, receivedMs: this.ctx.now() });
    this.ctx.reached(id, peer);
    if (this.options.algorithm === "rumour") {
      state.hot.push({ id, bytes, publishedMs, contacts: 0 });
      this.tallies.hot(id, 1);
    }
  }

  round(peer: PeerId): void {
    const state = this.states[peer];
    if (!state) return;
    state.prune(this.ctx.now(), this.options.memory);
    for (let i = 0; i < this.options.fanout; i++) {
      const partner = this.membership.partner(peer);
      if (partner < 0) return;
      if (this.options.algorithm === "rumour") this.rumourContact(peer, state, partner);
      else this.antiEntropyContact(peer, state, partner);
    }
  }

  private rumourContact(peer: PeerId, state: PeerState, partner: PeerId): void {
    if (this.pushes) {
      for (const rumour of state.hot.slice()) {
        this.sendUpdate(peer, partner, rumour);
        if (!this.options.feedback) this.contacted(peer, rumour);
      }
    }
    if (this.pulls) this.ctx.send(peer, partner, { type: "digest", ids: state.recentIds(), pull: true, push: false });
  }

  private antiEntropyContact(peer: PeerId, state: PeerState, partner: PeerId): void {
    const ids = state.recentIds();
    // A push-only peer with nothing recent has nothing to offer: it skips the exchange.
    if (!this.pulls && ids.length === 0) return;
    this.ctx.send(peer, partner, { type: "digest", ids, pull: this.pulls, push: this.pushes });
  }

  /** Sends one item; rumour updates are requests, so the answer tells whether the partner knew it. */
  private sendUpdate(from: PeerId, to: PeerId, item: { id: number; bytes: number; publishedMs: number }): void {
    const msg: UpdateMessage = { type: "update", broadcast: item.id, bytes: item.bytes, publishedMs: item.publishedMs };
    this.ctx.count("updatesSent");
    if (this.options.algorithm !== "rumour") {
      this.tallies.updateSent(item.id, false);
      this.ctx.send(from, to, msg);
      return;
    }
    this.tallies.updateSent(item.id, true);
    const id = item.id;
    this.ctx.request(
      from,
      to,
      msg,
      this.options.requestTimeout,
      (reply) => {
        if (this.options.feedback && reply.type === "ack" && reply.knew) this.contacted(from, this.hotItem(from, id));
        this.tallies.acknowledged(id);
      },
      () => {
        // No answer: the partner is gone, which tells the sender as much as "I knew it".
        if (this.options.feedback) this.contacted(from, this.hotItem(from, id));
        this.tallies.acknowledged(id);
      },
    );
  }

  private roundOf(ms: number): number {
    return Math.floor(ms / this.options.round);
  }

  private hotItem(peer: PeerId, id: number): HotRumour | undefined {
    return this.states[peer]?.hot.find((h) => h.id === id);
  }

  /** A contact that counts toward losing interest in `rumour`. */
  private contacted(peer: PeerId, rumour: HotRumour | undefined): void {
    const state = this.states[peer];
    if (!state || !rumour) return;
    const k = this.options.k;
    const lose = this.options.loseInterest === "counter" ? ++rumour.contacts >= k : this.ctx.rng.next() < 1 / k;
    if (!lose) return;
    const i = state.hot.indexOf(rumour);
    if (i < 0) return;
    state.hot.splice(i, 1);
    this.tallies.hot(rumour.id, -1);
  }

  /** An update arrives; the answer (for rumours) says whether `to` knew it. */
  receiveUpdate(to: PeerId, from: PeerId, msg: UpdateMessage): void {
    const state = this.states[to]!;
    const now = this.ctx.now();
    const tooOld = msg.publishedMs + this.options.memory < now;
    const had = state.known.get(msg.broadcast);
    if (tooOld || had) this.ctx.count("duplicates");
    else {
      this.tallies.infected(msg.broadcast, now);
      this.accept(to, msg.broadcast, msg.bytes, msg.publishedMs);
    }
    // Demers et al.'s cycles are simultaneous: a contact is unnecessary only if the partner had the item
    // before this round began, not if another push of the same round got there a few milliseconds earlier.
    const knew = tooOld || (had !== undefined && this.roundOf(had.receivedMs) < this.roundOf(now));
    if (msg.rpc !== undefined) this.ctx.reply(to, from, msg, { type: "ack", knew });
  }

  /** A partner's digest: serve what it lacks (pull), ask for what we lack (push). */
  receiveDigest(to: PeerId, from: PeerId, msg: DigestMessage): void {
    const state = this.states[to]!;
    state.prune(this.ctx.now(), this.options.memory);
    const theirs = new Set(msg.ids);
    if (msg.pull) {
      if (this.options.algorithm === "rumour") {
        for (const rumour of state.hot.slice()) {
          const known = theirs.has(rumour.id);
          if (!known) this.sendUpdate(to, from, rumour);
          // Feedback: the digest already says the partner knew it; blind: every contact counts.
          if (known || !this.options.feedback) this.contacted(to, rumour);
        }
      } else {
        for (const id of state.recentIds()) {
          if (!theirs.has(id)) this.sendUpdate(to, from, { id, ...state.known.get(id)! });
        }
      }
    }
    if (msg.push) {
      const wanted = msg.ids.filter((id) => !state.known.has(id));
      if (wanted.length > 0) this.ctx.send(to, from, { type: "want", ids: wanted });
    }
  }

  /** The partner named the ids it lacks: send those we still have. */
  receiveWant(to: PeerId, from: PeerId, msg: WantMessage): void {
    const state = this.states[to]!;
    for (const id of msg.ids) {
      const item = state.known.get(id);
      if (item) this.sendUpdate(to, from, { id, ...item });
    }
  }

  /** `peer` goes offline: its hot rumours die with its session. */
  forget(peer: PeerId): void {
    const state = this.states[peer];
    if (!state) return;
    for (const rumour of state.hot) this.tallies.hot(rumour.id, -1);
    state.hot = [];
  }
}
