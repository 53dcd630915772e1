import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WantLedgers } from "../../../sim/overlays/ipfs/want-ledgers.js";

/** What a ledger must behave like: per peer, CID → (wanter → retrieval) in first-asked order. */
class ReferenceLedgers {
  private readonly ledgers = new Map<number, Map<number, Map<number, number>>>();
  want(peer: number, cid: number, wanter: number, lookup: number): void {
    let l = this.ledgers.get(peer);
    if (!l) this.ledgers.set(peer, (l = new Map()));
    let w = l.get(cid);
    if (!w) l.set(cid, (w = new Map()));
    w.set(wanter, lookup);
  }
  cancel(peer: number, cid: number, wanter: number): void {
    const w = this.ledgers.get(peer)?.get(cid);
    w?.delete(wanter);
    if (w && w.size === 0) this.ledgers.get(peer)!.delete(cid);
  }
  take(peer: number, cid: number): [number, number][] {
    const w = this.ledgers.get(peer)?.get(cid);
    this.ledgers.get(peer)?.delete(cid);
    return w ? [...w] : [];
  }
  drop(peer: number): void {
    this.ledgers.delete(peer);
  }
}

function taken(l: WantLedgers, peer: number, cid: number): [number, number][] {
  const n = l.take(peer, cid);
  return Array.from({ length: n }, (_, i) => [l.taken[i]!, l.takenLookups[i]!] as [number, number]);
}

describe("ipfs: want ledgers", () => {
  it("keeps wanters in the order they first asked, updates a repeated want in place, forgets cancelled ones", () => {
    const l = new WantLedgers();
    l.want(0, 100, 5, 1);
    l.want(0, 100, 6, 2);
    l.want(0, 100, 5, 3);
    l.want(0, 101, 7, -1);
    l.cancel(0, 101, 7);
    expect(l.size).toBe(1);
    expect(taken(l, 0, 100)).toEqual([
      [5, 3],
      [6, 2],
    ]);
    expect(taken(l, 0, 100)).toEqual([]);
    expect(l.size).toBe(0);
  });

  it("drops a peer's whole ledger and nobody else's", () => {
    const l = new WantLedgers();
    l.want(1, 100, 5, 1);
    l.want(1, 200, 5, 1);
    l.want(2, 100, 1, 4);
    l.drop(1);
    expect(taken(l, 1, 100)).toEqual([]);
    expect(taken(l, 2, 100)).toEqual([[1, 4]]);
  });

  it("behaves like nested Maps through any sequence of wants, cancels, takes and drops, ledgers walked or indexed (property)", () => {
    const op = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: -1, max: 50 }));
    // A scan limit of 1 or 2 indexes ledgers and empties them again many times over; 16 (the default) never indexes here.
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 600 }), fc.constantFrom(1, 2, 16), (ops, scanLimit) => {
        const l = new WantLedgers(scanLimit);
        const ref = new ReferenceLedgers();
        for (const [kind, peer, cid, wanter, lookup] of ops) {
          if (kind < 5) {
            l.want(peer, cid, wanter, lookup);
            ref.want(peer, cid, wanter, lookup);
          } else if (kind < 8) {
            l.cancel(peer, cid, wanter);
            ref.cancel(peer, cid, wanter);
          } else if (kind === 8) expect(taken(l, peer, cid)).toEqual(ref.take(peer, cid));
          else {
            l.drop(peer);
            ref.drop(peer);
          }
        }
        for (let peer = 0; peer <= 5; peer++) for (let cid = 0; cid <= 6; cid++) expect(taken(l, peer, cid)).toEqual(ref.take(peer, cid));
        expect(l.size).toBe(0);
      }),
    );
  });
});
