import { describe, expect, it } from "vitest";
import { Blockstore } from "../../../sim/overlays/ipfs/blockstore.js";
import { Dags } from "../../../sim/overlays/ipfs/dag.js";

function store(maxBytes = 1e12) {
  const dags = new Dags(3, () => 600_000, 262_144, 174); // 3 leaves + a root each
  const dropped: string[] = [];
  const counts: Record<string, number> = {};
  const s = new Blockstore(dags, 8, maxBytes, 0.9, (p, f) => dropped.push(`${p}:${f}`), (name, n = 1) => (counts[name] = (counts[name] ?? 0) + n));
  return { s, dropped, counts };
}

describe("ipfs: blockstore", () => {
  it("counts a published file available while an online peer holds every block of it", () => {
    const { s } = store();
    s.setOnline(1, true);
    s.setOnline(2, true);
    s.addAll(1, 0, true);
    s.markPublished(0);
    expect(s.availability()).toEqual({ stored: 1, available: 1, lost: 0 });
    s.add(2, 0, 0, false);
    expect(s.hasAll(2, 0)).toBe(false);
    s.setOnline(1, false);
    expect(s.availability()).toEqual({ stored: 1, available: 0, lost: 0 });
    for (let b = 1; b < 4; b++) s.add(2, 0, b, false);
    expect(s.hasAll(2, 0)).toBe(true);
    expect(s.availability()).toEqual({ stored: 1, available: 1, lost: 0 });
    expect(s.onlineHolders(0)).toBe(1);
  });

  it("garbage-collects every unpinned file, never a pinned one, and says which full copies went", () => {
    // Each file is 600,000 bytes plus a 158-byte root: two fit under 0.9 × 1.5 MB, the third triggers GC.
    const { s, dropped, counts } = store(1_500_000);
    s.setOnline(4, true);
    s.addAll(4, 0, true);
    s.addAll(4, 1, false);
    s.markPublished(1);
    expect(s.availability()).toEqual({ stored: 1, available: 1, lost: 0 });
    s.addAll(4, 2, false);
    expect(s.hasAll(4, 0)).toBe(true);
    expect(s.hasAll(4, 1)).toBe(false);
    expect(s.hasAll(4, 2)).toBe(true); // the file being added is kept
    // Block by block too: the collected file's blocks are gone, the others' stay.
    for (let b = 0; b < 4; b++) {
      expect(s.has(4, 0, b)).toBe(true);
      expect(s.has(4, 1, b)).toBe(false);
      expect(s.has(4, 2, b)).toBe(true);
    }
    expect(dropped).toEqual(["4:1"]);
    expect(counts.gcRuns).toBe(1);
    expect(counts.blocksCollected).toBe(4);
    expect(s.used(4)).toBe(2 * (600_000 + 14 + 48 * 3));
    expect(s.availability()).toEqual({ stored: 1, available: 0, lost: 1 });
  });
});
