import { describe, expect, it } from "vitest";
import { CopyCache } from "../../../sim/overlays/shared/copy-cache.js";
import { ItemLedger } from "../../../sim/overlays/shared/item-ledger.js";

/** A disk ledger holding each peer's own files, and a cache of at most `maxStored` copies over it. */
function setUp(keyCount: number, own: [number, number[]][], maxStored: number) {
  const ledger = new ItemLedger(keyCount, "disk");
  for (const [peer, keys] of own) for (const key of keys) ledger.add(peer, key, true);
  return { ledger, cache: new CopyCache(ledger, maxStored) };
}

describe("CopyCache", () => {
  it("counts online holders, keeps copies across sessions and never copies what a peer holds", () => {
    // Peer 0 owns key 0, peer 1 owns keys 1 and 2; key 3 has no holder.
    const { ledger, cache } = setUp(4, [[0, [0]], [1, [1, 2]]], 2);
    expect([ledger.availableCount(), ledger.heldCount()]).toEqual([0, 3]);
    ledger.setOnline(1, true);
    expect(ledger.availableCount()).toBe(2);
    expect(cache.keep(1, 1)).toBe(false); // it owns it
    expect(cache.keep(1, 3)).toBe(true);
    expect(cache.keep(1, 0)).toBe(true);
    expect([ledger.availableCount(), ledger.heldCount()]).toEqual([4, 4]);
    expect(ledger.itemsOf(1)).toEqual([1, 2, 3, 0]);
    // Copies persist offline (on disk) and count again when their peer is back.
    ledger.setOnline(1, false);
    ledger.setOnline(2, true);
    expect(cache.keep(2, 1)).toBe(true);
    expect(cache.keep(1, 2)).toBe(false);
    expect(cache.keep(1, 1)).toBe(false);
    ledger.setOnline(1, true);
    expect(cache.keep(1, 3)).toBe(false);
    ledger.setOnline(0, true);
    expect(ledger.holdersOf(0)).toBe(2);
    expect(ledger.onlineCopiesOf(0)).toBe(2);
    expect(setUp(1, [[0, [0]]], 0).cache.keep(5, 0)).toBe(false);
  });

  it("evicts the least recently added copy when the cache is full, never a peer's own files", () => {
    const { ledger, cache } = setUp(5, [[7, [4]]], 2);
    ledger.setOnline(7, true);
    cache.keep(7, 0);
    cache.keep(7, 1);
    cache.keep(7, 2); // evicts 0, keeps its own file 4
    expect(ledger.itemsOf(7)).toEqual([4, 1, 2]);
    expect(ledger.holdersOf(0)).toBe(0);
    expect(ledger.onlineCopiesOf(2)).toBe(1);
    expect([ledger.availableCount(), ledger.heldCount()]).toEqual([3, 3]); // keys 0 and 3 held by nobody
    ledger.setOnline(7, false);
    expect([ledger.availableCount(), ledger.heldCount()]).toEqual([0, 3]);
  });
});
