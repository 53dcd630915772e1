import { describe, expect, it } from "vitest";
import type { MessageTypes } from "../../sim/core/protocol.js";
import { testbed } from "../helpers/testbed.js";

type M = { type: "ask"; n: number } | { type: "answer"; n: number };
const types: MessageTypes<M> = { ask: { category: "maintenance", bytes: 10 }, answer: { category: "maintenance", bytes: 10 } };

/** Two peers, 10 ms apart; peer 1 answers every "ask" with n + 1 unless told to stay silent. */
function world() {
  let silent = false;
  const bed = testbed<M>({
    messageTypes: types,
    deliver: (to, from, msg, { ctx }) => {
      if (msg.type === "ask" && !silent) ctx.reply(to, from, msg, { type: "answer", n: msg.n + 1 });
    },
  });
  return { ...bed, setSilent: (s: boolean) => (silent = s) };
}

describe("OverlayContext", () => {
  it("routes a reply to the request that waits for it, and cancels its timeout", () => {
    const { sim, ctx } = world();
    const log: string[] = [];
    ctx.request(0, 1, { type: "ask", n: 41 }, 100, (r) => log.push(`reply ${(r as { n: number }).n} at ${sim.now}`), () => log.push("timeout"));
    sim.run();
    expect(log).toEqual(["reply 42 at 20"]);
  });

  it("times out when no answer comes", () => {
    const { sim, ctx, setSilent } = world();
    setSilent(true);
    const log: string[] = [];
    ctx.request(0, 1, { type: "ask", n: 1 }, 100, () => log.push("reply"), () => log.push(`timeout at ${sim.now}`));
    sim.run();
    expect(log).toEqual(["timeout at 100"]);
  });

  it("keeps no timer for a request sent with an infinite timeout: the reply still comes, a missing one is never reported", () => {
    const { sim, ctx, setSilent } = world();
    const log: string[] = [];
    ctx.request(0, 1, { type: "ask", n: 1 }, Infinity, (r) => log.push(`reply ${(r as { n: number }).n} at ${sim.now}`), () => log.push("timeout"));
    sim.run();
    setSilent(true);
    ctx.request(0, 1, { type: "ask", n: 5 }, Infinity, () => log.push("reply"), () => log.push("timeout"));
    sim.run();
    expect(log).toEqual(["reply 2 at 20"]);
    expect(sim.pending).toBe(0);
  });

  it("runs an overlay timer whoever goes offline, unless cancelled", () => {
    const { sim, ctx, population } = world();
    const log: string[] = [];
    ctx.setOverlayTimer(50, () => log.push(`overlay timer at ${sim.now}`));
    const cancelled = ctx.setOverlayTimer(60, () => log.push("cancelled"));
    sim.schedule(5, () => {
      population.markOffline(0);
      population.markOffline(1);
      ctx.cancelTimer(cancelled);
    });
    sim.run();
    expect(log).toEqual(["overlay timer at 50"]);
  });

  it("forgets timers and requests of a peer that went offline, even if it comes back", () => {
    const { sim, ctx, population } = world();
    const log: string[] = [];
    ctx.setTimer(0, 50, () => log.push("timer"));
    ctx.request(0, 1, { type: "ask", n: 1 }, 100, () => log.push("reply"), () => log.push("timeout"));
    sim.schedule(5, () => {
      population.markOffline(0);
      population.markOnline(0); // a new session
    });
    ctx.setTimer(1, 30, () => log.push("other peer's timer"));
    sim.run();
    expect(log).toEqual(["other peer's timer"]);
  });

  it("runs a timer set with two integers (setTimerWith) like any timer of the peer's session", () => {
    const { sim, ctx, population } = world();
    const log: string[] = [];
    const fn = (peer: number, a: number, b: number) => log.push(`peer ${peer} (${a}, ${b}) at ${sim.now}`);
    ctx.setTimerWith(1, 30, fn, 7, -1);
    ctx.setTimerWith(0, 50, fn, 1, 2); // dropped: peer 0 starts a new session at 5
    ctx.setTimerWith(1, 10, fn, 2_000_000_000, 3);
    sim.schedule(5, () => {
      population.markOffline(0);
      population.markOnline(0);
      ctx.setTimerWith(0, 1, fn, 4, 5);
    });
    sim.run();
    expect(log).toEqual(["peer 0 (4, 5) at 6", "peer 1 (2000000000, 3) at 10", "peer 1 (7, -1) at 30"]);
  });

  it("cancels a timer set with two integers, and a handle whose timer fired cancels nothing after it", () => {
    const { sim, ctx } = world();
    const log: string[] = [];
    const fn = (peer: number, a: number) => log.push(`${a} at ${sim.now}`);
    const first = ctx.setTimerWith(0, 10, fn, 1, 0);
    const second = ctx.setTimerWith(0, 20, fn, 2, 0);
    ctx.cancelTimerWith(second);
    ctx.cancelTimerWith(second); // twice: nothing more happens
    sim.run();
    // `first` fired, so its slot in the timer table is free: the next timer takes it, and the old handle must not reach it.
    ctx.setTimerWith(0, 5, fn, 3, 0);
    ctx.cancelTimerWith(first);
    sim.run();
    expect(log).toEqual(["1 at 10", "3 at 15"]);
    expect(sim.eventsRun).toBe(2);
  });

  it("cancels a timer", () => {
    const { sim, ctx } = world();
    const log: string[] = [];
    const t = ctx.setTimer(0, 50, () => log.push("fired"));
    ctx.cancelTimer(t);
    sim.run();
    expect(log).toEqual([]);
  });
});

describe("periodic maintenance (ctx.every)", () => {
  it("runs at a random phase, then every interval, until the peer's session ends", () => {
    const { sim, ctx, population } = world();
    const runs: number[] = [];
    ctx.every(0, 100, () => runs.push(sim.now));
    sim.schedule(450, () => population.markOffline(0));
    sim.run({ until: 1000 });
    const phase = runs[0]!;
    expect(phase).toBeGreaterThanOrEqual(0);
    expect(phase).toBeLessThan(100);
    expect(runs).toEqual([phase, phase + 100, phase + 200, phase + 300, phase + 400].filter((t) => t < 450));
  });

  it('starts after one interval with start: "after-interval"', () => {
    const { sim, ctx } = world();
    const runs: number[] = [];
    ctx.every(1, 250, () => runs.push(sim.now), { start: "after-interval" });
    sim.run({ until: 1000 });
    expect(runs).toEqual([250, 500, 750, 1000]); // `until` includes events at its own time
  });

  it("stops while frozen; on resume the hooks run first, then every online peer's tasks restart", () => {
    const { sim, ctx, runtime, population } = world();
    const log: string[] = [];
    ctx.every(0, 100, () => log.push(`0 at ${sim.now}`), { start: "after-interval" });
    ctx.every(1, 100, () => log.push(`1 at ${sim.now}`), { start: "after-interval" });
    ctx.onMaintenanceResumed(() => log.push(`resumed at ${sim.now}, frozen ${ctx.maintenanceFrozen()}`));
    sim.schedule(150, () => runtime.setMaintenanceFrozen(true));
    sim.schedule(200, () => population.markOffline(1)); // gone while frozen: its task is dropped
    sim.schedule(420, () => runtime.setMaintenanceFrozen(false));
    sim.run({ until: 600 });
    expect(log).toEqual(["0 at 100", "1 at 100", "resumed at 420, frozen false", "0 at 520"]);
  });

  it("a freeze and resume within one interval: the run pending from before is dropped, the restarted task runs once per interval", () => {
    const { sim, ctx, runtime } = world();
    const runs: number[] = [];
    ctx.every(0, 100, (peer) => runs.push(peer * 10_000 + sim.now), { start: "after-interval" });
    sim.schedule(150, () => runtime.setMaintenanceFrozen(true));
    sim.schedule(170, () => runtime.setMaintenanceFrozen(false)); // the run due at 200 is still queued
    sim.run({ until: 500 });
    expect(runs).toEqual([100, 270, 370, 470]);
  });

  it("calls the task with its peer, so one function serves every peer", () => {
    const { sim, ctx } = world();
    const runs: string[] = [];
    const job = (peer: number) => runs.push(`${peer} at ${sim.now}`);
    ctx.every(0, 100, job, { start: "after-interval" });
    ctx.every(1, 150, job, { start: "after-interval" });
    sim.run({ until: 300 });
    // At 300 ms the run scheduled first (at 150 ms, by peer 1) comes first.
    expect(runs).toEqual(["0 at 100", "1 at 150", "0 at 200", "1 at 300", "0 at 300"]);
  });

  it("restarts a task registered during a freeze only when maintenance resumes", () => {
    const { sim, ctx, runtime } = world();
    const runs: number[] = [];
    runtime.setMaintenanceFrozen(true);
    expect(ctx.maintenanceFrozen()).toBe(true);
    ctx.every(0, 100, () => runs.push(sim.now), { start: "after-interval" });
    sim.schedule(300, () => runtime.setMaintenanceFrozen(false));
    sim.run({ until: 650 });
    expect(runs).toEqual([400, 500, 600]);
  });

  it("draws every gap from [(1 − j)·interval, (1 + j)·interval] with jitter j", () => {
    const { sim, ctx } = world();
    const runs: number[] = [];
    ctx.every(0, 100, () => runs.push(sim.now), { jitter: 0.2 });
    sim.run({ until: 2000 });
    const gaps = runs.map((t, i) => t - (i === 0 ? 0 : runs[i - 1]!));
    expect(gaps.length).toBeGreaterThan(15);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(80);
      expect(gap).toBeLessThanOrEqual(120);
    }
    expect(new Set(gaps.map((g) => Math.round(g))).size).toBeGreaterThan(5);
  });
});

describe("population-wide cycles (ctx.everyCycle)", () => {
  it("runs every interval from one interval on, bound to no peer, skipping runs while maintenance is frozen", () => {
    const { sim, ctx, runtime, population } = world();
    const runs: number[] = [];
    ctx.everyCycle(100, () => runs.push(sim.now));
    sim.schedule(50, () => population.markOffline(0)); // no peer's session ends it
    sim.schedule(250, () => runtime.setMaintenanceFrozen(true));
    sim.schedule(420, () => runtime.setMaintenanceFrozen(false));
    sim.run({ until: 600 });
    expect(runs).toEqual([100, 200, 500, 600]);
  });
});
