import { describe, expect, it } from "vitest";
import { Connections } from "../../../sim/overlays/ipfs/connections.js";

describe("ipfs: connection manager", () => {
  it("opens connections at both ends and trims the oldest down to low water above high water", () => {
    const c = new Connections(() => ({ low: 2, high: 3 }));
    for (const other of [1, 2, 3]) c.connect(0, other);
    expect([...c.of(0)]).toEqual([1, 2, 3]);
    expect(c.has(2, 0)).toBe(true);
    c.connect(0, 4);
    // Above 3: the oldest go until 2 are left, the newest kept.
    expect([...c.of(0)]).toEqual([3, 4]);
    expect(c.has(1, 0)).toBe(false);
    expect(c.trimmed).toBe(2);
  });

  it("closes every connection of a peer that goes offline", () => {
    const c = new Connections(() => ({ low: 10, high: 10 }));
    c.connect(0, 1);
    c.connect(0, 2);
    c.connect(1, 2);
    c.gone(0);
    expect(c.count(0)).toBe(0);
    expect([...c.of(1)]).toEqual([2]);
    expect([...c.of(2)]).toEqual([1]);
  });
});
