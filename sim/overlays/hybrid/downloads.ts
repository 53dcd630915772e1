import type { PeerId } from "../../peers/population.js";
import type { OverlayContext } from "../protocol.js";
import type { HybridMessage } from "./messages.js";

type Ctx = OverlayContext<HybridMessage>;

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
}

export function newLookup(key: number, servers: PeerId[] = []): ActiveLookup {
  return { key, candidates: [], tried: new Set(), fetching: false, fetches: 0, servers, asked: 0 };
}

/**
 * The last step of every hybrid lookup: fetch the object directly from a
 * holder the index named, falling back to the next holder when one does not
 * answer in time. A lookup succeeds when a fetch is answered; its hops are
 * the hops it took to learn of that holder plus the fetches sent (so 2 for
 * an index answer and a first fetch that works, one more per fallback).
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

  /** Answers a fetch: the holder has the key if it still stores it. */
  serve(holder: PeerId, from: PeerId, msg: Extract<HybridMessage, { type: "fetch" }>, holds: boolean): void {
    this.ctx.reply(holder, from, msg, { type: "fetchReply", lookup: msg.lookup, found: holds });
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
    const hops = candidate.hops + active.fetches;
    this.ctx.request(
      peer,
      candidate.holder,
      { type: "fetch", lookup, key: active.key },
      this.timeoutMs,
      (reply) => {
        if (lookups.get(lookup) !== active) return; // given up meanwhile
        if (reply.type === "fetchReply" && reply.found) {
          lookups.delete(lookup);
          this.ctx.lookupSucceeded(lookup, hops);
        } else {
          this.next(peer, lookup);
        }
      },
      () => {
        this.ctx.count("fetchTimeouts");
        this.reportDead(peer, candidate.holder);
        if (lookups.get(lookup) === active) this.next(peer, lookup);
      },
    );
  }
}
