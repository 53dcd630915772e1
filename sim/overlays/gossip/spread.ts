import type { PeerId } from "../../peers/population.js";
import type { DigestMessage, GossipMessage, UpdateMessage, WantMessage } from "./messages.js";
import { GossipPart, type GossipParts } from "./parts.js";
import type { PeerState } from "./state.js";

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
export class Spread extends GossipPart {
  private readonly rumours: boolean;
  private readonly pushes: boolean;
  private readonly pulls: boolean;

  constructor(parts: GossipParts) {
    super(parts);
    const { options } = parts;
    this.rumours = options.algorithm === "rumour";
    this.pushes = options.direction !== "pull";
    this.pulls = options.direction !== "push";
  }

  /** `peer` publishes (or first receives) item `id`. */
  accept(peer: PeerId, state: PeerState, id: number): void {
    this.peers.add(peer, state, id, this.ctx.now());
    this.ctx.reached(id, peer);
    if (this.rumours) {
      this.peers.addHot(peer, state, id);
      this.tallies.hot(id, 1);
    }
  }

  round(peer: PeerId): void {
    const state = this.peers.get(peer);
    if (!state) return;
    this.peers.prune(peer, state, this.ctx.now());
    for (let i = 0; i < this.options.fanout; i++) {
      const partner = this.membership.partner(peer);
      if (partner < 0) return;
      if (this.rumours) this.rumourContact(peer, state, partner);
      else this.antiEntropyContact(peer, state, partner);
    }
  }

  private rumourContact(peer: PeerId, state: PeerState, partner: PeerId): void {
    if (this.pushes && this.peers.hotCount[peer]! > 0) {
      if (this.options.feedback) {
        // Only answers change the hot list, and none can arrive while this loop runs.
        const hot = state.hotIds;
        for (let i = 0; i < hot.length; i++) this.sendUpdate(peer, partner, hot[i]!);
      } else {
        for (const id of state.hotIds.slice()) {
          this.sendUpdate(peer, partner, id);
          this.contacted(peer, id);
        }
      }
    }
    if (this.pulls) this.ctx.send(peer, partner, { type: "digest", ids: state.recentIds(), pull: true, push: false });
  }

  private antiEntropyContact(peer: PeerId, state: PeerState, partner: PeerId): void {
    // A push-only peer with nothing recent has nothing to offer: it skips the exchange.
    if (!this.pulls && state.knownCount === 0) return;
    this.ctx.send(peer, partner, { type: "digest", ids: state.recentIds(), pull: this.pulls, push: this.pushes });
  }

  /** Sends one item; rumour updates are requests, so the answer tells whether the partner knew it. */
  private sendUpdate(from: PeerId, to: PeerId, id: number): void {
    const msg: UpdateMessage = { type: "update", broadcast: id, bytes: this.items.bytesOf(id), publishedMs: this.items.publishedMsOf(id) };
    this.ctx.count("updatesSent");
    if (!this.rumours) {
      this.tallies.updateSent(id, false);
      this.ctx.send(from, to, msg);
      return;
    }
    this.tallies.updateSent(id, true);
    this.ctx.request(
      from,
      to,
      msg,
      this.options.requestTimeout,
      (reply) => {
        if (this.options.feedback && reply.type === "ack" && reply.knew) this.contacted(from, id);
        this.tallies.acknowledged(id);
      },
      () => {
        // No answer: the partner is gone, which tells the sender as much as "I knew it".
        if (this.options.feedback) this.contacted(from, id);
        this.tallies.acknowledged(id);
      },
    );
  }

  private readonly countContact = (peer: PeerId, id: number): void => this.contacted(peer, id);

  private roundOf(ms: number): number {
    return Math.floor(ms / this.options.round);
  }

  /** A contact that counts toward losing interest in rumour `id`, if `peer` is still hot about it. */
  contacted(peer: PeerId, id: number): void {
    const state = this.peers.get(peer);
    if (!state) return;
    const i = state.hotIds.indexOf(id);
    if (i < 0) return;
    const k = this.options.k;
    const lose = this.options.loseInterest === "counter" ? ++state.hotContacts[i]! >= k : this.ctx.rng.next() < 1 / k;
    if (!lose) return;
    this.peers.removeHot(peer, state, i);
    this.tallies.hot(id, -1);
  }

  /** An update arrives; the answer (for rumours) says whether `to` knew it. */
  receiveUpdate(to: PeerId, from: PeerId, msg: UpdateMessage): void {
    const state = this.peers.get(to)!;
    const now = this.ctx.now();
    const id = msg.broadcast;
    const tooOld = msg.publishedMs + this.options.memory < now;
    const had = this.items.receivedMsOf(id, to);
    if (tooOld || had >= 0) this.ctx.count("duplicates");
    else {
      this.tallies.infected(id, now);
      this.accept(to, state, id);
    }
    // Demers et al.'s cycles are simultaneous: a contact is unnecessary only if the partner had the item
    // before this round began, not if another push of the same round got there a few milliseconds earlier.
    const knew = tooOld || (had >= 0 && this.roundOf(had) < this.roundOf(now));
    if (msg.rpc !== undefined) this.ctx.reply(to, from, msg, { type: "ack", knew });
  }

  /** A partner's digest: serve what it lacks (pull), ask for what we lack (push). */
  receiveDigest(to: PeerId, from: PeerId, msg: DigestMessage): void {
    const state = this.peers.get(to)!;
    this.peers.prune(to, state, this.ctx.now());
    if (msg.pull) {
      const theirs = new Set(msg.ids);
      if (this.rumours) {
        const round = this.roundOf(this.ctx.now());
        for (const id of state.hotIds.slice()) {
          // A rumour this site caught in the current round takes part from the next one (Demers et
          // al.'s rounds): the digest of the very exchange that brought it is not a contact of its own.
          if (this.roundOf(this.items.receivedMsOf(id, to)) === round) continue;
          const known = theirs.has(id);
          if (!known) this.sendUpdate(to, from, id);
          // Blind: every contact counts. Feedback: the digest already says the partner knew it; that counts
          // once this instant's other digests are served (a zero-delay timer runs after them), as rounds are
          // simultaneous: a digest must not decide what a partner that sent at the same time is served.
          if (!this.options.feedback) this.contacted(to, id);
          else if (known) this.ctx.setTimerWith(to, 0, this.countContact, id, 0);
        }
      } else {
        for (const id of state.recentIds()) {
          if (!theirs.has(id)) this.sendUpdate(to, from, id);
        }
      }
    }
    if (msg.push) {
      const wanted = msg.ids.filter((id) => !this.items.holds(id, to));
      if (wanted.length > 0) this.ctx.send(to, from, { type: "want", ids: wanted });
    }
  }

  /** The partner named the ids it lacks: send those we still have. */
  receiveWant(to: PeerId, from: PeerId, msg: WantMessage): void {
    for (const id of msg.ids) {
      if (this.items.holds(id, to)) this.sendUpdate(to, from, id);
    }
  }

  /** `peer` goes offline: its hot rumours die with its session. */
  forget(peer: PeerId): void {
    const state = this.peers.get(peer);
    if (!state) return;
    for (const id of state.hotIds) this.tallies.hot(id, -1);
  }
}
