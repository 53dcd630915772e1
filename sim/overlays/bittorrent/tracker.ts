import type { Message, OverlayContext } from "../../core/protocol.js";
import type { PeerId } from "../../peers/population.js";
import type { BittorrentMessage } from "./messages.js";

/**
 * The tracker (BEP 3), a service peer: it keeps the peers that announced
 * and answers each announce with up to `numwant` of them at random. A peer
 * not heard from for two announce intervals is forgotten (lazily, when it
 * would be handed out). A tracker that crashes loses its list and rebuilds
 * it from the announces that follow.
 */
export class Tracker {
  private readonly list: PeerId[] = [];
  private readonly slot = new Map<PeerId, number>();
  private readonly lastSeenMs = new Map<PeerId, number>();

  constructor(
    private readonly ctx: OverlayContext<BittorrentMessage>,
    readonly peer: PeerId,
    private readonly expireMs: number,
  ) {}

  /** Comes (back) up with an empty list. */
  start(): void {
    this.list.length = 0;
    this.slot.clear();
    this.lastSeenMs.clear();
  }

  handle(from: PeerId, msg: Extract<BittorrentMessage, { type: "announce" }>): void {
    const ctx = this.ctx;
    if (msg.event === "stopped") {
      this.remove(from);
      return;
    }
    this.register(from);
    // "completed" goes without waiting for peers (a plain message): nothing to answer.
    if ((msg as Message).rpc === undefined) return;
    ctx.reply(this.peer, from, msg, { type: "announceReply", peers: this.sample(from, msg.numwant) });
  }

  /**
   * An announce from `from`, which the tracker now knows, and up to `want` other peers for it:
   * what execution: rounds asks directly (its announces carry no message).
   */
  announce(from: PeerId, want: number): PeerId[] {
    this.register(from);
    return want > 0 ? this.sample(from, want) : [];
  }

  /** `from` announced: it is known, and fresh, from now. */
  private register(from: PeerId): void {
    if (!this.slot.has(from)) {
      this.slot.set(from, this.list.length);
      this.list.push(from);
    }
    this.lastSeenMs.set(from, this.ctx.now());
    this.ctx.count("announces");
  }

  /** `peer` stopped (announce event "stopped"): it is handed out no more. */
  remove(peer: PeerId): void {
    const i = this.slot.get(peer);
    if (i === undefined) return;
    const last = this.list.pop()!;
    if (last !== peer) {
      this.list[i] = last;
      this.slot.set(last, i);
    }
    this.slot.delete(peer);
    this.lastSeenMs.delete(peer);
  }

  private fresh(peer: PeerId): boolean {
    if (this.ctx.now() - this.lastSeenMs.get(peer)! <= this.expireMs) return true;
    this.remove(peer);
    return false;
  }

  /** Up to `want` peers other than `asker`, in random order. */
  private sample(asker: PeerId, want: number): PeerId[] {
    const rng = this.ctx.rng;
    const others = this.list.length - 1;
    if (others <= want * 2) {
      const all = this.list.filter((p) => p !== asker && this.fresh(p));
      for (let i = all.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      return all.slice(0, want);
    }
    const picked = new Set<PeerId>();
    let tries = 0;
    while (picked.size < want && tries++ < want * 8 && this.list.length > 1) {
      const p = this.list[rng.int(this.list.length)]!;
      if (p !== asker && !picked.has(p) && this.fresh(p)) picked.add(p);
    }
    return [...picked];
  }
}
