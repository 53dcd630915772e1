import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../../core/protocol.js";
import type { ActiveLookup } from "./downloads.js";
import type { HybridMessage } from "./messages.js";
import { Registry } from "./registry.js";

export type Ctx = OverlayContext<HybridMessage>;

/** One online peer's state in super-peer mode: a leaf's attachment, or a super-peer's links and index. */
export class PeerState {
  /** A leaf's super-peer, or -1 while it looks for one. */
  superPeer: PeerId = -1;
  /** True while a leaf is trying candidates. */
  attaching = false;
  /** Super-peers this peer has heard of, to try when its own fails. */
  known: PeerId[] = [];
  /** A super-peer's super-peer neighbours. */
  readonly neighbours: PeerId[] = [];
  pendingConnects = 0;
  /** A super-peer's index of its leaves' keys (and its own). */
  readonly registry = new Registry();
  readonly lookups = new Map<number, ActiveLookup>();

  constructor(readonly isSuper: boolean) {}
}

/** Every peer's state by peer number; undefined while the peer is offline. */
export type PeerStates = (PeerState | undefined)[];
