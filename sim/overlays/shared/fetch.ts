import type { PeerId } from "../../peers/population.js";
import type { AnswerVerdict, Message, OverlayContext } from "../../core/protocol.js";

/** What every fetch reply carries: whether the holder had the object, and the content hash of what it sent. */
export interface FetchReply {
  readonly found: boolean;
  readonly value: number;
}

/** Why a holder did not end the lookup: it lacked the object, the runtime rejected it, or the transfer was cut. */
export type FetchRefusal = "missing" | "rejected" | "cut";

/** What the overlay does at each step of one fetch; its own policy decides which holder comes next. */
export interface FetchSteps<R> {
  /** False once the lookup has ended or been abandoned: nothing more happens for this fetch. */
  live(): boolean;
  /** The holder answered (before any transfer of the object). */
  replied?(reply: R): void;
  /** The runtime took the object: the lookup is over ("accepted": a tampered one taken for the real one). */
  done(verdict: Exclude<AnswerVerdict, "rejected">, reply: R): void;
  /** The holder did not end the lookup: the overlay tries another one, or gives up. */
  refused(why: FetchRefusal, reply: R): void;
  /** No answer in time. Called even when the lookup is no longer live (for counters and failure reports). */
  timedOut(): void;
}

/**
 * Asks one `holder` for the object behind `key` on behalf of `lookup`, the
 * step both Chord gets and hybrid downloads take for each holder they try:
 * a request, then (with network.bandwidth) the object itself as a transfer
 * of workload.fileSize bytes, then the runtime's judgement (`ctx.answer`:
 * verified, accepted or rejected). Which holders to try, in which order and
 * how many, stays with the overlay (`steps`).
 */
export function fetchFrom<M extends Message, R extends M & FetchReply>(
  ctx: OverlayContext<M>,
  origin: PeerId,
  holder: PeerId,
  lookup: number,
  key: number,
  hops: number,
  request: M,
  isReply: (reply: M) => reply is R,
  timeoutMs: number,
  steps: FetchSteps<R>,
): void {
  const judge = (reply: R) => {
    const verdict = ctx.answer(lookup, key, holder, reply.value, hops);
    if (verdict === "rejected") steps.refused("rejected", reply);
    else steps.done(verdict, reply);
  };
  ctx.request(
    origin,
    holder,
    request,
    timeoutMs,
    (reply) => {
      if (!steps.live() || !isReply(reply)) return;
      steps.replied?.(reply);
      if (!reply.found) return steps.refused("missing", reply);
      if (!ctx.bandwidth) return judge(reply);
      ctx.transfer(
        holder,
        origin,
        ctx.fileSize(key),
        () => {
          if (steps.live()) judge(reply);
        },
        () => {
          if (steps.live()) steps.refused("cut", reply);
        },
      );
    },
    () => steps.timedOut(),
  );
}
