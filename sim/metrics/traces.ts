import { LookupState, type LookupTable } from "./lookups.js";
import { round } from "./stats.js";

/**
 * Traces lookups message by message, for replay in the viewer (traces.json,
 * see docs/results.md): the first `count` lookups started at or after each
 * moment of `fromMs` — the end of the warm-up by default, or times the
 * scenario chose (metrics.traceAt), such as the start of a fault, so an
 * outage can be replayed and not only the quiet minutes after warm-up. The
 * network calls `sent` for every message that works for a lookup; lookups are
 * numbered in the order they start, so each window is `count` consecutive ids.
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
  /** Start of each window, ms, ascending. */
  private readonly fromMs: number[];
  /** Id of each window's first lookup, once known (-1 before). */
  private readonly first: number[];
  private readonly messages = new Map<number, TracedMessage[]>();

  constructor(
    private readonly lookups: LookupTable,
    fromMs: number | readonly number[],
    private readonly count: number,
  ) {
    this.fromMs = [...new Set(typeof fromMs === "number" ? [fromMs] : fromMs)].sort((a, b) => a - b);
    this.first = this.fromMs.map(() => -1);
  }

  /** A message for lookup `lookup` was sent at `nowMs`. */
  sent(nowMs: number, lookup: number, from: number, to: number, type: string): void {
    if (!this.traced(lookup)) return;
    let list = this.messages.get(lookup);
    if (!list) this.messages.set(lookup, (list = []));
    list.push({ timeMs: round(nowMs, 3), from, to, type });
  }

  private traced(lookup: number): boolean {
    const start = this.lookups.startMs[lookup]!;
    for (let w = 0; w < this.fromMs.length; w++) {
      const from = this.fromMs[w]!;
      if (start < from) break; // windows are ascending: no later one has begun for this lookup
      if (this.first[w]! < 0) {
        // Ids follow start times: walk back to the first lookup started at or after `from`.
        let id = lookup;
        while (id > 0 && this.lookups.startMs[id - 1]! >= from) id--;
        this.first[w] = id;
      }
      const first = this.first[w]!;
      if (lookup >= first && lookup < first + this.count) return true;
    }
    return false;
  }

  /** The traced lookups in id order (windows that overlap are merged); lookups that sent no message (the requester held the key) included. */
  result(): TracedLookup[] {
    const t = this.lookups;
    const ids = new Set<number>();
    this.fromMs.forEach((from, w) => {
      let first = this.first[w]!;
      if (first < 0) {
        first = 0;
        while (first < t.size && t.startMs[first]! < from) first++;
      }
      for (let id = first; id < Math.min(t.size, first + this.count); id++) ids.add(id);
    });
    return [...ids]
      .sort((a, b) => a - b)
      .map((id) => {
        const state = t.state[id];
        const outcome = state === LookupState.Succeeded ? "succeeded" : state === LookupState.Failed ? "failed" : "unfinished";
        return {
          lookup: id,
          origin: t.origin[id]!,
          key: t.key[id]!,
          startMs: round(t.startMs[id]!, 3),
          endMs: outcome === "unfinished" ? null : round(t.endMs[id]!, 3),
          outcome,
          hops: outcome === "succeeded" ? t.hops[id]! : null,
          messages: this.messages.get(id) ?? [],
        };
      });
  }
}
