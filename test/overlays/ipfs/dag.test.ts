import { describe, expect, it } from "vitest";
import { Dags, FileDag } from "../../../sim/overlays/ipfs/dag.js";

const KiB256 = 256 * 1024;

describe("ipfs: file DAGs", () => {
  it("a file of one block is its own root", () => {
    const dag = new FileDag(3, 1000, KiB256, 174, 10);
    expect(dag.blocks).toBe(1);
    expect(dag.isLeaf(0)).toBe(true);
    expect(dag.size(0)).toBe(1000);
    expect(dag.cid(0)).toBe(3);
    expect(dag.children(0)).toEqual([0, 0]);
  });

  it("1 MB in 256 KiB blocks: a root linking four leaves, the last one short", () => {
    const dag = new FileDag(0, 1_000_000, KiB256, 174, 50);
    expect(dag.leaves).toBe(4);
    expect(dag.blocks).toBe(5);
    expect(dag.children(0)).toEqual([1, 5]);
    expect([1, 2, 3, 4].map((b) => dag.size(b))).toEqual([KiB256, KiB256, KiB256, 1_000_000 - 3 * KiB256]);
    expect(dag.size(0)).toBe(14 + 48 * 4);
    expect([0, 1, 2, 3, 4].map((b) => dag.cid(b))).toEqual([0, 50, 51, 52, 53]);
  });

  it("100 MB: 382 leaves under three internal nodes (174 links each at most) under the root", () => {
    const dag = new FileDag(0, 100_000_000, KiB256, 174, 1);
    expect(dag.leaves).toBe(382);
    expect(dag.blocks).toBe(1 + 3 + 382);
    expect(dag.children(0)).toEqual([1, 4]);
    expect(dag.children(1)).toEqual([4, 178]);
    expect(dag.children(3)).toEqual([352, 386]);
    let bytes = 0;
    for (let b = 0; b < dag.blocks; b++) if (dag.isLeaf(b)) bytes += dag.size(b);
    expect(bytes).toBe(100_000_000);
  });

  it("gives every block of every file its own CID number, roots numbered by their keys", () => {
    const dags = new Dags(5, (f) => (f + 1) * 300_000, KiB256, 174);
    const seen = new Set<number>();
    for (let f = 0; f < 5; f++) {
      const dag = dags.of(f);
      expect(dag.cid(0)).toBe(f);
      for (let b = 0; b < dag.blocks; b++) seen.add(dag.cid(b));
    }
    let total = 0;
    for (let f = 0; f < 5; f++) total += dags.of(f).blocks;
    expect(seen.size).toBe(total);
  });
});
