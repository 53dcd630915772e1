import { describe, expect, it } from "vitest";
import { HeldFilter } from "../../../sim/overlays/unstructured/held-filter.js";

describe("HeldFilter", () => {
  it("never says no for a key a peer got", () => {
    const filter = new HeldFilter();
    for (let peer = 0; peer < 3000; peer += 7) for (let k = 0; k < 3; k++) filter.mark(peer, (peer * 31 + k * 977) % 10_000);
    for (let peer = 0; peer < 3000; peer += 7) for (let k = 0; k < 3; k++) expect(filter.mayHold(peer, (peer * 31 + k * 977) % 10_000)).toBe(true);
  });

  it("says no for most keys a peer lacks, and for peers it never saw", () => {
    const filter = new HeldFilter();
    for (const key of [1, 2, 3]) filter.mark(10, key);
    let maybe = 0;
    for (let key = 4; key < 10_004; key++) if (filter.mayHold(10, key)) maybe++;
    expect(maybe).toBeLessThan(10_000 * 0.06); // three keys set at most 3 of 64 bits
    expect(filter.mayHold(11, 1)).toBe(false);
    expect(filter.mayHold(1_000_000, 1)).toBe(false);
  });
});
