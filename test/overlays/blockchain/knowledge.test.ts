import { describe, expect, it } from "vitest";
import { CONNECTED, Knowledge, ORPHAN, REQUESTED, UNKNOWN, VERIFYING } from "../../../sim/overlays/blockchain/knowledge.js";

describe("Knowledge", () => {
  it("forgets exactly the blocks a node was fetching or verifying when it goes offline", () => {
    const known = new Knowledge(4);
    for (let b = 0; b <= 5; b++) known.addBlock(b);
    known.set(1, 2, CONNECTED);
    known.set(2, 2, REQUESTED);
    known.set(2, 2, VERIFYING);
    known.set(3, 2, ORPHAN);
    known.set(4, 2, REQUESTED);
    known.set(5, 2, REQUESTED);
    known.set(5, 2, UNKNOWN); // a request that timed out
    known.set(4, 3, VERIFYING); // another node's
    known.busyUntil[2] = 50;
    known.forgetPending(2);
    expect([0, 1, 2, 3, 4, 5].map((b) => known.state(b, 2))).toEqual([CONNECTED, CONNECTED, UNKNOWN, ORPHAN, UNKNOWN, UNKNOWN]);
    expect(known.state(4, 3)).toBe(VERIFYING);
    expect(known.busyUntil[2]).toBe(0);
    // Counted afresh in the next session.
    known.set(3, 2, CONNECTED);
    known.set(5, 2, REQUESTED);
    known.forgetPending(2);
    expect(known.state(5, 2)).toBe(UNKNOWN);
    expect(known.state(3, 2)).toBe(CONNECTED);
  });

  it("grows to nodes past its capacity, their pending blocks included", () => {
    const known = new Knowledge(2);
    known.addBlock(0);
    known.addBlock(1);
    known.set(1, 9, REQUESTED);
    expect(known.state(0, 9)).toBe(CONNECTED);
    known.forgetPending(9);
    expect(known.state(1, 9)).toBe(UNKNOWN);
    known.forgetPending(500); // never seen: nothing to do
  });
});
