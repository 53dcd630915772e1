import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdSpace } from "../../../sim/overlays/shared/id-space.js";
import { approxOf } from "../../../sim/overlays/chord/tables.js";

/** Ring arithmetic against a BigInt reference (BigInt only here, never in the simulator). */

function toWords(space: IdSpace, v: bigint): Uint32Array {
  const out = new Uint32Array(space.words);
  for (let k = space.words - 1; k >= 0; k--) {
    out[k] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
  return out;
}

function toBig(words: Uint32Array): bigint {
  let v = 0n;
  for (const w of words) v = (v << 32n) | BigInt(w);
  return v;
}

const bitsArb = fc.constantFrom(8, 13, 31, 32, 33, 52, 53, 64, 100, 128, 160, 256);

/** A width and three ids in it, with equal ids and the ends of the space drawn often. */
const arb = bitsArb.chain((bits) => {
  const max = (1n << BigInt(bits)) - 1n;
  const id = fc.oneof(fc.bigInt({ min: 0n, max }), fc.constantFrom(0n, 1n, max, max - 1n, 1n << BigInt(bits - 1)));
  return fc.record({ bits: fc.constant(bits), a: id, b: id, x: id, i: fc.integer({ min: 0, max: bits - 1 }) });
});

describe("IdSpace", () => {
  it("compares, tests intervals, adds powers of two and measures distances like BigInt arithmetic mod 2^bits", () => {
    fc.assert(
      fc.property(arb, ({ bits, a, b, x, i }) => {
        const s = new IdSpace(bits);
        const mod = 1n << BigInt(bits);
        const [A, B, X] = [toWords(s, a), toWords(s, b), toWords(s, x)];
        expect(toBig(A)).toBe(a);
        expect(s.cmp(A, 0, B, 0)).toBe(a < b ? -1 : a > b ? 1 : 0);
        // (a, b] and (a, b): walk clockwise from a.
        const dx = (x - a + mod) % mod;
        const db = (b - a + mod) % mod;
        expect(s.inOpenClosed(X, 0, A, 0, B, 0)).toBe(db === 0n ? true : dx > 0n && dx <= db);
        expect(s.inOpen(X, 0, A, 0, B, 0)).toBe(db === 0n ? x !== a : dx > 0n && dx < db);
        const out = new Uint32Array(s.words);
        s.addPow2(A, 0, i, out, 0);
        expect(toBig(out)).toBe((a + (1n << BigInt(i))) % mod);
        expect(s.distanceLog2(A, 0, B, 0)).toBe(db === 0n ? -1 : db.toString(2).length - 1);
        // The approximation orders like the id.
        if (a < b) expect(approxOf(A, 0, s.words)).toBeLessThanOrEqual(approxOf(B, 0, s.words));
      }),
      { numRuns: 3000 },
    );
  });

  it("hashes to ids inside the space, the same every time, spread evenly", () => {
    const s = new IdSpace(20);
    const out = new Uint32Array(1);
    const buckets = new Array(16).fill(0);
    for (let k = 0; k < 16_000; k++) {
      s.hash(k, 7, out, 0);
      expect(out[0]).toBeLessThan(1 << 20);
      buckets[out[0]! >>> 16]++;
    }
    for (const b of buckets) expect(Math.abs(b - 1000)).toBeLessThan(150);
    const again = new Uint32Array(1);
    s.hash(123, 7, again, 0);
    s.hash(123, 7, out, 0);
    expect(again[0]).toBe(out[0]);
  });
});
