import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../../core/protocol.js";
import type { HybridMessage } from "./messages.js";
import { fetchFrom } from "../shared/fetch.js";

type Ctx = OverlayContext<HybridMessage>;

const isFetchReply = (reply: HybridMessage): reply is Extract<HybridMessage, { type: "fetchReply" }> => reply.type === "fetchReply";

/** A lookup its requester is working on: holders to try, and how far it has got. */
export interface ActiveLookup {
  key: number;
  /** Holders not tried yet, each with the hops it took to learn of it. */
  readonly candidates: { holder: PeerId; hops: number }[];
  readonly tried: Set<PeerId>;
  /** True while a fetch is in flight. */
  fetching: boolean;
  /** Fetches sent so far (each is one hop). */
  fetches: number;
  /** Central mode: index servers not asked yet, and how many were asked. */
  servers: PeerId[];
  asked: number;
  /** The last holder that answered a fetch (-1: none yet): a lookup that runs out of holders ended with its answer. */
  answered: PeerId;
}

export function newLookup(key: number, servers: PeerId[] = []): ActiveLookup {
  return { key, candidates: [], tried: new Set(), fetching: false, fetches: 0, servers, asked: 0, answered: -1 };
}

/**
 * The last step of every hybrid lookup: fetch the object directly from a
 * holder the index named, falling back to the next holder when one does not
 * answer in time. A lookup succeeds when a fetch is answered; its hops are
 * the hops it took to learn of that holder plus the fetches sent (so 2 for
 * an index answer and a first fetch that works, one more per fallback).
 * With network.bandwidth, a "found" answer is followed by the file itself
 * (workload.fileSize bytes) as a transfer from the holder, and the lookup
 * succeeds when it has arrived; a holder that leaves mid-way sends the
 * requester on to the next one.
 *
 * Adversaries (docs/faults.md): the object is modelled by its content hash.
 * A tampering holder answers every fetch, for objects it has or not, with a
 * corrupted one (a decoy, as the polluters of Liang et al., INFOCOM 2005).
 * Every object received is reported to the runtime (`ctx.answer`), which
 * judges it: verified or accepted, the lookup is over; rejected (honest peers
 * verify), the requester goes on with the next holder, never the same one
 * again. A misrouting holder advertised
 * objects it does not have (see index.ts): its "not found" to a fetch counts
 * as a misrouted answer.
 */
export class Downloads {
  constructor(
    private readonly ctx: Ctx,
    private readonly timeoutMs: number,
    /** The requester's lookups still running, by peer; undefined when the peer is offline. */
    private readonly lookupsOf: (peer: PeerId) => Map<number, ActiveLookup> | undefined,
    /** A holder did not answer: tell whoever indexes it. */
    private readonly reportDead: (peer: PeerId, holder: PeerId) => void,
    /** Called when no candidate is left and no fetch is in flight; may fail the lookup or wait for more. */
    private readonly exhausted: (peer: PeerId, lookup: number) => void,
    /** `peer` now has the true content of `key` (for owner replication); never called for a corrupted object. */
    private readonly downloaded: (peer: PeerId, key: number) => void = () => {},
  ) {}

  /** New holders for `lookup`, learnt at `hops`; starts fetching if idle. */
  offer(peer: PeerId, lookup: number, holders: readonly PeerId[], hops: number): void {
    const active = this.lookupsOf(peer)?.get(lookup);
    if (!active) return;
    for (const holder of holders) {
      if (active.tried.has(holder) || active.candidates.some((c) => c.holder === holder)) continue;
      active.candidates.push({ holder, hops });
    }
    if (!active.fetching) this.next(peer, lookup);
  }

  /** Answers a fetch: the holder has the key if it still stores it (a tampering holder claims every key). */
  serve(holder: PeerId, from: PeerId, msg: Extract<HybridMessage, { type: "fetch" }>, holds: boolean): void {
    const adversary = this.ctx.adversary;
    let found = holds;
    if (adversary.active && !holds) {
      if (adversary.tampers(holder)) found = true;
      if (adversary.misroutes(holder)) adversary.misrouted();
    }
    const value = found ? this.ctx.valueFrom(holder, msg.key) : 0;
    this.ctx.reply(holder, from, msg, { type: "fetchReply", lookup: msg.lookup, found, value });
  }

  private next(peer: PeerId, lookup: number): void {
    const lookups = this.lookupsOf(peer);
    const active = lookups?.get(lookup);
    if (!lookups || !active) return;
    const candidate = active.candidates.shift();
    if (!candidate) {
      active.fetching = false;
      this.exhausted(peer, lookup);
      return;
    }
    active.fetching = true;
    active.fetches++;
    active.tried.add(candidate.holder);
    const holder = candidate.holder;
    const hops = candidate.hops + active.fetches;
    // The shared fetch step (shared/fetch.ts): with network.bandwidth the file follows a "found" as a transfer.
    fetchFrom(this.ctx, peer, holder, lookup, active.key, hops, { type: "fetch", lookup, key: active.key }, isFetchReply, this.timeoutMs, {
      live: () => lookups.get(lookup) === active,
      done: (verdict) => {
        active.answered = holder;
        this.lookupsOf(peer)!.delete(lookup);
        if (verdict === "verified") this.downloaded(peer, active.key);
      },
      refused: (why) => {
        // Not there or a corrupted object detected (it answered), or it left mid-way: the next holder.
        if (why !== "cut") active.answered = holder;
        this.next(peer, lookup);
      },
      timedOut: () => {
        this.ctx.count("fetchTimeouts");
        this.reportDead(peer, holder);
        if (lookups.get(lookup) === active) this.next(peer, lookup);
      },
    });
  }
}
