import { describe, expect, it } from "vitest";
import { HolderPairs } from "../../../sim/overlays/blockchain/holder-pairs.js";

/** A node's pairs as [block, neighbour] tuples, read the way the relay reads them. */
function pairsOf(pairs: HolderPairs, node: number): [number, number][] {
  const out: [number, number][] = [];
  const start = pairs.start(node);
  for (let i = 0; i < pairs.size(node); i++) out.push([pairs.data[start + 2 * i]!, pairs.data[start + 2 * i + 1]!]);
  return out;
}

describe("HolderPairs", () => {
  it("keeps each node's pairs in push order, through growing past its stride and its node count", () => {
    const pairs = new HolderPairs();
    for (let i = 0; i < 40; i++) pairs.push(3, 7, 100 + i); // past the initial 16 pairs per node
    pairs.push(5, 8, 1);
    pairs.push(200, 9, 2); // past the initial 64 nodes
    pairs.push(3, 10, 4);
    expect(pairsOf(pairs, 3)).toEqual([...Array.from({ length: 40 }, (_, i) => [7, 100 + i]), [10, 4]]);
    expect(pairsOf(pairs, 5)).toEqual([[8, 1]]);
    expect(pairsOf(pairs, 200)).toEqual([[9, 2]]);
    expect(pairs.size(4)).toBe(0);
    expect(pairs.size(10_000)).toBe(0);
  });

  it("keeps the first pairs after a caller's filtering, and empties a node's list", () => {
    const pairs = new HolderPairs();
    pairs.push(1, 5, 2);
    pairs.push(1, 6, 3);
    pairs.setSize(1, 1);
    expect(pairsOf(pairs, 1)).toEqual([[5, 2]]);
    pairs.clear(1);
    expect(pairs.size(1)).toBe(0);
    pairs.push(1, 7, 4);
    expect(pairsOf(pairs, 1)).toEqual([[7, 4]]);
  });
});
