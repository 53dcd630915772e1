import type { Overlay, OverlayContext, OverlayDefinition, OverlaySnapshot, OverlayWorld, PeerSnapshot } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import { Cycles } from "./cycles.js";
import { Membership } from "./membership.js";
import { gossipMessageTypes, type GossipMessage } from "./messages.js";
import { gossipSchema, type GossipOptions } from "./options.js";
import { ItemStore } from "./items.js";
import { PushCycles } from "./push-cycles.js";
import type { GossipParts } from "./parts.js";
import { Spread } from "./spread.js";
import { PeerStates } from "./state.js";
import { ItemTallies, TALLY_COUNTERS, tallySummary } from "./tally.js";
import { answersOnly, dispatcher } from "../../core/handlers.js";

/** Epidemic broadcast as in Demers et al. (PODC 1987), over full or partial membership. */
class GossipOverlay implements Overlay<GossipMessage> {
  private readonly items: ItemStore;
  private readonly peers: PeerStates;
  private readonly membership: Membership;
  private readonly tallies: ItemTallies;
  private readonly spread: Spread;
  /** Cycle-driven push rumour mongering keeps its hot rumours per item (push-cycles.ts); undefined otherwise. */
  private readonly pushCycles: PushCycles | undefined;

  constructor(
    private readonly options: GossipOptions,
    private readonly ctx: OverlayContext<GossipMessage>,
    world: OverlayWorld,
  ) {
    let capacity = 1;
    for (const p of world.allPeers) capacity = Math.max(capacity, p + 1);
    this.items = new ItemStore(capacity);
    this.peers = new PeerStates(capacity, this.items, options.memory);
    this.membership = new Membership(ctx, options.membership, world.allPeers, options.requestTimeout);
    this.tallies = new ItemTallies(options.round, options.algorithm === "rumour", 2 * options.memory, (name, amount) => ctx.count(name, amount));
    const parts: GossipParts = { ctx, options, peers: this.peers, items: this.items, membership: this.membership, tallies: this.tallies };
    this.spread = new Spread(parts);
    if (options.execution === "cycles" && options.algorithm === "rumour" && options.direction === "push") {
      this.pushCycles = new PushCycles(parts);
      ctx.everyCycle(options.round, this.pushCycles.cycle);
    } else if (options.execution === "cycles") {
      const cycles = new Cycles(parts, this.spread);
      ctx.everyCycle(options.round, cycles.cycle);
    }
  }

  private start(peer: PeerId): void {
    this.peers.start(peer);
    // Cycle-driven: the peer takes its turns in the overlay's cycles from the next one on.
    if (this.options.execution === "cycles") return;
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
    this.pushCycles?.forget(peer);
    this.spread.forget(peer);
    this.peers.stop(peer);
    this.membership.leave(peer);
  }

  /** Each message type to its handler; answers (ack, shuffleReply) go to the requests waiting for them. */
  readonly deliver = dispatcher<GossipMessage>("gossip", {
    update: (to, from, msg) => this.spread.receiveUpdate(to, from, msg),
    digest: (to, from, msg) => this.spread.receiveDigest(to, from, msg),
    want: (to, from, msg) => this.spread.receiveWant(to, from, msg),
    shuffle: (to, from, msg) => this.membership.answer(to, from, msg),
    ...answersOnly("gossip", ["ack", "shuffleReply"]),
  });

  broadcast(peer: PeerId, broadcast: number, bytes: number): void {
    // The audience is for measurement only (residue), never for the protocol's choices.
    const now = this.ctx.now();
    this.tallies.published(broadcast, now, this.ctx.livePeers().length);
    this.items.published(broadcast, bytes, now);
    if (this.pushCycles) this.pushCycles.publish(peer, broadcast);
    else this.spread.accept(peer, this.peers.get(peer)!, broadcast);
  }

  sample(): Record<string, number> {
    if (this.pushCycles) return this.pushCycles.sample();
    let peers = 0;
    let hot = 0;
    let known = 0;
    for (const [, state] of this.peers.online()) {
      peers++;
      hot += state.hotIds.length;
      known += state.knownCount;
    }
    return { hotRumoursMean: peers ? hot / peers : 0, itemsKnownMean: peers ? known / peers : 0 };
  }

  snapshot(): OverlaySnapshot {
    const peers: PeerSnapshot[] = [];
    for (const [peer] of this.peers.online()) {
      const links = this.membership.partial ? this.membership.viewOf(peer).slice() : [];
      peers.push({ peer, links, linkKinds: links.map(() => "view"), keys: [] });
    }
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
  checkScenario: (options, scenario) => (options.execution === "cycles" ? cycleProblems(options, scenario) : []),
  create: (options, ctx, world) => new GossipOverlay(options, ctx, world),
};

/** What `execution: cycles` cannot do: each problem names the field that rules it out. */
function cycleProblems(options: GossipOptions, scenario: { readonly bandwidth: boolean; readonly loss: number }) {
  const problems: { path: string[]; message: string }[] = [];
  const why = "with execution: cycles";
  if (options.membership.kind === "partial") {
    problems.push({
      path: ["membership", "kind"],
      message: `expected "full" ${why} (partial views are kept by shuffle messages, which only execution: events carries), got "partial"`,
    });
  }
  if (options.timing !== "synchronous") {
    problems.push({ path: ["timing"], message: `expected "synchronous" ${why} (every peer acts at the cycle's time), got "${options.timing}"` });
  }
  if (scenario.loss > 0) {
    problems.push({ path: ["execution"], message: `expected "events" with network.loss ${scenario.loss} (a cycle carries its messages without loss), got "cycles"` });
  }
  if (scenario.bandwidth) {
    problems.push({ path: ["execution"], message: 'expected "events" with network.bandwidth (a cycle carries its messages without transmission time), got "cycles"' });
  }
  return problems;
}
