import { grownInt32 } from "../../../sim/collections/grow.js";
import type { Flows, RatePolicy } from "../../../sim/network/carriers/flows.js";

/**
 * The max-min solver as it was before its passes were made cheaper (lazy link
 * measures in the check, boundary sums reused between passes of one solve):
 * kept as the plain reference the optimised MaxMin must match bit for bit
 * (maxmin-reference.test.ts). Not used by the simulator.
 *
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

export class ReferenceMaxMin implements RatePolicy {
  readonly name = "maxmin";
  /** Transfers re-rated, summed over solves (mean component size = this / solves). */
  componentFlows = 0;
  /** Times a boundary link had to be opened. */
  expansions = 0;
  private linkMark = new Uint32Array(0);
  private openMark = new Uint32Array(0);
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
    this.nComp = 0;
    this.nTouched = 0;
    for (let i = 0; i < nOpen; i++) {
      const link = open[i]!;
      this.touch(flows, link);
      const list = listOf(flows, link);
      if (!list) continue;
      for (const f of list) {
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
      const up = 2 * flows.from[f]!;
      const down = 2 * flows.to[f]! + 1;
      this.touch(flows, up);
      this.touch(flows, down);
      this.unfrozen[up]!++;
      this.unfrozen[down]!++;
      this.newRate[f] = Infinity;
    }
    const touched = this.touchedList;
    const nTouched = this.nTouched;
    this.heapSize = 0;
    for (let i = 0; i < nTouched; i++) {
      const link = touched[i]!;
      let capacity = this.capacity[link]!;
      if (this.openMark[link] !== this.openEpoch && capacity !== Infinity) {
        // A boundary link: the transfers outside keep their rates.
        for (const g of listOf(flows, link)!) if (this.flowMark[g] !== mark) capacity -= flows.rate[g]!;
      }
      this.remaining[link] = capacity;
      const count = this.unfrozen[link]!;
      if (count > 0 && capacity !== Infinity) this.heapPush(Math.max(0, capacity) / count, link);
    }
    const flowMark = this.flowMark;
    const newRate = this.newRate;
    const remaining = this.remaining;
    const unfrozen = this.unfrozen;
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
      const list = listOf(flows, link)!;
      const downlink = (link & 1) === 1;
      let left = count;
      for (let j = 0; left > 0; j++) {
        const f = list[j]!;
        if (flowMark[f] !== mark || newRate[f] !== Infinity) continue;
        newRate[f] = fair;
        left--;
        const other = downlink ? 2 * flows.from[f]! : 2 * flows.to[f]! + 1;
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
      const old = flows.rate[f]!;
      const rate = this.newRate[f]!;
      if (old > 0 && old !== Infinity && rate !== old && Math.abs(rate - old) <= TOLERANCE * old) this.newRate[f] = old;
    }
  }

  /** Opens the boundary links the solution cannot be trusted at (see the class comment). */
  private check(flows: Flows): void {
    const mark = this.mark;
    // Index loops over the lists in place: a subarray view per check was garbage on every solve.
    // One pass per link: the load and largest rate after the solve, and for a boundary link the
    // load before it and whether a re-rated transfer on it changed. Opening a link here changes
    // only that link's status, so later links see what they would in separate passes.
    const touched = this.touchedList;
    const nTouched = this.nTouched;
    const flowMark = this.flowMark;
    const newRate = this.newRate;
    const rate = flows.rate;
    for (let i = 0; i < nTouched; i++) {
      const link = touched[i]!;
      const boundary = this.openMark[link] !== this.openEpoch;
      let load = 0;
      let max = 0;
      let before = 0;
      let changed = false;
      for (const f of listOf(flows, link)!) {
        const old = rate[f]!;
        let r = old;
        if (flowMark[f] === mark) {
          r = newRate[f]!;
          if (r !== old) changed = true;
        }
        load += r;
        if (r > max) max = r;
        before += old;
      }
      this.loadAfter[link] = load;
      this.maxAfter[link] = max;
      if (boundary && changed && this.full(link, before)) this.openLink(link);
    }
    const comp = this.compList;
    const nComp = this.nComp;
    for (let i = 0; i < nComp; i++) {
      const f = comp[i]!;
      const rate = this.newRate[f]!;
      if (rate === Infinity) continue;
      const up = 2 * flows.from[f]!;
      const down = 2 * flows.to[f]! + 1;
      if (this.bottleneck(up, rate) || this.bottleneck(down, rate)) continue;
      this.openLink(up);
      this.openLink(down);
    }
  }

  private full(link: number, load: number): boolean {
    const capacity = this.capacity[link]!;
    return capacity !== Infinity && load >= capacity * (1 - TOLERANCE);
  }

  /** `link` is full and no transfer on it gets more than `rate`. */
  private bottleneck(link: number, rate: number): boolean {
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

/** The transfers on link `link`. */
function listOf(flows: Flows, link: number): number[] | undefined {
  return (link & 1 ? flows.downFlows : flows.upFlows)[link >> 1];
}
