import { LookupState, type LookupTable } from "./lookups.js";
import { round } from "./stats.js";

/**
 * Traces the first `count` measured lookups (those started at or after the
 * warm-up) message by message, for replay in the viewer (traces.json, see
 * docs/results.md). The network calls `sent` for every message that works for
 * a lookup; lookups are numbered in the order they start, so the traced ones
 * are the `count` ids from the first measured one.
 */

export interface TracedMessage {
  /** Simulated time the message was sent, ms. */
  readonly timeMs: number;
  readonly from: number;
  readonly to: number;
  readonly type: string;
}

export interface TracedLookup {
  readonly lookup: number;
  readonly origin: number;
  readonly key: number;
  readonly startMs: number;
  /** When it succeeded or failed; null if it was still running at the end. */
  readonly endMs: number | null;
  readonly outcome: "succeeded" | "failed" | "unfinished";
  /** Overlay hops of the first answer (succeeded lookups), else null. */
  readonly hops: number | null;
  readonly messages: readonly TracedMessage[];
}

export class LookupTracer {
  /** Id of the first measured lookup, once known (-1 before). */
  private first = -1;
  private readonly messages = new Map<number, TracedMessage[]>();

  constructor(
    private readonly lookups: LookupTable,
    private readonly warmupMs: number,
    private readonly count: number,
  ) {}

  /** A message for lookup `lookup` was sent at `nowMs`. */
  sent(nowMs: number, lookup: number, from: number, to: number, type: string): void {
    if (this.first < 0) {
      if (this.lookups.startMs[lookup]! < this.warmupMs) return;
      // Ids follow start times: walk back to the first lookup started after the warm-up.
      let id = lookup;
      while (id > 0 && this.lookups.startMs[id - 1]! >= this.warmupMs) id--;
      this.first = id;
    }
    if (lookup < this.first || lookup >= this.first + this.count) return;
    let list = this.messages.get(lookup);
    if (!list) this.messages.set(lookup, (list = []));
    list.push({ timeMs: round(nowMs, 3), from, to, type });
  }

  /** The traced lookups, in order; lookups that sent no message (the requester held the key) included. */
  result(): TracedLookup[] {
    const t = this.lookups;
    let first = this.first;
    if (first < 0) {
      first = 0;
      while (first < t.size && t.startMs[first]! < this.warmupMs) first++;
    }
    const out: TracedLookup[] = [];
    for (let id = first; id < Math.min(t.size, first + this.count); id++) {
      const state = t.state[id];
      const outcome = state === LookupState.Succeeded ? "succeeded" : state === LookupState.Failed ? "failed" : "unfinished";
      out.push({
        lookup: id,
        origin: t.origin[id]!,
        key: t.key[id]!,
        startMs: round(t.startMs[id]!, 3),
        endMs: outcome === "unfinished" ? null : round(t.endMs[id]!, 3),
        outcome,
        hops: outcome === "succeeded" ? t.hops[id]! : null,
        messages: this.messages.get(id) ?? [],
      });
    }
    return out;
  }
}
