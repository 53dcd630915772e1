import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KadIds } from "../../../sim/overlays/kademlia/ids.js";
import { ANSWERED, FAILED, Lookup, newShortlistBuffers, PENDING, UNQUERIED } from "../../../sim/overlays/kademlia/lookup.js";

/**
 * The shortlist as it was kept before entries got numbers and a sorted
 * order: parallel plain arrays in distance order, a newcomer placed by a
 * walk from the far end, the farthest unqueried entry dropped past
 * `keepUnqueried`.
 */
class ReferenceShortlist {
  peers: number[] = [];
  state: number[] = [];
  depth: number[] = [];
  unqueried = 0;
  private readonly known = new Set<number>();

  constructor(
    private readonly ids: KadIds,
    private readonly target: Uint32Array,
    private readonly origin: number,
  ) {}

  offer(peer: number, depth: number, keepUnqueried: number): void {
    if (peer === this.origin || this.known.has(peer)) return;
    this.known.add(peer);
    let at = this.peers.length;
    let unqueriedBeyond = false;
    while (at > 0 && this.ids.cmpPeerDistance(this.target, 0, this.peers[at - 1]!, peer) > 0) {
      at--;
      if (this.state[at] === UNQUERIED) unqueriedBeyond = true;
    }
    if (!unqueriedBeyond && this.unqueried >= keepUnqueried) return;
    this.peers.splice(at, 0, peer);
    this.state.splice(at, 0, UNQUERIED);
    this.depth.splice(at, 0, Math.min(depth, 255));
    if (++this.unqueried > keepUnqueried) {
      const j = this.state.lastIndexOf(UNQUERIED);
      this.peers.splice(j, 1);
      this.state.splice(j, 1);
      this.depth.splice(j, 1);
      this.unqueried--;
    }
  }
}

/** Extends the settled head over the answered and failed entries after it, as the engine's advance does. */
function settle(lookup: Lookup): void {
  let i = lookup.settled;
  for (; i < lookup.len; i++) {
    const st = lookup.state[lookup.order[i]!];
    if (st === ANSWERED) lookup.settledAnswered++;
    else if (st !== FAILED) break;
  }
  lookup.settled = i;
}

describe("lookup shortlist", () => {
  // 8-bit ids over 300 peers: many peers share an id, so ties in distance are exercised too.
  const setting = fc.record({
    bits: fc.constantFrom(8, 40, 256),
    origin: fc.integer({ min: 0, max: 299 }),
    target: fc.integer({ min: 0, max: 1000 }),
    keep: fc.integer({ min: 1, max: 12 }),
    ops: fc.array(
      fc.oneof(
        fc.record({ offer: fc.integer({ min: 0, max: 299 }), depth: fc.integer({ min: 1, max: 300 }) }),
        fc.record({ at: fc.nat(), to: fc.constantFrom(ANSWERED, FAILED) }),
      ),
      { maxLength: 400 },
    ),
  });

  it("orders, drops and finds entries as the plain sorted list did, whatever the offers and state changes (property)", () => {
    fc.assert(
      fc.property(setting, ({ bits, origin, target, keep, ops }) => {
        const ids = new KadIds(bits, 300);
        const t = new Uint32Array(ids.W);
        ids.keyId(target, t, 0);
        const lookup = new Lookup(origin, "node", t, -1, -1, () => {});
        lookup.attach(newShortlistBuffers());
        const ref = new ReferenceShortlist(ids, t, origin);
        for (const op of ops) {
          if ("offer" in op) {
            lookup.offer(op.offer, op.depth, ids, keep);
            ref.offer(op.offer, op.depth, keep);
          } else if (ref.peers.length > 0) {
            // What the engine does to an entry: query it (pending), then an answer or a failure
            // (a tampered value's holder fails before anything reads its answer). States never go back.
            const i = op.at % ref.peers.length;
            const e = lookup.order[i]!;
            const from = ref.state[i]!;
            const to = from === UNQUERIED ? PENDING : from === PENDING ? op.to : from;
            if (from === UNQUERIED) {
              ref.unqueried--;
              lookup.unqueried--;
            }
            ref.state[i] = to;
            lookup.state[e] = to;
            // The engine's advance settles the head of the list; here, every few changes.
            if (op.at % 3 === 0) settle(lookup);
          }
          const order = Array.from(lookup.order.subarray(0, lookup.len));
          expect(order.map((e) => lookup.peers[e])).toEqual(ref.peers);
          expect(order.map((e) => lookup.state[e])).toEqual(ref.state);
          expect(order.map((e) => lookup.depth[e])).toEqual(ref.depth);
          expect(lookup.unqueried).toBe(ref.unqueried);
          // The settled head: answered or failed entries only, and the count of the answered ones.
          const head = order.slice(0, lookup.settled).map((e) => lookup.state[e]);
          expect(head.every((st) => st === ANSWERED || st === FAILED)).toBe(true);
          expect(lookup.settledAnswered).toBe(head.filter((st) => st === ANSWERED).length);
        }
        for (let p = 0; p < 300; p++) {
          const i = ref.peers.indexOf(p);
          const e = lookup.indexOf(p);
          expect(e < 0 ? -1 : lookup.peers[e]).toBe(i < 0 ? -1 : p);
        }
        const live = ref.peers.find((_, i) => ref.state[i] !== FAILED) ?? -1;
        expect(lookup.closestLive()).toBe(live);
        const answered: number[] = [];
        for (let i = 0; i < ref.peers.length && answered.length < keep; i++) {
          if (ref.state[i] === ANSWERED) answered.push(ref.peers[i]!);
          else if (ref.state[i] !== FAILED) break;
        }
        expect(lookup.closestAnswered(keep)).toEqual(answered);
      }),
      { numRuns: 300 },
    );
  });
});
