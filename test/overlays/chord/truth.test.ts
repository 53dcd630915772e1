import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../../sim/engine/rng.js";
import { IdSpace } from "../../../sim/overlays/shared/id-space.js";
import { approxOf, ChordTables } from "../../../sim/overlays/chord/tables.js";
import { TrueRing } from "../../../sim/overlays/chord/truth.js";
import { fingersFromRing } from "../../../sim/overlays/chord/oracle.js";

/** The observers' true ring against a brute-force BigInt reference. */
function big(words: Uint32Array, off: number, W: number): bigint {
  let v = 0n;
  for (let k = 0; k < W; k++) v = (v << 32n) | BigInt(words[off + k]!);
  return v;
}

describe("TrueRing", () => {
  for (const bits of [20, 128, 160]) {
    it(`finds owners and finger tables like a brute-force search (${bits}-bit ids, built and incremental)`, () => {
      const space = new IdSpace(bits);
      const t = new ChordTables(space, 4, 300);
      const W = t.W;
      const peers = Array.from({ length: 300 }, (_, p) => p);
      const built = new TrueRing(t);
      built.build(peers);
      const grown = new TrueRing(t);
      for (const p of peers) grown.insert(p);
      expect(grown.peers).toEqual(built.peers);
      const idOf = (p: number) => big(t.ids, p * W, W);
      const mod = 1n << BigInt(bits);
      const owner = (x: bigint) => {
        let best = -1;
        let bestD = mod;
        for (const p of peers) {
          const d = (idOf(p) - x + mod) % mod;
          if (d < bestD) [best, bestD] = [p, d];
        }
        return best;
      };
      const row = new Int32Array(bits);
      const scratch = new Uint32Array(W);
      for (let at = 0; at < 300; at += 7) {
        const peer = built.peers[at]!;
        built.fingersOf(at, row, scratch);
        for (let i = 0; i < bits; i++) {
          const start = (idOf(peer) + (1n << BigInt(i))) % mod;
          expect(row[i]).toBe(owner(start));
        }
      }
      const target = new Uint32Array(W);
      for (let k = 0; k < 200; k++) {
        space.hash(k, 12345, target, 0);
        const expected = owner(big(target, 0, W));
        expect(built.owner(target, 0)).toBe(expected);
        expect(grown.owner(target, 0)).toBe(expected);
      }
    });
  }

  it("follows joins and departures: online nodes in id order, owners, positions and ranks as a brute-force search finds them", () => {
    const space = new IdSpace(128);
    const t = new ChordTables(space, 4, 500);
    const W = t.W;
    const ring = new TrueRing(t);
    const idOf = (p: number) => big(t.ids, p * W, W);
    const mod = 1n << 128n;
    const online = new Set<number>();
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const target = new Uint32Array(W);
    for (let step = 0; step < 3000; step++) {
      const p = Math.floor(next() * 500);
      if (online.has(p)) {
        online.delete(p);
        ring.remove(p);
      } else {
        online.add(p);
        ring.insert(p);
      }
      if (step % 50 !== 0) continue;
      const sorted = [...online].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : a - b));
      expect(ring.peers).toEqual(sorted);
      expect(ring.size).toBe(sorted.length);
      for (const q of [0, 13, 250, 499]) expect(ring.indexOf(q)).toBe(sorted.indexOf(q));
      for (let k = 0; k < 20; k++) {
        space.hash(step * 100 + k, 99, target, 0);
        const x = big(target, 0, W);
        let best = -1;
        let bestD = mod;
        for (const q of sorted) {
          const d = (idOf(q) - x + mod) % mod;
          if (d < bestD) [best, bestD] = [q, d];
        }
        expect(ring.owner(target, 0)).toBe(best);
        for (const q of [best, 0, 13, 250, 499]) expect(ring.isOwner(q, target, 0)).toBe(q === best);
        const at = sorted.findIndex((q) => idOf(q) >= x);
        expect(ring.lowerBound(target, 0, approxOf(target, 0, W))).toBe(at < 0 ? sorted.length : at);
      }
    }
    for (const p of [...online]) ring.remove(p);
    expect(ring.peers).toEqual([]);
    expect(ring.owner(target, 0)).toBe(-1);
  });
});


describe("TrueRing.isOwner", () => {
  it("is owner(target) === node for every node, with tied ids, wrapping owners and online subsets (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          bits: fc.constantFrom(3, 5, 8, 33, 64),
          pool: fc.integer({ min: 1, max: 60 }),
          salt: fc.integer({ min: 0, max: 0xffffffff }),
          online: fc.double({ min: 0, max: 1, noNaN: true }),
          seed: fc.integer({ min: 0, max: 1000 }),
          targets: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 8 }),
        }),
        ({ bits, pool, salt, online, seed, targets }) => {
          const t = new ChordTables(new IdSpace(bits), 4, pool, salt);
          const choose = new Rng(seed);
          const ring = new TrueRing(t);
          ring.build(Array.from({ length: pool }, (_, p) => p).filter(() => choose.chance(online)));
          const target = new Uint32Array(t.W);
          for (const x of targets) {
            // Half of the targets are a node's own id (ties with it and with nodes sharing it), half hashed.
            if (x % 2 === 0) target.set(t.ids.subarray((x % pool) * t.W, (x % pool) * t.W + t.W));
            else t.space.hash(x, 77, target, 0);
            const owner = ring.owner(target, 0);
            for (let node = -1; node < pool + 2; node++) expect(ring.isOwner(node, target, 0)).toBe(node === owner && node >= 0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the oracle's finger sweep", () => {
  it("gives every node of the ring the finger table fingersOf finds (random rings, id widths, online subsets)", () => {
    fc.assert(
      fc.property(
        fc.record({
          bits: fc.constantFrom(4, 9, 12, 20, 32, 33, 53, 64, 75, 96, 128, 160),
          pool: fc.integer({ min: 1, max: 300 }),
          salt: fc.integer({ min: 0, max: 0xffffffff }),
          online: fc.double({ min: 0.05, max: 1, noNaN: true }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        ({ bits, pool, salt, online, seed }) => {
          const t = new ChordTables(new IdSpace(bits), 4, pool, salt);
          const choose = new Rng(seed);
          const nodes = Array.from({ length: pool }, (_, p) => p).filter(() => choose.chance(online));
          const ring = new TrueRing(t);
          ring.build(nodes);
          const m = t.m;
          const swept = new Int32Array(pool * m).fill(-7);
          fingersFromRing(t, ring.peers, ring.onlineKeys(), (node, from, to, owner) => swept.fill(owner, node * m + from, node * m + to + 1));
          const row = new Int32Array(m);
          const scratch = new Uint32Array(t.W);
          ring.peers.forEach((node, at) => {
            ring.fingersOf(at, row, scratch);
            expect(swept.subarray(node * m, node * m + m)).toEqual(row);
          });
        },
      ),
      { numRuns: 80 },
    );
  });
});
