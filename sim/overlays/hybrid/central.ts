import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../../core/protocol.js";
import { Downloads, newLookup, type ActiveLookup } from "./downloads.js";
import type { IndexServers } from "./index-server.js";
import type { HybridMessage } from "./messages.js";
import type { HybridOptions } from "./options.js";
import type { Handlers } from "../../core/handlers.js";

type Ctx = OverlayContext<HybridMessage>;

/**
 * The peers' side of a central index (Napster):
 *
 * - On joining, a peer registers the keys it holds with every index server.
 *   Every `keepAliveInterval` it sends each server a keep-alive; a server
 *   that answers "I do not know you" (it restarted, or purged the peer) gets
 *   a fresh registration. So a restarted index is rebuilt within one
 *   keep-alive interval. A server that does not answer is simply tried again
 *   at the next round. On a graceful leave the peer deregisters.
 * - A lookup asks one index server (servers in random order); on a timeout
 *   or a rejection (full queue) it asks the next one, and fails when none is
 *   left (`lookupsIndexDown` or `lookupsRejected`). An empty answer fails it
 *   at once (`notFound`). Otherwise the requester fetches from the named
 *   holders in turn (see Downloads), telling every server about a holder
 *   that did not answer. Hops: index servers asked plus fetches sent, so 2
 *   when the first server and the first holder answer.
 * - A maintenance freeze stops the keep-alives (and so re-registrations):
 *   they are periodic tasks of the runtime (`ctx.every`), which restarts them
 *   at a random phase on resume.
 */
export class CentralPeers {
  private readonly lookups: (Map<number, ActiveLookup> | undefined)[] = [];
  private readonly downloads: Downloads;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: HybridOptions,
    private readonly index: IndexServers,
    /** The keys `peer` registers (a misrouting peer advertises more than it has, see index.ts). */
    private readonly keysOf: (peer: PeerId) => readonly number[],
    /** Whether `peer` really has `key`. */
    private readonly holds: (peer: PeerId, key: number) => boolean,
    /** `peer` downloaded the true content of `key`. */
    downloaded: (peer: PeerId, key: number) => void = () => {},
  ) {
    this.downloads = new Downloads(
      ctx,
      options.requestTimeout,
      (peer) => this.lookups[peer],
      (peer, holder) => {
        for (const server of this.index.servers) this.ctx.send(peer, server, { type: "deadPeer", peer: holder });
      },
      (peer, lookup) => {
        // Every holder the index named has been tried: the lookup ended with the last answer, if any.
        const active = this.lookups[peer]?.get(lookup);
        this.lookups[peer]?.delete(lookup);
        this.ctx.lookupFailed(lookup, active?.answered ?? -1);
      },
      downloaded,
    );
  }

  /** `peer`'s keys changed (it keeps a downloaded copy): it registers them again with every index server. */
  advertise(peer: PeerId): void {
    if (!this.lookups[peer]) return;
    for (const server of this.index.servers) this.register(peer, server);
  }

  join(peer: PeerId): void {
    this.lookups[peer] = new Map();
    for (const server of this.index.servers) this.register(peer, server);
    this.ctx.every(peer, this.options.keepAliveInterval, () => this.keepAlive(peer));
  }

  leave(peer: PeerId): void {
    for (const server of this.index.servers) this.ctx.send(peer, server, { type: "deregister" });
    this.lookups[peer] = undefined;
  }

  crash(peer: PeerId): void {
    this.lookups[peer] = undefined;
  }

  online(peer: PeerId): boolean {
    return this.lookups[peer] !== undefined;
  }

  lookup(peer: PeerId, key: number, lookup: number): void {
    const lookups = this.lookups[peer];
    if (!lookups) return;
    lookups.set(lookup, newLookup(key, this.ctx.rng.shuffle(this.index.servers.slice())));
    this.askIndex(peer, lookup, false);
  }

  abandon(peer: PeerId, lookup: number): void {
    this.lookups[peer]?.delete(lookup);
  }

  /** A peer serves the files it holds (the index only said where they are). */
  readonly handlers: Handlers<HybridMessage, "fetch"> = {
    fetch: (to, from, msg) => this.downloads.serve(to, from, msg, this.holds(to, msg.key)),
  };

  private register(peer: PeerId, server: PeerId): void {
    this.ctx.request(peer, server, { type: "register", keys: this.keysOf(peer) }, this.options.requestTimeout, () => {}, () => {});
  }

  private keepAlive(peer: PeerId): void {
    if (!this.lookups[peer]) return;
    for (const server of this.index.servers) {
      this.ctx.request(
        peer,
        server,
        { type: "keepAlive" },
        this.options.requestTimeout,
        (reply) => {
          if (reply.type === "keepAliveAck" && !reply.known) {
            this.ctx.count("reRegistrations");
            this.register(peer, server);
          }
        },
        () => this.ctx.count("keepAliveTimeouts"),
      );
    }
  }

  /** Sends the lookup to the next index server not asked yet; `rejected` says why the previous one did not answer. */
  private askIndex(peer: PeerId, lookup: number, rejected: boolean): void {
    const lookups = this.lookups[peer];
    const active = lookups?.get(lookup);
    if (!lookups || !active) return;
    const server = active.servers.pop();
    if (server === undefined) {
      lookups.delete(lookup);
      this.ctx.count(rejected ? "lookupsRejected" : "lookupsIndexDown");
      this.ctx.lookupFailed(lookup);
      return;
    }
    active.asked++;
    this.ctx.request(
      peer,
      server,
      { type: "query", lookup, key: active.key },
      this.options.requestTimeout,
      (reply) => {
        if (reply.type !== "queryReply" || lookups.get(lookup) !== active) return;
        if (reply.rejected) {
          this.askIndex(peer, lookup, true);
        } else if (reply.holders.length === 0) {
          lookups.delete(lookup);
          this.ctx.count("notFound");
          this.ctx.lookupFailed(lookup);
        } else {
          this.downloads.offer(peer, lookup, reply.holders, active.asked);
        }
      },
      () => {
        this.ctx.count("indexTimeouts");
        this.askIndex(peer, lookup, false);
      },
    );
  }
}
