import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdSpace } from "../../../sim/overlays/shared/id-space.js";
import { approxOf, ChordTables } from "../../../sim/overlays/chord/tables.js";

/** ChordTables.candidates as it was written first: every test on the exact ids, an insertion into a plain array. */
function candidatesByIds(t: ChordTables, peer: number, target: Uint32Array, max: number): number[] {
  const { ids, W, m, space, fingers } = t;
  const found: number[] = [];
  const consider = (p: number) => {
    if (p < 0 || p === peer || found.includes(p) || !space.inOpen(ids, p * W, ids, peer * W, target, 0)) return;
    let k = found.length;
    found.push(p);
    while (k > 0 && space.inOpen(ids, found[k - 1]! * W, ids, peer * W, ids, p * W)) {
      found[k] = found[k - 1]!;
      k--;
    }
    found[k] = p;
  };
  let distinct = 0;
  for (let i = Math.min(space.distanceLog2(ids, peer * W, target, 0), m - 1); i >= 0 && distinct < max; i--) {
    const f = fingers[peer * m + i]!;
    if (f >= 0 && (i === m - 1 || f !== fingers[peer * m + i + 1]) && !found.includes(f)) {
      const before = found.length;
      consider(f);
      if (found.length > before) distinct++;
    }
  }
  for (let j = 0; j < t.successorCount[peer]!; j++) consider(t.successors[peer * t.r + j]!);
  if (found.length > max) found.length = max;
  return found;
}

const PEERS = 40;

describe("ChordTables.candidates", () => {
  // Ids drawn from a few clusters, so that ids tie and (with two words or more) ids that differ share
  // their approximation: the cases where the approximations cannot decide and the ids must.
  const table = fc.record({
    bits: fc.constantFrom(5, 8, 33, 40, 64),
    r: fc.integer({ min: 1, max: 8 }),
    clusters: fc.array(fc.array(fc.nat(), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 4 }),
    peerIds: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2047 })), { minLength: PEERS, maxLength: PEERS }),
    tables: fc.array(fc.tuple(fc.array(fc.integer({ min: -1, max: PEERS - 1 }), { maxLength: 8 }), fc.array(fc.integer({ min: -1, max: PEERS - 1 }), { minLength: 64, maxLength: 64 })), {
      minLength: 3,
      maxLength: 3,
    }),
    targets: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2047 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
    max: fc.integer({ min: 1, max: 12 }),
  });

  it("are those of the same search on the exact ids, ties and shared approximations included (property)", () => {
    fc.assert(
      fc.property(table, ({ bits, r, clusters, peerIds, tables, targets, max }) => {
        const space = new IdSpace(bits);
        const t = new ChordTables(space, r, PEERS);
        const W = t.W;
        // An id from cluster c: the cluster's top words with `low` in the bits below the approximation.
        const write = (out: Uint32Array, at: number, c: number, low: number) => {
          const cluster = clusters[c % clusters.length]!;
          for (let w = 0; w < W; w++) out[at + w] = w === 0 ? cluster[0]! & space.topMask : w === 1 ? (cluster[1]! & ~2047) | low : low;
          if (W === 1) out[at] = (out[at]! & ~7) | (low & 7) & space.topMask;
        };
        for (let p = 0; p < PEERS; p++) {
          write(t.ids, p * W, peerIds[p]![0], peerIds[p]![1]);
          t.approx[p] = approxOf(t.ids, p * W, W);
        }
        for (let p = 0; p < 3; p++) {
          const [successors, fingers] = tables[p]!;
          t.setSuccessors(p, successors.slice(0, r));
          for (let i = 0; i < t.m; i++) t.fingers[p * t.m + i] = fingers[i % 64]!;
        }
        const target = new Uint32Array(W);
        for (const [c, low, ownId] of targets) {
          if (ownId) target.set(t.ids.subarray((c % PEERS) * W, (c % PEERS) * W + W));
          else write(target, 0, c, low);
          for (let p = 0; p < 3; p++) expect(t.candidates(p, target, 0, max)).toEqual(candidatesByIds(t, p, target, max));
        }
      }),
      { numRuns: 400 },
    );
  });
});
