import type { PeerId } from "../../peers/population.js";
import type { Overlay, OverlayContext, OverlayDefinition, OverlaySnapshot, OverlayWorld, PeerSnapshot } from "../protocol.js";
import { unstructuredMessageTypes, type UnstructuredMessage } from "./messages.js";
import { Neighbours } from "./neighbours.js";
import { unstructuredSchema, type UnstructuredOptions } from "./options.js";
import { placeReplicas, replicaCounts } from "../../workload/placement.js";
import { Search } from "./search.js";
import type { PeerState } from "./state.js";

/** A Gnutella-like overlay: a random graph of neighbours, searched by flooding or random walks. */
class UnstructuredOverlay implements Overlay<UnstructuredMessage> {
  private readonly states: (PeerState | undefined)[] = [];
  private readonly neighbours: Neighbours;
  private readonly search: Search;
  private readonly holdings: Map<PeerId, Set<number>>;
  /** The same, as a dense array of small key lists: checked on every query, so kept cheap. */
  private readonly keysOf: (Int32Array | undefined)[] = [];

  constructor(options: UnstructuredOptions, ctx: OverlayContext<UnstructuredMessage>, world: OverlayWorld) {
    const popularity = Array.from({ length: world.keyCount }, (_, k) => world.keyPopularity(k));
    const counts = replicaCounts(popularity, options.replication.replicas, options.replication.strategy, world.allPeers.length);
    this.holdings = placeReplicas(counts, world.allPeers, ctx.rng);
    this.neighbours = new Neighbours(ctx, options, this.states);
    for (const [peer, keys] of this.holdings) this.keysOf[peer] = Int32Array.from(keys);
    this.search = new Search(ctx, options, this.states, (peer, key) => this.keysOf[peer]?.includes(key) ?? false);
  }

  join(peer: PeerId): void {
    this.neighbours.join(peer);
  }

  leave(peer: PeerId): void {
    this.neighbours.leave(peer);
  }

  crash(peer: PeerId): void {
    this.neighbours.crash(peer);
  }

  buildOracle(peers: readonly PeerId[]): void {
    this.neighbours.buildOracle(peers);
  }

  deliver(to: PeerId, from: PeerId, msg: UnstructuredMessage): void {
    if (this.neighbours.handle(to, from, msg)) return;
    if (this.search.handle(to, from, msg)) return;
    throw new Error(`unstructured: no handler for message type "${msg.type}"`);
  }

  lookup(peer: PeerId, key: number, lookup: number): void {
    this.search.start(peer, key, lookup);
  }

  lookupAbandoned(peer: PeerId, lookup: number): void {
    this.search.abandon(peer, lookup);
  }

  snapshot(): OverlaySnapshot {
    const peers: PeerSnapshot[] = [];
    this.states.forEach((state, peer) => {
      if (state) {
        const links = state.neighbours.slice();
        peers.push({ peer, links, linkKinds: links.map(() => "neighbour"), keys: [...(this.holdings.get(peer) ?? [])] });
      }
    });
    return { peers };
  }

  sample(): Record<string, number> {
    let peers = 0;
    let links = 0;
    let isolated = 0;
    for (const state of this.states) {
      if (!state) continue;
      peers++;
      links += state.neighbours.length;
      if (state.neighbours.length === 0) isolated++;
    }
    return { meanDegree: peers ? links / peers : 0, isolatedPeers: isolated };
  }
}

export const unstructured: OverlayDefinition<UnstructuredOptions, UnstructuredMessage> = {
  name: "unstructured",
  description: "Gnutella-like random graph; search by flooding, expanding ring or k random walkers",
  schema: unstructuredSchema,
  messageTypes: unstructuredMessageTypes,
  counters: [
    "bootstrapRetries",
    "neighboursLost",
    "discoveryTimeouts",
    "duplicateQueries",
    "hitsLost",
    "rings",
    "walkersLost",
  ],
  create: (options, ctx, world) => new UnstructuredOverlay(options, ctx, world),
};
