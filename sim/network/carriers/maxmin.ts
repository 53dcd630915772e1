import type { Flows, RatePolicy } from "./flows.js";

/**
 * `maxmin`: max-min fair rates over every transfer's sender uplink and
 * receiver downlink, by progressive filling (Bertsekas & Gallager, Data
 * Networks, §6.5.2): raise all rates together; when a link fills, its
 * transfers are frozen at that rate; go on with the rest.
 *
 * Only the part of the network a change can reach is solved again: the
 * connected component (links joined by transfers) of the links that changed.
 * Rates outside it cannot change. Transfers whose rate comes out the same
 * keep their scheduled completion (Flows.setRate).
 *
 * Floating-point order is fixed: the component's transfers and links are
 * sorted by number and a filled link freezes its transfers in that order,
 * so a fresh solve of the same transfers gives bit-identical rates whatever
 * the history. Link l is peer l>>1's uplink (l even) or downlink (l odd).
 */
export class MaxMin implements RatePolicy {
  readonly name = "maxmin";
  /** Transfers solved per solve, summed (mean component size = this / solves). */
  componentFlows = 0;
  private linkEpoch = new Uint32Array(0);
  private flowEpoch = new Uint32Array(0);
  private epoch = 0;
  private remaining = new Float64Array(0);
  private unfrozen = new Int32Array(0);
  private newRate = new Float64Array(0);
  private compFlows = new Int32Array(1024);
  private compLinks = new Int32Array(1024);
  private stack = new Int32Array(1024);
  private heapKey = new Float64Array(1024);
  private heapLink = new Int32Array(1024);
  private heapSize = 0;
  private scratch: number[] = [];

  solve(flows: Flows, ups: Int32Array, nUp: number, downs: Int32Array, nDown: number): void {
    this.ensure(flows);
    const epoch = ++this.epoch;
    let nLinks = 0;
    let nFlows = 0;
    let top = 0;
    const push = (link: number) => {
      if (this.linkEpoch[link] === epoch) return;
      this.linkEpoch[link] = epoch;
      if (top >= this.stack.length) this.stack = grow(this.stack);
      this.stack[top++] = link;
    };
    for (let i = 0; i < nUp; i++) push(2 * ups[i]!);
    for (let i = 0; i < nDown; i++) push(2 * downs[i]! + 1);
    // The component: every link reachable through transfers.
    while (top > 0) {
      const link = this.stack[--top]!;
      if (nLinks >= this.compLinks.length) this.compLinks = grow(this.compLinks);
      this.compLinks[nLinks++] = link;
      const list = (link & 1 ? flows.downFlows : flows.upFlows)[link >> 1];
      if (!list) continue;
      for (const f of list) {
        if (this.flowEpoch[f] === epoch) continue;
        this.flowEpoch[f] = epoch;
        if (nFlows >= this.compFlows.length) this.compFlows = grow(this.compFlows);
        this.compFlows[nFlows++] = f;
        push(link & 1 ? 2 * flows.from[f]! : 2 * flows.to[f]! + 1);
      }
    }
    this.componentFlows += nFlows;
    const links = this.compLinks.subarray(0, nLinks).sort();
    const comp = this.compFlows.subarray(0, nFlows).sort();
    for (let i = 0; i < nFlows; i++) this.newRate[comp[i]!] = Infinity;

    this.heapSize = 0;
    for (let i = 0; i < nLinks; i++) {
      const link = links[i]!;
      const list = (link & 1 ? flows.downFlows : flows.upFlows)[link >> 1];
      const count = list ? list.length : 0;
      const capacity = link & 1 ? flows.down(link >> 1) : flows.up(link >> 1);
      this.remaining[link] = capacity;
      this.unfrozen[link] = count;
      if (count > 0 && capacity !== Infinity) this.heapPush(capacity / count, link);
    }
    const scratch = this.scratch;
    while (this.heapSize > 0) {
      const key = this.heapKey[0]!;
      const link = this.heapLink[0]!;
      this.heapPop();
      const count = this.unfrozen[link]!;
      if (count === 0) continue;
      const fair = Math.max(0, this.remaining[link]!) / count;
      if (fair > key) {
        this.heapPush(fair, link); // its share grew since it was queued
        continue;
      }
      // `link` is a bottleneck: freeze its unfrozen transfers at `fair`, in transfer order.
      scratch.length = 0;
      const list = (link & 1 ? flows.downFlows : flows.upFlows)[link >> 1]!;
      for (const f of list) if (this.newRate[f] === Infinity) scratch.push(f);
      scratch.sort((a, b) => a - b);
      for (const f of scratch) {
        this.newRate[f] = fair;
        const other = link & 1 ? 2 * flows.from[f]! : 2 * flows.to[f]! + 1;
        this.remaining[other] = this.remaining[other]! - fair;
        this.unfrozen[other] = this.unfrozen[other]! - 1;
      }
      this.unfrozen[link] = 0;
    }
    for (let i = 0; i < nFlows; i++) {
      const f = comp[i]!;
      flows.setRate(f, this.newRate[f]!);
    }
    flows.solvedFlows += nFlows;
  }

  private ensure(flows: Flows): void {
    const nLinks = 2 * flows.upFlows.length + 2 * flows.downFlows.length + 2;
    if (this.linkEpoch.length < nLinks) {
      const size = Math.max(nLinks, this.linkEpoch.length * 2);
      const epochs = new Uint32Array(size);
      epochs.set(this.linkEpoch);
      this.linkEpoch = epochs;
      this.remaining = new Float64Array(size);
      this.unfrozen = new Int32Array(size);
    }
    const nFlows = flows.slotCount;
    if (this.flowEpoch.length < nFlows) {
      const size = Math.max(nFlows, this.flowEpoch.length * 2);
      const epochs = new Uint32Array(size);
      epochs.set(this.flowEpoch);
      this.flowEpoch = epochs;
      this.newRate = new Float64Array(size);
    }
  }

  /** Min-heap on (share, link): ties go to the lower link number. */
  private heapPush(key: number, link: number): void {
    if (this.heapSize >= this.heapKey.length) {
      this.heapKey = growF(this.heapKey);
      this.heapLink = grow(this.heapLink);
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

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function growF(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
