import type { PeerId } from "../../peers/population.js";
import type {
  Overlay,
  OverlayContext,
  OverlayDefinition,
  OverlaySnapshot,
  OverlayWorld,
  PeerSnapshot,
  StorageAvailability,
} from "../../core/protocol.js";
import { unstructuredMessageTypes, type UnstructuredMessage } from "./messages.js";
import { Neighbours } from "./neighbours.js";
import { unstructuredSchema, type UnstructuredOptions } from "./options.js";
import { placeReplicas, replicaCounts } from "../shared/placement.js";
import { Search } from "./search.js";
import { Broadcasts } from "./broadcast.js";
import { PeerStates } from "./state.js";
import { ItemLedger } from "../shared/item-ledger.js";
import { CopyCache } from "../shared/copy-cache.js";
import { HeldFilter } from "./held-filter.js";
import { answersOnly, dispatcher } from "../../core/handlers.js";

/** A Gnutella-like overlay: a random graph of neighbours, searched by flooding or random walks. */
class UnstructuredOverlay implements Overlay<UnstructuredMessage> {
  private readonly states = new PeerStates();
  private readonly neighbours: Neighbours;
  private readonly search: Search;
  /** Own files (placed at the start) and copies stay on a peer's disk across sessions. */
  private readonly ledger: ItemLedger;
  private readonly copies: CopyCache;
  /** Asked before the ledger when a search wants to know whether a peer holds a key (see held-filter.ts). */
  private readonly held = new HeldFilter();
  private readonly broadcasts: Broadcasts;

  constructor(
    options: UnstructuredOptions,
    private readonly ctx: OverlayContext<UnstructuredMessage>,
    world: OverlayWorld,
  ) {
    const { replication } = options;
    const popularity = Array.from({ length: world.keyCount }, (_, k) => world.keyPopularity(k));
    const counts = replicaCounts(popularity, replication.replicas, replication.strategy, world.allPeers.length);
    this.ledger = new ItemLedger(world.keyCount, "disk");
    for (const [peer, keys] of placeReplicas(counts, world.allPeers, ctx.rng)) for (const key of keys) this.addFile(peer, key);
    this.copies = new CopyCache(this.ledger, replication.maxStored);
    this.neighbours = new Neighbours(ctx, options, this.states);
    const found =
      replication.onSuccess === "none"
        ? undefined
        : (requester: PeerId, key: number, qid: number, holder: PeerId, genuine: boolean) =>
            this.copyOnSuccess(replication.onSuccess === "path", requester, key, qid, holder, genuine);
    this.search = new Search(ctx, options, this.states, this.neighbours.table, (peer, key) => this.held.mayHold(peer, key) && this.ledger.holds(peer, key), found);
    this.broadcasts = new Broadcasts(ctx, this.states, this.neighbours.table, options.broadcastTtl, options.seenMemory);
    this.deliver = dispatcher<UnstructuredMessage>("unstructured", {
      ...this.search.handlers,
      ...this.neighbours.handlers,
      ...this.broadcasts.handlers,
      ...answersOnly("unstructured", ["connectReply", "pong", "discoverReply", "walkCheckReply"]),
    });
  }

  /** `peer` stores `key` from the start (its own file). */
  private addFile(peer: PeerId, key: number): void {
    this.ledger.add(peer, key, true);
    this.held.mark(peer, key);
  }

  join(peer: PeerId): void {
    this.neighbours.join(peer);
    this.ledger.setOnline(peer, true);
  }

  leave(peer: PeerId): void {
    this.neighbours.leave(peer);
    this.ledger.setOnline(peer, false);
  }

  crash(peer: PeerId): void {
    this.neighbours.crash(peer);
    this.ledger.setOnline(peer, false);
  }

  buildOracle(peers: readonly PeerId[]): void {
    this.neighbours.buildOracle(peers);
    for (const peer of peers) this.ledger.setOnline(peer, true);
  }

  availability(): StorageAvailability {
    // Every key is stored from the start; a key is lost when no peer, online or not, holds it.
    const stored = this.ledger.itemCount;
    return { stored, available: this.ledger.availableCount(), lost: stored - this.ledger.heldCount() };
  }

  /**
   * Repair on success (replication.onSuccess): the requester ("owner"), and
   * with "path" every peer the hit passed through on its way back, keeps a
   * copy of what was found — as if the file came back along the hit's path.
   * With network.bandwidth each copy is a transfer from the holder, kept when
   * it arrives (lost if either end leaves first).
   * Only the real content is kept: a polluted download is not shared again.
   */
  private copyOnSuccess(path: boolean, requester: PeerId, key: number, qid: number, holder: PeerId, genuine: boolean): void {
    if (!genuine) return;
    const keepers = path ? this.search.wayBack(qid, holder) : [requester];
    for (const peer of keepers) {
      if (!this.ctx.bandwidth) {
        this.keepCopy(peer, key);
        continue;
      }
      // With network.bandwidth the copy is a real file moving from the holder: kept once it has arrived.
      if (peer !== holder) this.ctx.transfer(holder, peer, this.ctx.fileSize(key), () => this.keepCopy(peer, key), () => {});
    }
  }

  private keepCopy(peer: PeerId, key: number): void {
    if (!this.states.get(peer) || !this.copies.keep(peer, key)) return;
    this.held.mark(peer, key);
    this.ctx.count("copiesMade");
  }

  /** Each message type to the part that owns it: search, neighbour upkeep, broadcasts. */
  readonly deliver: (to: PeerId, from: PeerId, msg: UnstructuredMessage) => void;

  lookup(peer: PeerId, key: number, lookup: number): void {
    this.search.start(peer, key, lookup);
  }

  lookupAbandoned(peer: PeerId, lookup: number): void {
    this.search.abandon(peer, lookup);
  }

  broadcast(peer: PeerId, broadcast: number, bytes: number): void {
    this.broadcasts.publish(peer, broadcast, bytes);
  }

  snapshot(): OverlaySnapshot {
    const peers: PeerSnapshot[] = [];
    this.states.forEachInSession((peer) => {
      const links = this.neighbours.table.list(peer);
      peers.push({ peer, links, linkKinds: links.map(() => "neighbour"), keys: this.ledger.itemsOf(peer) });
    });
    return { peers };
  }

  sample(): Record<string, number> {
    let peers = 0;
    let links = 0;
    let isolated = 0;
    const table = this.neighbours.table;
    this.states.forEachInSession((peer) => {
      peers++;
      const degree = table.degree(peer);
      links += degree;
      if (degree === 0) isolated++;
    });
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
    "copiesMade",
  ],
  create: (options, ctx, world) => new UnstructuredOverlay(options, ctx, world),
};
