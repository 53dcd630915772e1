import { describe, expect, it } from "vitest";
import { KadIds } from "../../../sim/overlays/kademlia/ids.js";

/** BigInt references, for the tests only: the simulator never uses BigInt. */
function big(words: Uint32Array, o: number, W: number): bigint {
  let x = 0n;
  for (let k = 0; k < W; k++) x = (x << 32n) | BigInt(words[o + k]!);
  return x;
}

describe("KadIds", () => {
  for (const bits of [160, 128, 45, 8]) {
    it(`${bits} bits: common prefix, XOR order and bits agree with BigInt`, () => {
      const ids = new KadIds(bits, 300);
      const W = ids.W;
      for (let a = 0; a < 100; a++) {
        const x = big(ids.ids, a * W, W);
        expect(x < 1n << BigInt(bits)).toBe(true);
        for (let b = a + 1; b < a + 30; b++) {
          const y = big(ids.ids, b * W, W);
          const d = x ^ y;
          const cpl = d === 0n ? bits : bits - d.toString(2).length;
          expect(ids.commonPrefix(ids.ids, a * W, ids.ids, b * W)).toBe(cpl);
          expect(ids.commonPrefixOfPeers(a, b)).toBe(cpl);
          const t = big(ids.ids, (b + 50) * W, W);
          const dx = x ^ t;
          const dy = y ^ t;
          expect(ids.cmpDistance(ids.ids, (b + 50) * W, ids.ids, a * W, ids.ids, b * W)).toBe(dx < dy ? -1 : dx > dy ? 1 : 0);
          expect(ids.cmpPeerDistance(ids.ids, (b + 50) * W, a, b)).toBe(dx < dy ? -1 : dx > dy ? 1 : 0);
          expect(ids.top[a]).toBe(ids.ids[a * W]);
          const pos = (a * 7 + b) % bits;
          expect(ids.bit(ids.ids, a * W, pos)).toBe(Number((x >> BigInt(bits - 1 - pos)) & 1n));
        }
      }
    });
  }

  it("compares peers' distances exactly when their top words tie (45 bits: 13 bits in the top word)", () => {
    const ids = new KadIds(45, 3000);
    const W = ids.W;
    // Pairs of peers whose top words are equal, so their distances to any target tie there too.
    const firstWithTop = new Map<number, number>();
    let ties = 0;
    for (let b = 0; b < 3000; b++) {
      const a = firstWithTop.get(ids.top[b]!);
      if (a === undefined) {
        firstWithTop.set(ids.top[b]!, b);
        continue;
      }
      ties++;
      const t = (b * 31 + 7) % 3000;
      const dx = big(ids.ids, a * W, W) ^ big(ids.ids, t * W, W);
      const dy = big(ids.ids, b * W, W) ^ big(ids.ids, t * W, W);
      expect(ids.cmpPeerDistance(ids.ids, t * W, a, b)).toBe(dx < dy ? -1 : dx > dy ? 1 : 0);
      expect(ids.cmpPeerDistance(ids.ids, t * W, b, a)).toBe(dx < dy ? 1 : dx > dy ? -1 : 0);
    }
    expect(ties).toBeGreaterThan(100);
  });

  it("breaks XOR ties only on the lowest word", () => {
    const ids = new KadIds(160, 16);
    const t = new Uint32Array([1, 2, 3, 4, 5]);
    const x = new Uint32Array([1, 2, 3, 4, 6]); // distance 3
    const y = new Uint32Array([1, 2, 3, 4, 4]); // distance 1
    expect(ids.cmpDistance(t, 0, x, 0, y, 0)).toBe(1);
    expect(ids.cmpDistance(t, 0, y, 0, x, 0)).toBe(-1);
    expect(ids.cmpDistance(t, 0, t, 0, t, 0)).toBe(0);
    expect(ids.commonPrefix(x, 0, y, 0)).toBe(160 - 2);
  });

  it("reads digits across word boundaries", () => {
    const ids = new KadIds(64, 16);
    const a = new Uint32Array([0x00000001, 0x80000000]);
    expect(ids.bitsAt(a, 0, 30, 4)).toBe(0b0110);
    expect(ids.position(new Uint32Array([0x80000000, 0]), 0)).toBe(0.5);
  });
});
