import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdSpace } from "../../../sim/overlays/shared/id-space.js";
import { approxOf, ChordTables } from "../../../sim/overlays/chord/tables.js";

/** ChordTables.candidates as it was written first: every test on the exact ids, an insertion into a plain array. */
function candidatesByIds(t: ChordTables, peer: number, target: Uint32Array, max: number): number[] {
  const { ids, W, m, space } = t;
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
    const f = t.finger(peer, i);
    if (f >= 0 && (i === m - 1 || f !== t.finger(peer, i + 1)) && !found.includes(f)) {
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
    // Per peer: its successors, and its fingers from finger 0 up as runs of one peer (as in a real table, and not).
    tables: fc.array(fc.tuple(fc.array(fc.integer({ min: -1, max: PEERS - 1 }), { maxLength: 8 }), fc.array(fc.tuple(fc.integer({ min: -1, max: PEERS - 1 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 12 })), {
      minLength: 3,
      maxLength: 3,
    }),
    targets: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2047 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
    max: fc.integer({ min: 1, max: 12 }),
    // Then changes: fingers from..to of a peer set to an owner, or (owner < 0) a peer forgotten.
    changes: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat({ max: 50 }), fc.nat({ max: 70 }), fc.integer({ min: -PEERS, max: PEERS - 1 })), { maxLength: 10 }),
  });

  it("are those of the same search on the exact ids, ties and shared approximations included (property)", () => {
    fc.assert(
      fc.property(table, ({ bits, r, clusters, peerIds, tables, targets, max, changes }) => {
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
          const [successors, runs] = tables[p]!;
          t.setSuccessors(p, successors.slice(0, r));
          let i = 0;
          for (const [owner, length] of runs) {
            if (i < t.m) t.setFingers(p, i, Math.min(i + length, t.m) - 1, owner);
            i += length;
          }
          if (i < t.m) t.setFingers(p, i, t.m - 1, runs[runs.length - 1]![0]);
          t.fingersChanged(p);
        }
        const target = new Uint32Array(W);
        const check = () => {
          for (const [c, low, ownId] of targets) {
            if (ownId) target.set(t.ids.subarray((c % PEERS) * W, (c % PEERS) * W + W));
            else write(target, 0, c, low);
            for (let p = 0; p < 3; p++) expect(t.candidates(p, target, 0, max)).toEqual(candidatesByIds(t, p, target, max));
          }
        };
        check();
        for (const [p, from, to, owner] of changes) {
          if (owner < 0) t.forget(p, -owner - 1);
          else t.setFingers(p, Math.min(from, t.m - 1), Math.min(to, t.m - 1), owner);
          check();
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("ChordTables' fingers", () => {
  it("read back as a plain array of m fingers would, through writes, forgetting and resets (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8, 48, 49, 64, 128, 160),
        fc.array(
          fc.oneof(
            fc.tuple(fc.constant("set" as const), fc.nat({ max: 2 }), fc.nat({ max: 159 }), fc.nat({ max: 159 }), fc.integer({ min: -1, max: 5 })),
            fc.tuple(fc.constant("forget" as const), fc.nat({ max: 2 }), fc.integer({ min: 0, max: 5 })),
            fc.tuple(fc.constant("reset" as const), fc.nat({ max: 2 })),
          ),
          { maxLength: 60 },
        ),
        (bits, ops) => {
          const t = new ChordTables(new IdSpace(bits), 2, 3);
          const m = t.m;
          const model = Array.from({ length: 3 }, () => new Array<number>(m).fill(-1));
          for (const op of ops) {
            if (op[0] === "set") {
              const [, p, a, b, owner] = op;
              const from = Math.min(a, m - 1);
              const to = Math.min(b, m - 1);
              t.setFingers(p, from, to, owner);
              for (let i = from; i <= to; i++) model[p]![i] = owner;
            } else if (op[0] === "forget") {
              const [, p, gone] = op;
              t.forget(p, gone);
              model[p] = model[p]!.map((f) => (f === gone ? -1 : f));
            } else {
              t.reset(op[1]);
              model[op[1]]!.fill(-1);
            }
            for (let p = 0; p < 3; p++) expect(Array.from({ length: m }, (_, i) => t.finger(p, i))).toEqual(model[p]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
