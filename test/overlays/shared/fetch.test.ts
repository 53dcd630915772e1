import { describe, expect, it } from "vitest";
import type { AnswerVerdict, OverlayContext } from "../../../sim/core/protocol.js";
import { fetchFrom, type FetchSteps } from "../../../sim/overlays/shared/fetch.js";

type Msg = { type: "get"; key: number } | { type: "got"; found: boolean; value: number };
type Reply = Extract<Msg, { type: "got" }>;
const isReply = (m: Msg): m is Reply => m.type === "got";

/** A context that records what fetchFrom asks of it and lets the test answer by hand. */
function fakeContext(bandwidth: boolean, verdict: AnswerVerdict) {
  const log: string[] = [];
  const pending: { reply?: (m: Msg) => void; timeout?: () => void; done?: () => void; abort?: () => void } = {};
  const ctx = {
    bandwidth,
    fileSize: (key: number) => 1000 + key,
    request: (from: number, to: number, msg: Msg, timeoutMs: number, onReply: (m: Msg) => void, onTimeout: () => void) => {
      log.push(`request ${from}->${to} ${msg.type} ${timeoutMs}ms`);
      pending.reply = onReply;
      pending.timeout = onTimeout;
    },
    transfer: (from: number, to: number, bytes: number, onDone: () => void, onAbort: () => void) => {
      log.push(`transfer ${from}->${to} ${bytes}B`);
      pending.done = onDone;
      pending.abort = onAbort;
    },
    answer: (lookup: number, key: number, holder: number, value: number, hops: number) => {
      log.push(`answer lookup ${lookup} key ${key} from ${holder} value ${value} hops ${hops}: ${verdict}`);
      return verdict;
    },
  } as unknown as OverlayContext<Msg>;
  return { ctx, log, pending };
}

function steps(log: string[], live = () => true): FetchSteps<Reply> {
  return {
    live,
    replied: (r) => log.push(`replied found=${r.found}`),
    done: (v) => log.push(`done ${v}`),
    refused: (why) => log.push(`refused ${why}`),
    timedOut: () => log.push("timed out"),
  };
}

describe("fetchFrom", () => {
  it("judges a found value through ctx.answer and ends the lookup when it is taken", () => {
    const { ctx, log, pending } = fakeContext(false, "verified");
    fetchFrom(ctx, 1, 2, 7, 5, 3, { type: "get", key: 5 }, isReply, 250, steps(log));
    pending.reply!({ type: "got", found: true, value: 42 });
    expect(log).toEqual(["request 1->2 get 250ms", "replied found=true", "answer lookup 7 key 5 from 2 value 42 hops 3: verified", "done verified"]);
  });

  it("reports a missing object without asking the runtime, and a rejected one after asking", () => {
    const missing = fakeContext(false, "verified");
    fetchFrom(missing.ctx, 1, 2, 7, 5, 3, { type: "get", key: 5 }, isReply, 250, steps(missing.log));
    missing.pending.reply!({ type: "got", found: false, value: 0 });
    expect(missing.log.slice(1)).toEqual(["replied found=false", "refused missing"]);

    const rejected = fakeContext(false, "rejected");
    fetchFrom(rejected.ctx, 1, 2, 7, 5, 3, { type: "get", key: 5 }, isReply, 250, steps(rejected.log));
    rejected.pending.reply!({ type: "got", found: true, value: 9 });
    expect(rejected.log.slice(2)).toEqual(["answer lookup 7 key 5 from 2 value 9 hops 3: rejected", "refused rejected"]);
  });

  it("with network.bandwidth moves the object as a transfer first; a cut transfer is refused", () => {
    const ok = fakeContext(true, "accepted");
    fetchFrom(ok.ctx, 1, 2, 7, 5, 3, { type: "get", key: 5 }, isReply, 250, steps(ok.log));
    ok.pending.reply!({ type: "got", found: true, value: 42 });
    expect(ok.log.slice(1)).toEqual(["replied found=true", "transfer 2->1 1005B"]);
    ok.pending.done!();
    expect(ok.log.slice(3)).toEqual(["answer lookup 7 key 5 from 2 value 42 hops 3: accepted", "done accepted"]);

    const cut = fakeContext(true, "verified");
    fetchFrom(cut.ctx, 1, 2, 7, 5, 3, { type: "get", key: 5 }, isReply, 250, steps(cut.log));
    cut.pending.reply!({ type: "got", found: true, value: 42 });
    cut.pending.abort!();
    expect(cut.log.slice(3)).toEqual(["refused cut"]);
  });

  it("does nothing once the lookup is over, except report a timeout", () => {
    let live = true;
    const { ctx, log, pending } = fakeContext(true, "verified");
    fetchFrom(ctx, 1, 2, 7, 5, 3, { type: "get", key: 5 }, isReply, 250, steps(log, () => live));
    pending.reply!({ type: "got", found: true, value: 42 });
    live = false;
    pending.done!();
    pending.abort!();
    pending.reply!({ type: "got", found: true, value: 42 });
    pending.timeout!();
    expect(log).toEqual(["request 1->2 get 250ms", "replied found=true", "transfer 2->1 1005B", "timed out"]);
  });
});
