import type { OverlayContext } from "../../core/protocol.js";
import type { ItemStore } from "./items.js";
import type { Membership } from "./membership.js";
import type { GossipMessage } from "./messages.js";
import type { GossipOptions } from "./options.js";
import type { PeerStates } from "./state.js";
import type { ItemTallies } from "./tally.js";

/** What the gossip overlay builds once (index.ts) and every part of it reads: context, options, peers, items, views, tallies. */
export interface GossipParts {
  readonly ctx: OverlayContext<GossipMessage>;
  readonly options: GossipOptions;
  readonly peers: PeerStates;
  readonly items: ItemStore;
  readonly membership: Membership;
  readonly tallies: ItemTallies;
}

/**
 * A part of the overlay (the event-driven spread, the cycle-driven
 * exchanges, the push-only cycles): the shared parts as its own fields, so
 * the hot paths read `this.peers` with no object in between.
 */
export abstract class GossipPart {
  protected readonly ctx: OverlayContext<GossipMessage>;
  protected readonly options: GossipOptions;
  protected readonly peers: PeerStates;
  protected readonly items: ItemStore;
  protected readonly membership: Membership;
  protected readonly tallies: ItemTallies;

  constructor(parts: GossipParts) {
    this.ctx = parts.ctx;
    this.options = parts.options;
    this.peers = parts.peers;
    this.items = parts.items;
    this.membership = parts.membership;
    this.tallies = parts.tallies;
  }
}
