import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { GossipMessage, ShuffleMessage } from "./messages.js";
import type { GossipOptions } from "./options.js";

/**
 * Whom a peer gossips with. "full": the whole population (every peer that can
 * ever be online), as Demers et al. assume; partners that happen to be offline
 * are wasted contacts, as in the paper's model of failed sites. "partial": a
 * view of `viewSize` peers kept fresh by a shuffle in the style of Cyclon
 * (Voulgaris, Gavidia & van Steen, J. Network Syst. Manage. 2005): every
 * `shuffleInterval` a peer swaps a few members with a random member of its
 * view, and forgets members that do not answer.
 */
export class Membership {
  private readonly views: (PeerId[] | undefined)[] = [];

  constructor(
    private readonly ctx: OverlayContext<GossipMessage>,
    private readonly options: GossipOptions["membership"],
    private readonly population: readonly PeerId[],
    private readonly requestTimeoutMs: number,
  ) {}

  get partial(): boolean {
    return this.options.kind === "partial";
  }

  /** `peer` comes online; `contacts` seed a partial view. */
  join(peer: PeerId, contacts: readonly PeerId[]): void {
    if (!this.partial) return;
    this.views[peer] = contacts.filter((p) => p !== peer).slice(0, this.options.viewSize);
    this.ctx.every(peer, this.options.shuffleInterval, () => this.shuffle(peer));
  }

  /** Oracle bootstrap: every listed peer gets a uniformly random view of the others. */
  buildOracle(peers: readonly PeerId[]): void {
    if (!this.partial) return;
    for (const peer of peers) {
      const view: PeerId[] = [];
      const size = Math.min(this.options.viewSize, peers.length - 1);
      const taken = new Set<PeerId>([peer]);
      while (view.length < size) {
        const other = peers[this.ctx.rng.int(peers.length)]!;
        if (taken.has(other)) continue;
        taken.add(other);
        view.push(other);
      }
      this.views[peer] = view;
      this.ctx.every(peer, this.options.shuffleInterval, () => this.shuffle(peer));
    }
  }

  leave(peer: PeerId): void {
    this.views[peer] = undefined;
  }

  /** One gossip partner of `peer`, uniformly from what it knows; -1 if it knows nobody. */
  partner(peer: PeerId): PeerId {
    if (!this.partial) {
      const n = this.population.length;
      if (n < 2) return -1;
      // Uniform over the others: draw from n − 1 slots and skip over `peer` itself.
      const i = this.ctx.rng.int(n - 1);
      const other = this.population[i]!;
      return other === peer ? this.population[n - 1]! : other;
    }
    const view = this.views[peer];
    if (!view || view.length === 0) return -1;
    return view[this.ctx.rng.int(view.length)]!;
  }

  viewOf(peer: PeerId): readonly PeerId[] {
    return this.views[peer] ?? [];
  }

  /** An incoming shuffle: answer with as many of our own members, then merge what was offered. */
  answer(to: PeerId, from: PeerId, msg: ShuffleMessage): void {
    const view = this.views[to];
    if (!view) return;
    const answer = this.ctx.rng.sample(view.filter((p) => p !== from), this.options.shuffleLength);
    this.ctx.reply(to, from, msg, { type: "shuffleReply", peers: answer });
    this.merge(to, msg.peers);
  }

  private shuffle(peer: PeerId): void {
    const view = this.views[peer];
    if (!view || view.length === 0) return;
    const partner = view[this.ctx.rng.int(view.length)]!;
    const offer = [peer, ...this.ctx.rng.sample(view.filter((p) => p !== partner), this.options.shuffleLength - 1)];
    this.ctx.request(
      peer,
      partner,
      { type: "shuffle", peers: offer },
      this.requestTimeoutMs,
      (reply) => {
        if (reply.type === "shuffleReply") this.merge(peer, reply.peers);
      },
      () => {
        const current = this.views[peer];
        const i = current?.indexOf(partner) ?? -1;
        if (i >= 0) current!.splice(i, 1);
        this.ctx.count("membersForgotten");
      },
    );
  }

  private merge(peer: PeerId, incoming: readonly PeerId[]): void {
    const view = this.views[peer];
    if (!view) return;
    for (const other of incoming) {
      if (other === peer || view.includes(other)) continue;
      // A full view replaces a random member, so views stay close to uniform samples.
      if (view.length < this.options.viewSize) view.push(other);
      else view[this.ctx.rng.int(view.length)] = other;
    }
  }
}
