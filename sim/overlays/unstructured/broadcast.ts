import type { OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import { ORIGIN, SeenQueries, UNSEEN } from "../shared/seen.js";
import type { UnstructuredMessage } from "./messages.js";
import type { PeerState } from "./state.js";
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
    private readonly states: (PeerState | undefined)[],
    private readonly ttl: number,
    seenMemoryMs: number,
  ) {
    this.seen = new SeenQueries(seenMemoryMs);
  }

  publish(peer: PeerId, broadcast: number, bytes: number): void {
    const state = this.states[peer];
    if (!state) return;
    this.seen.remember(broadcast, peer, ORIGIN, this.ctx.now());
    this.ctx.reached(broadcast, peer);
    const msg: Publish = { type: "publish", broadcast, ttl: this.ttl, bytes };
    for (const n of state.neighbours) this.ctx.send(peer, n, msg);
  }

  readonly handlers: Handlers<UnstructuredMessage, "publish"> = { publish: (to, from, msg) => this.onPublish(to, from, msg) };

  private onPublish(to: PeerId, from: PeerId, msg: Publish): void {
    const state = this.states[to];
    if (!state) return;
    const now = this.ctx.now();
    if (this.seen.upstream(msg.broadcast, to, now) !== UNSEEN) return;
    this.seen.remember(msg.broadcast, to, from, now);
    this.ctx.reached(msg.broadcast, to);
    if (msg.ttl <= 1) return;
    // One forwarded copy serves every neighbour: messages are never mutated.
    const next: Publish = { type: "publish", broadcast: msg.broadcast, ttl: msg.ttl - 1, bytes: msg.bytes };
    for (const n of state.neighbours) if (n !== from) this.ctx.send(to, n, next);
  }
}
