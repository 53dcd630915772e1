import { describe, expect, it } from "vitest";
import { PairList } from "../../sim/collections/pair-list.js";

describe("PairList", () => {
  it("keeps pairs in push order, duplicates included, through growth", () => {
    const list = new PairList();
    for (let i = 0; i < 40; i++) list.push(i % 5, 100 + i);
    list.push(0, 100);
    expect(list.size).toBe(41);
    expect(Array.from(list.data.subarray(0, 6))).toEqual([0, 100, 1, 101, 2, 102]);
    expect(Array.from(list.data.subarray(80, 82))).toEqual([0, 100]);
    expect(list.has(4, 139)).toBe(true);
    expect(list.has(4, 138)).toBe(false);
  });

  it("keeps its room when emptied, and forgets what it held", () => {
    const list = new PairList();
    for (let i = 0; i < 20; i++) list.push(i, i);
    const storage = list.data;
    list.clear();
    expect(list.size).toBe(0);
    expect(list.has(3, 3)).toBe(false);
    for (let i = 0; i < 20; i++) list.push(i, -i);
    expect(list.data).toBe(storage);
    expect(list.has(3, -3)).toBe(true);
  });
});
