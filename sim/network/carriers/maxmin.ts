import type { Flows, RatePolicy } from "./flows.js";
import { grownInt32 } from "../../collections/grow.js";

/**
 * `maxmin`: max-min fair rates over every transfer's sender uplink and
 * receiver downlink, by progressive filling (Bertsekas & Gallager, Data
 * Networks, §6.5.2): raise all rates together; when a link fills, its
 * transfers are frozen at that rate; go on with the rest.
 *
 * Only the part of the network a change can reach is solved again. The
 * solve starts from the links that changed ("open" links: every transfer on
 * them is re-rated); the other links those transfers cross are the boundary,
 * where transfers outside keep their rates and take their share of the
 * capacity off the top. The result is then checked against the definition
 * of max-min fairness — every transfer has a full link on which no transfer
 * gets more — and a boundary link is opened when
 *   - a re-rated transfer finds no such link except at that boundary link, or
 *   - the link was full and a re-rated transfer on it changed its rate (the
 *     transfers outside that were limited there may now get more or less).
 * With nothing left to open, the rates are the max-min fair allocation of the
 * whole network: feasible, and every transfer has its bottleneck. In a swarm
 * where uplinks are the bottleneck, a transfer ending re-rates its sender's
 * few transfers instead of the whole connected network.
 *
 * Transfers whose rate comes out the same keep their scheduled completion
 * (Flows.setRate). The arithmetic does not depend on the order transfers
 * are found in: links fill in heap order, a total order on (fair share,
 * link number), and a filled link subtracts the same share from each of its
 * transfers' other links, so the result is the same whatever the lists'
 * order — a fresh solve of the same transfers is bit-identical. Link l is
 * peer l>>1's uplink (l even) or downlink (l odd).
 */

/** Relative slack when deciding that a link is full or a rate is the largest on a link. */
const TOLERANCE = 1e-9;

export class MaxMin implements RatePolicy {
  readonly name = "maxmin";
  /** Transfers re-rated, summed over solves (mean component size = this / solves). */
  componentFlows = 0;
  /** Times a boundary link had to be opened. */
  expansions = 0;
  private linkMark = new Uint32Array(0);
  private openMark = new Uint32Array(0);
  /** Per link: the solve pass (`mark`) in which a re-rated transfer on it changed rate, and in which it was measured. */
  private changedMark = new Uint32Array(0);
  private measuredMark = new Uint32Array(0);
  /** Per boundary link: its capacity net of the transfers outside, the solve (`openEpoch`) it was summed in, and how many transfers were inside then. */
  private boundaryCapacity = new Float64Array(0);
  private boundaryEpoch = new Uint32Array(0);
  private boundaryInside = new Int32Array(0);
  private flowMark = new Uint32Array(0);
  private mark = 0;
  private openEpoch = 0;
  private capacity = new Float64Array(0);
  private remaining = new Float64Array(0);
  private unfrozen = new Int32Array(0);
  private loadAfter = new Float64Array(0);
  private maxAfter = new Float64Array(0);
  private newRate = new Float64Array(0);
  private openList = new Int32Array(256);
  private nOpen = 0;
  private compList = new Int32Array(256);
  private nComp = 0;
  private touchedList = new Int32Array(256);
  private nTouched = 0;
  private heapKey = new Float64Array(1024);
  private heapLink = new Int32Array(1024);
  private heapSize = 0;

  solve(flows: Flows, ups: Int32Array, nUp: number, downs: Int32Array, nDown: number): void {
    this.ensure(flows);
    this.openEpoch++;
    this.nOpen = 0;
    for (let i = 0; i < nUp; i++) this.openLink(2 * ups[i]!);
    for (let i = 0; i < nDown; i++) this.openLink(2 * downs[i]! + 1);
    for (;;) {
      this.solveOpen(flows);
      const before = this.nOpen;
      this.check(flows);
      if (this.nOpen === before) break;
      this.expansions += this.nOpen - before;
    }
    const comp = this.compList;
    for (let i = 0; i < this.nComp; i++) flows.setRate(comp[i]!, this.newRate[comp[i]!]!);
    this.componentFlows += this.nComp;
    flows.solvedFlows += this.nComp;
  }

  private openLink(link: number): void {
    if (this.openMark[link] === this.openEpoch) return;
    this.openMark[link] = this.openEpoch;
    if (this.nOpen >= this.openList.length) this.openList = grownInt32(this.openList, this.openList.length * 2);
    this.openList[this.nOpen++] = link;
  }

  private touch(flows: Flows, link: number): void {
    if (this.linkMark[link] === this.mark) return;
    this.linkMark[link] = this.mark;
    if (this.nTouched >= this.touchedList.length) this.touchedList = grownInt32(this.touchedList, this.touchedList.length * 2);
    this.touchedList[this.nTouched++] = link;
    this.capacity[link] = link & 1 ? flows.down(link >> 1) : flows.up(link >> 1);
    this.unfrozen[link] = 0;
  }

  /** Progressive filling of the transfers on open links, with boundary links' capacity net of the transfers outside. */
  private solveOpen(flows: Flows): void {
    const mark = ++this.mark;
    const open = this.openList;
    const nOpen = this.nOpen;
    const lists = flows.linkFlows;
    const from = flows.from;
    const to = flows.to;
    this.nComp = 0;
    this.nTouched = 0;
    for (let i = 0; i < nOpen; i++) {
      const link = open[i]!;
      this.touch(flows, link);
      const list = lists[link];
      if (!list) continue;
      for (let j = 0; j < list.length; j++) {
        const f = list[j]!;
        if (this.flowMark[f] === mark) continue;
        this.flowMark[f] = mark;
        if (this.nComp >= this.compList.length) this.compList = grownInt32(this.compList, this.compList.length * 2);
        this.compList[this.nComp++] = f;
      }
    }
    const comp = this.compList;
    const nComp = this.nComp;
    for (let i = 0; i < nComp; i++) {
      const f = comp[i]!;
      const up = 2 * from[f]!;
      const down = 2 * to[f]! + 1;
      this.touch(flows, up);
      this.touch(flows, down);
      this.unfrozen[up]!++;
      this.unfrozen[down]!++;
      this.newRate[f] = Infinity;
    }
    const touched = this.touchedList;
    const nTouched = this.nTouched;
    const flowMark = this.flowMark;
    const newRate = this.newRate;
    const remaining = this.remaining;
    const unfrozen = this.unfrozen;
    const capacities = this.capacity;
    const openMark = this.openMark;
    const openEpoch = this.openEpoch;
    const rate = flows.rate;
    const boundaryEpoch = this.boundaryEpoch;
    const boundaryInside = this.boundaryInside;
    const boundaryCapacity = this.boundaryCapacity;
    this.heapSize = 0;
    for (let i = 0; i < nTouched; i++) {
      const link = touched[i]!;
      let capacity = capacities[link]!;
      const count = unfrozen[link]!;
      if (openMark[link] !== openEpoch && capacity !== Infinity) {
        // A boundary link: the transfers outside keep their rates. Within one solve the rates
        // do not change and the component only grows, so when as many of the link's transfers
        // are inside as in an earlier pass, the same ones are outside: reuse that pass's sum.
        if (boundaryEpoch[link] === openEpoch && boundaryInside[link] === count) capacity = boundaryCapacity[link]!;
        else {
          const list = lists[link]!;
          for (let j = 0; j < list.length; j++) {
            const g = list[j]!;
            if (flowMark[g] !== mark) capacity -= rate[g]!;
          }
          boundaryEpoch[link] = openEpoch;
          boundaryInside[link] = count;
          boundaryCapacity[link] = capacity;
        }
      }
      remaining[link] = capacity;
      if (count > 0 && capacity !== Infinity) this.heapPush(Math.max(0, capacity) / count, link);
    }
    while (this.heapSize > 0) {
      const key = this.heapKey[0]!;
      const link = this.heapLink[0]!;
      this.heapPop();
      const count = unfrozen[link]!;
      if (count === 0) continue;
      const fair = Math.max(0, remaining[link]!) / count;
      if (fair > key) {
        this.heapPush(fair, link); // its share grew since it was queued
        continue;
      }
      // `link` is a bottleneck: freeze its `count` unfrozen transfers at `fair`, in transfer order
      // (each transfer's other link is of the other kind, so never `link` itself).
      const list = lists[link]!;
      const downlink = (link & 1) === 1;
      let left = count;
      for (let j = 0; left > 0; j++) {
        const f = list[j]!;
        if (flowMark[f] !== mark || newRate[f] !== Infinity) continue;
        newRate[f] = fair;
        left--;
        const other = downlink ? 2 * from[f]! : 2 * to[f]! + 1;
        remaining[other] = remaining[other]! - fair;
        unfrozen[other] = unfrozen[other]! - 1;
      }
      unfrozen[link] = 0;
    }
    // A rate that moved by rounding only stays as it was: otherwise last-bit noise on every
    // boundary link would count as a change and open the whole network, and every
    // completion would be rescheduled for nothing.
    for (let i = 0; i < nComp; i++) {
      const f = comp[i]!;
      const old = rate[f]!;
      const r = newRate[f]!;
      if (old > 0 && old !== Infinity && r !== old && Math.abs(r - old) <= TOLERANCE * old) newRate[f] = old;
    }
  }

  /**
   * Opens the boundary links the solution cannot be trusted at (see the class comment).
   * A link's load and largest rate after the solve are worked out only when asked
   * (`measure`): a transfer bottlenecked at its uplink never asks about its downlink.
   * Links are opened in the same order as if every link were measured up front.
   */
  private check(flows: Flows): void {
    const mark = this.mark;
    const comp = this.compList;
    const nComp = this.nComp;
    const from = flows.from;
    const to = flows.to;
    const rate = flows.rate;
    const newRate = this.newRate;
    // The links a re-rated transfer whose rate changed crosses.
    const changedMark = this.changedMark;
    for (let i = 0; i < nComp; i++) {
      const f = comp[i]!;
      if (newRate[f] === rate[f]) continue;
      changedMark[2 * from[f]!] = mark;
      changedMark[2 * to[f]! + 1] = mark;
    }
    // A full boundary link on which a re-rated transfer changed: the transfers outside may now get more or less.
    const touched = this.touchedList;
    const nTouched = this.nTouched;
    for (let i = 0; i < nTouched; i++) {
      const link = touched[i]!;
      if (changedMark[link] !== mark || this.openMark[link] === this.openEpoch) continue;
      if (this.full(link, this.measure(flows, link))) this.openLink(link);
    }
    for (let i = 0; i < nComp; i++) {
      const f = comp[i]!;
      const r = newRate[f]!;
      if (r === Infinity) continue;
      const up = 2 * from[f]!;
      const down = 2 * to[f]! + 1;
      if (this.bottleneck(flows, up, r) || this.bottleneck(flows, down, r)) continue;
      this.openLink(up);
      this.openLink(down);
    }
  }

  /**
   * Sums `link`'s load after the solve and finds its largest rate (kept for `bottleneck`);
   * returns its load before the solve. Index loops over the lists in place: a subarray
   * view per check was garbage on every solve.
   */
  private measure(flows: Flows, link: number): number {
    const mark = this.mark;
    const flowMark = this.flowMark;
    const newRate = this.newRate;
    const rate = flows.rate;
    const list = flows.linkFlows[link]!;
    let load = 0;
    let max = 0;
    let before = 0;
    for (let j = 0; j < list.length; j++) {
      const f = list[j]!;
      const old = rate[f]!;
      const r = flowMark[f] === mark ? newRate[f]! : old;
      load += r;
      if (r > max) max = r;
      before += old;
    }
    this.loadAfter[link] = load;
    this.maxAfter[link] = max;
    this.measuredMark[link] = mark;
    return before;
  }

  private full(link: number, load: number): boolean {
    const capacity = this.capacity[link]!;
    return capacity !== Infinity && load >= capacity * (1 - TOLERANCE);
  }

  /** `link` is full and no transfer on it gets more than `rate`. */
  private bottleneck(flows: Flows, link: number, rate: number): boolean {
    if (this.measuredMark[link] !== this.mark) this.measure(flows, link);
    return this.full(link, this.loadAfter[link]!) && rate >= this.maxAfter[link]! * (1 - TOLERANCE);
  }

  private ensure(flows: Flows): void {
    const nLinks = 2 * Math.max(flows.upFlows.length, flows.downFlows.length) + 2;
    if (this.linkMark.length < nLinks) {
      const size = Math.max(nLinks, this.linkMark.length * 2);
      const keep = (a: Uint32Array) => {
        const b = new Uint32Array(size);
        b.set(a);
        return b;
      };
      this.linkMark = keep(this.linkMark);
      this.openMark = keep(this.openMark);
      this.changedMark = keep(this.changedMark);
      this.measuredMark = keep(this.measuredMark);
      this.boundaryEpoch = keep(this.boundaryEpoch);
      this.boundaryInside = new Int32Array(size);
      this.boundaryCapacity = new Float64Array(size);
      this.capacity = new Float64Array(size);
      this.remaining = new Float64Array(size);
      this.unfrozen = new Int32Array(size);
      this.loadAfter = new Float64Array(size);
      this.maxAfter = new Float64Array(size);
    }
    const nFlows = flows.slotCount;
    if (this.flowMark.length < nFlows) {
      const size = Math.max(nFlows, this.flowMark.length * 2);
      const marks = new Uint32Array(size);
      marks.set(this.flowMark);
      this.flowMark = marks;
      this.newRate = new Float64Array(size);
    }
  }

  /** Min-heap on (share, link): ties go to the lower link number. */
  private heapPush(key: number, link: number): void {
    if (this.heapSize >= this.heapKey.length) {
      const keys = new Float64Array(this.heapKey.length * 2);
      keys.set(this.heapKey);
      this.heapKey = keys;
      const ids = new Int32Array(this.heapLink.length * 2);
      ids.set(this.heapLink);
      this.heapLink = ids;
    }
    let i = this.heapSize++;
    const keys = this.heapKey;
    const ids = this.heapLink;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! < key || (keys[parent] === key && ids[parent]! < link)) break;
      keys[i] = keys[parent]!;
      ids[i] = ids[parent]!;
      i = parent;
    }
    keys[i] = key;
    ids[i] = link;
  }

  private heapPop(): void {
    const n = --this.heapSize;
    if (n === 0) return;
    const keys = this.heapKey;
    const ids = this.heapLink;
    const key = keys[n]!;
    const link = ids[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (keys[right]! < keys[child]! || (keys[right] === keys[child] && ids[right]! < ids[child]!))) child = right;
      if (key < keys[child]! || (key === keys[child] && link < ids[child]!)) break;
      keys[i] = keys[child]!;
      ids[i] = ids[child]!;
      i = child;
    }
    keys[i] = key;
    ids[i] = link;
  }
}
