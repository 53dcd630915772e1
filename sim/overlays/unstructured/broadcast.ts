import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import { ORIGIN, SeenQueries, UNSEEN } from "../shared/seen.js";
import type { UnstructuredMessage } from "./messages.js";
import type { PeerStates } from "./state.js";
import { sendToNeighbours, type NeighbourTable } from "./neighbour-table.js";
import type { Handlers } from "../../core/handlers.js";

type Publish = Extract<UnstructuredMessage, { type: "publish" }>;

/**
 * Spreading a published item by flooding, as Gnutella spreads queries: the
 * publisher sends it to every neighbour; each peer that gets it for the first
 * time keeps it, reports it reached, and forwards it to every neighbour but
 * the one it came from while the TTL lasts. Duplicates are dropped by the
 * same seen-table as queries. A flood reaches everyone within TTL hops of
 * the publisher at the price of about (degree − 1) messages per peer reached.
 */
export class Broadcasts {
  private readonly seen: SeenQueries;

  constructor(
    private readonly ctx: OverlayContext<UnstructuredMessage>,
    private readonly states: PeerStates,
    private readonly neighbours: NeighbourTable,
    private readonly ttl: number,
    seenMemoryMs: number,
  ) {
    this.seen = new SeenQueries(seenMemoryMs);
  }

  publish(peer: PeerId, broadcast: number, bytes: number): void {
    if (!this.states.has(peer)) return;
    this.seen.remember(broadcast, peer, ORIGIN, this.ctx.now());
    this.ctx.reached(broadcast, peer);
    sendToNeighbours(this.ctx, this.neighbours, peer, -1, { type: "publish", broadcast, ttl: this.ttl, bytes });
  }

  readonly handlers: Handlers<UnstructuredMessage, "publish"> = { publish: (to, from, msg) => this.onPublish(to, from, msg) };

  private onPublish(to: PeerId, from: PeerId, msg: Publish): void {
    if (!this.states.has(to)) return;
    const now = this.ctx.now();
    if (this.seen.upstream(msg.broadcast, to, now) !== UNSEEN) return;
    this.seen.remember(msg.broadcast, to, from, now);
    this.ctx.reached(msg.broadcast, to);
    if (msg.ttl <= 1) return;
    // One forwarded copy serves every neighbour: messages are never mutated.
    const next: Publish = { type: "publish", broadcast: msg.broadcast, ttl: msg.ttl - 1, bytes: msg.bytes };
    sendToNeighbours(this.ctx, this.neighbours, to, from, next);
  }

}
