import { describe, expect, it } from "vitest";
import { TimerTable } from "../../sim/overlays/timer-table.js";

describe("TimerTable", () => {
  it("holds each timer's peer, session, function and integers, and reuses a fired timer's slot", () => {
    const table = new TimerTable();
    const fn = () => {};
    const slots = Array.from({ length: 600 }, (_, i) => table.take(i, i + 1, fn, -i, 2 * i));
    expect(new Set(slots).size).toBe(600);
    expect([table.peer[slots[599]!], table.session[slots[599]!], table.a[slots[599]!], table.b[slots[599]!]]).toEqual([599, 600, -599, 1198]);
    expect(table.fn[slots[3]!]).toBe(fn);
    table.release(slots[3]!);
    expect(table.fn[slots[3]!]).toBeUndefined();
    expect(table.take(9, 9, fn, 0, 0)).toBe(slots[3]);
  });

  it("names a timer by a handle that no longer matches once the timer is released", () => {
    const table = new TimerTable();
    const fn = () => {};
    const slot = table.take(1, 1, fn, 0, 0);
    const handle = table.handleOf(slot);
    expect(table.slotOf(handle)).toBe(slot);
    table.release(slot);
    expect(table.slotOf(handle)).toBe(-1);
    const again = table.take(2, 1, fn, 0, 0);
    expect(again).toBe(slot);
    expect(table.slotOf(handle)).toBe(-1);
    expect(table.slotOf(table.handleOf(again))).toBe(again);
    expect([table.slotOf(-1), table.slotOf(0.5), table.slotOf(2 ** 40 + 7)]).toEqual([-1, -1, -1]);
  });
});
