import { describe, expect, it } from "vitest";
import { RequestTimers } from "../../../sim/overlays/blockchain/request-timers.js";

describe("RequestTimers", () => {
  it("hands a node's latest request timeout to cancel when its block arrives, once", () => {
    const timers = new RequestTimers();
    const cancelled: number[] = [];
    const cancel = (handle: number) => cancelled.push(handle);
    timers.set(2, 10, 2 ** 40 + 1);
    timers.set(2, 11, 2 ** 40 + 2); // the latest: block 10's timeout is left to fire
    timers.set(300, 10, 5); // a node past the first arrays
    timers.arrived(2, 10, cancel);
    timers.arrived(2, 11, cancel);
    timers.arrived(2, 11, cancel);
    timers.arrived(300, 10, cancel);
    timers.arrived(9_999, 10, cancel);
    expect(cancelled).toEqual([2 ** 40 + 2, 5]);
  });

  it("forgets a node's timeout when it goes offline (its timers died with its session)", () => {
    const timers = new RequestTimers();
    const cancelled: number[] = [];
    timers.set(1, 4, 9);
    timers.clear(1);
    timers.arrived(1, 4, (h) => cancelled.push(h));
    expect(cancelled).toEqual([]);
  });
});
