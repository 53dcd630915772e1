import type { Overlay, OverlayContext, OverlayDefinition, OverlaySnapshot, OverlayWorld, PeerSnapshot } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import { Membership } from "./membership.js";
import { gossipMessageTypes, type GossipMessage } from "./messages.js";
import { gossipSchema, type GossipOptions } from "./options.js";
import { Spread } from "./spread.js";
import { PeerState } from "./state.js";
import { ItemTallies, TALLY_COUNTERS, tallySummary } from "./tally.js";

/** Epidemic broadcast as in Demers et al. (PODC 1987), over full or partial membership. */
class GossipOverlay implements Overlay<GossipMessage> {
  private readonly states: (PeerState | undefined)[] = [];
  private readonly membership: Membership;
  private readonly tallies: ItemTallies;
  private readonly spread: Spread;

  constructor(
    private readonly options: GossipOptions,
    private readonly ctx: OverlayContext<GossipMessage>,
    world: OverlayWorld,
  ) {
    this.membership = new Membership(ctx, options.membership, world.allPeers, options.requestTimeout);
    this.tallies = new ItemTallies(options.round, options.algorithm === "rumour", 2 * options.memory, (name, amount) => ctx.count(name, amount));
    this.spread = new Spread(ctx, options, this.states, this.membership, this.tallies);
  }

  private start(peer: PeerId): void {
    this.states[peer] = new PeerState();
    const start = this.options.timing === "synchronous" ? "after-interval" : "random-phase";
    this.ctx.every(peer, this.options.round, () => this.spread.round(peer), { start });
  }

  join(peer: PeerId): void {
    this.start(peer);
    this.membership.join(peer, this.ctx.bootstrapContacts(peer));
  }

  buildOracle(peers: readonly PeerId[]): void {
    for (const peer of peers) this.start(peer);
    this.membership.buildOracle(peers);
  }

  leave(peer: PeerId): void {
    this.stop(peer);
  }

  crash(peer: PeerId): void {
    this.stop(peer);
  }

  private stop(peer: PeerId): void {
    this.spread.forget(peer);
    this.states[peer] = undefined;
    this.membership.leave(peer);
  }

  deliver(to: PeerId, from: PeerId, msg: GossipMessage): void {
    switch (msg.type) {
      case "update":
        this.spread.receiveUpdate(to, from, msg);
        return;
      case "digest":
        this.spread.receiveDigest(to, from, msg);
        return;
      case "want":
        this.spread.receiveWant(to, from, msg);
        return;
      case "shuffle":
        this.membership.answer(to, from, msg);
        return;
      case "ack":
      case "shuffleReply":
        // Answers go to the request that waits for them; one that outlived its request is dropped.
        return;
    }
  }

  broadcast(peer: PeerId, broadcast: number, bytes: number): void {
    // The audience is for measurement only (residue), never for the protocol's choices.
    this.tallies.published(broadcast, this.ctx.now(), this.ctx.livePeers().length);
    this.spread.accept(peer, broadcast, bytes, this.ctx.now());
  }

  sample(): Record<string, number> {
    let peers = 0;
    let hot = 0;
    let known = 0;
    for (const state of this.states) {
      if (!state) continue;
      peers++;
      hot += state.hot.length;
      known += state.known.size;
    }
    return { hotRumoursMean: peers ? hot / peers : 0, itemsKnownMean: peers ? known / peers : 0 };
  }

  snapshot(): OverlaySnapshot {
    const peers: PeerSnapshot[] = [];
    this.states.forEach((state, peer) => {
      if (!state) return;
      const links = this.membership.partial ? this.membership.viewOf(peer).slice() : [];
      peers.push({ peer, links, linkKinds: links.map(() => "view"), keys: [] });
    });
    return { peers };
  }
}

export const gossip: OverlayDefinition<GossipOptions, GossipMessage> = {
  name: "gossip",
  description: "Epidemic broadcast (Demers et al. 1987): rumour mongering or anti-entropy, push/pull/push-pull, full or partial membership",
  schema: gossipSchema,
  messageTypes: gossipMessageTypes,
  counters: ["updatesSent", "duplicates", "membersForgotten", ...TALLY_COUNTERS],
  summary: (_options, counters) => tallySummary(counters),
  create: (options, ctx, world) => new GossipOverlay(options, ctx, world),
};
