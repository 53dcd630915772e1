import { describe, expect, it } from "vitest";
import { Simulator } from "../../../sim/engine/simulator.js";
import { RpcDeadlines } from "../../../sim/overlays/kademlia/rpc-deadlines.js";

/** A queue over a simulator, its RPCs named "owner:rpc"; `answered` holds the ones answered; `then` runs after each timeout. */
function queue(timeoutMs: number, then: (deadlines: RpcDeadlines<string>, owner: string, rpc: number) => void = () => {}) {
  const sim = new Simulator();
  const answered = new Set<string>();
  const log: string[] = [];
  let timers = 0;
  const deadlines = new RpcDeadlines<string>(
    timeoutMs,
    {
      now: () => sim.now,
      after: (delayMs, fn) => {
        timers++;
        return sim.schedule(delayMs, fn);
      },
    },
    (owner, rpc) => !answered.has(`${owner}:${rpc}`),
    (owner, rpc) => {
      log.push(`${owner}:${rpc} timed out at ${sim.now}`);
      then(deadlines, owner, rpc);
    },
  );
  return { sim, deadlines, answered, log, timers: () => timers };
}

describe("RpcDeadlines", () => {
  it("times out the unanswered RPCs at their deadlines, in the order they were sent, with one timer at a time", () => {
    const { sim, deadlines, answered, log, timers } = queue(100);
    sim.schedule(0, () => {
      expect(deadlines.add("a", 0)).toBe(100);
      deadlines.add("b", 0);
      deadlines.add("a", 1);
    });
    sim.schedule(30, () => deadlines.add("b", 1));
    sim.schedule(50, () => answered.add("a:0"));
    sim.schedule(60, () => answered.add("b:1"));
    sim.schedule(70, () => deadlines.add("c", 0));
    sim.run();
    expect(log).toEqual(["b:0 timed out at 100", "a:1 timed out at 100", "c:0 timed out at 170"]);
    // One for the first batch, one moved on to c:0 (b:1, answered, is skipped).
    expect(timers()).toBe(2);
  });

  it("sets no timer again while none is waiting, and a fresh one for the next RPC", () => {
    const { sim, deadlines, answered, log, timers } = queue(100);
    sim.schedule(0, () => deadlines.add("a", 0));
    sim.schedule(10, () => answered.add("a:0"));
    sim.schedule(500, () => deadlines.add("a", 1));
    sim.run();
    expect(log).toEqual(["a:1 timed out at 600"]);
    expect(timers()).toBe(2);
  });

  it("lets a timeout send new RPCs, timed after the ones already due", () => {
    const { sim, deadlines, log } = queue(100, (deadlines, owner, rpc) => {
      if (owner === "a" && rpc < 2) deadlines.add("a", rpc + 1);
    });
    sim.schedule(0, () => {
      deadlines.add("a", 0);
      deadlines.add("b", 0);
    });
    sim.run();
    expect(log).toEqual(["a:0 timed out at 100", "b:0 timed out at 100", "a:1 timed out at 200", "a:2 timed out at 300"]);
  });

  it("grows past its first thousand RPCs, keeping their order", () => {
    const { sim, deadlines, answered, log } = queue(1000);
    sim.schedule(0, () => {
      for (let i = 0; i < 3000; i++) deadlines.add("x", i);
      for (let i = 0; i < 3000; i++) if (i % 1000 !== 999) answered.add(`x:${i}`);
    });
    sim.run();
    expect(log).toEqual(["x:999 timed out at 1000", "x:1999 timed out at 1000", "x:2999 timed out at 1000"]);
  });
});
