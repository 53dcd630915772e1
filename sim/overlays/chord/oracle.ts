import type { PeerId } from "../../peers/population.js";
import { approxOf, type ChordTables } from "./tables.js";

/**
 * The oracle's finger tables: for every node of the ring, in ring order,
 * finger i is the owner of id + 2^i, the first node whose id is at least
 * that, wrapping round (what TrueRing.fingersOf finds for one node).
 *
 * One sweep instead of a search per finger: as the node moves along the
 * ring, the start of its finger i moves forward with it, and so does the
 * start's owner. So each finger's owner is found from where the previous
 * node's was, a step or two on (an exponential search, for the rare long
 * gap), rather than by a search of the whole ring. Positions are counted on
 * the ring laid out twice, the second lap's ids raised by 2^m, so that the
 * owners stay in order across the wrap: position P is node ring[P mod n].
 * Like fingersOf, the fingers a node's owner also covers (those whose start
 * still lies before it) are filled in without a search.
 *
 * `keys` holds the approximations of the ring's ids in ring order
 * (TrueRing.onlineKeys), so the sweep reads them side by side.
 *
 * Hands each node's fingers to `write` as runs: fingers from..to of `node`
 * are `owner`, from finger 0 up, node after node in ring order.
 */
export function fingersFromRing(t: ChordTables, ring: ArrayLike<PeerId>, keys: Float64Array, write: (node: PeerId, from: number, to: number, owner: PeerId) => void): void {
  const n = ring.length;
  const { ids, W, m, space } = t;
  if (n === 0) return;
  // hint[i]: where the previous node's finger i was found (a lower bound for this node's).
  const hint = new Int32Array(m);
  // The start of the finger being found: its exact words (made when needed), its approximation and its lap.
  const target = new Uint32Array(W);
  let targetMade = false;
  let nw = 0;
  let i = 0;
  // An approximation is the id over 2^low (ChordTables.approx), so for i ≥ low adding 2^i to an id adds
  // 2^(i − low) to its approximation, exactly: the start's approximation needs no words.
  const low = 32 * (W - 1) - 21;
  const modulus = 2 ** (space.bits - low);
  // step[i] = 2^(i − low), looked up rather than raised to a power on every finger.
  const step = Float64Array.from({ length: m }, (_, i) => (i >= low ? 2 ** (i - low) : 0));
  for (let at = 0; at < n; at++) {
    const node = ring[at]!;
    nw = node * W;
    const xA = keys[at]!;
    i = 0;
    while (i < m) {
      let P: number;
      targetMade = false;
      if (i === 0 && at + 1 < n && keys[at + 1]! > xA) {
        // Finger 0 starts at id + 1, and the next node's approximation is above the node's: the next node
        // owns it (nodes before it have ids ≤ the node's; the start did not wrap, as a higher id exists).
        // Settled without reading the node's id words, far away in memory.
        P = at + 1;
      } else {
        let lap: number;
        let tA: number;
        if (i >= low) {
          tA = xA + step[i]!;
          // The start lies on the second lap when adding 2^i wrapped past zero.
          lap = tA >= modulus ? 1 : 0;
          if (lap === 1) tA -= modulus;
        } else {
          makeTarget();
          lap = space.cmp(target, 0, ids, nw) < 0 ? 1 : 0;
          tA = approxOf(target, 0, W);
        }
        P = Math.max(hint[i]!, at + 1);
        if (before(P, lap, tA)) {
          // Gallop forward, then search between the last position before the start and the first past it.
          let stride = 1;
          let lo = P;
          let hi = Math.min(P + stride, 2 * n);
          while (hi < 2 * n && before(hi, lap, tA)) {
            lo = hi;
            stride *= 2;
            hi = Math.min(hi + stride, 2 * n);
          }
          // before(lo), and hi = 2n or not before(hi): the answer is in (lo, hi].
          while (hi - lo > 1) {
            const mid = (lo + hi) >>> 1;
            if (before(mid, lap, tA)) lo = mid;
            else hi = mid;
          }
          P = hi;
        }
      }
      const q = P >= n ? P - n : P;
      const owner = ring[q]!;
      // The node itself: every finger from here on is the node (fingersOf's rule). Else the owner also
      // owns the starts up to the top bit of its distance (from the approximations when they settle it,
      // which spares reading the owner's id, far away in memory).
      let top = m - 1;
      if (owner !== node) {
        let d = W > 1 ? t.approxDistanceLog2(keys[at]!, keys[q]!) : -2;
        if (d === -2) d = space.distanceLog2(ids, nw, ids, owner * W);
        top = Math.max(i, Math.min(d, m - 1));
      }
      write(node, i, top, owner);
      // A hint of the next node's position is no hint: the next node starts its searches past itself anyway,
      // so the successor's long run of fingers (most of the m) is not copied into the hints.
      if (P > at + 1) for (let j = i; j <= top; j++) hint[j] = P;
      i = top + 1;
    }
  }

  /** Whether position P of the doubled ring lies before the start (on lap `lap`, approximation tA, words in `target`). */
  function before(P: number, lap: number, tA: number): boolean {
    const pLap = P >= n ? 1 : 0;
    if (pLap !== lap) return pLap < lap;
    const q = P - pLap * n;
    const a = keys[q]!;
    if (a !== tA) return a < tA;
    makeTarget();
    return space.cmp(ids, ring[q]! * W, target, 0) < 0;
  }

  /** Writes the start of finger i of the node at nw (id + 2^i) to `target`, unless it is there. */
  function makeTarget(): void {
    if (targetMade) return;
    space.addPow2(ids, nw, i, target, 0);
    targetMade = true;
  }
}
