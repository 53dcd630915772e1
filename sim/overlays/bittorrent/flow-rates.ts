/**
 * Max-min fair rates for flows that each cross two links: the uplink of
 * their uploader and the downlink of their downloader (the access-link
 * model of network.bandwidth, where the core never limits). Progressive
 * filling (Bertsekas & Gallager, Data Networks, §6.5.2): the link whose
 * capacity left, shared equally among its flows not yet fixed, is smallest
 * is a bottleneck; its flows get that share and are fixed, and the other
 * link of each loses what it took. Fixing flows only raises the share left
 * at the other links, so a heap whose stale entries are skipped finds each
 * next bottleneck: O(F log L) for F flows and L links, one pass per solve.
 *
 * Links are numbered: uplink of peer p is p, its downlink is `peers + p`.
 * A link of capacity Infinity never limits; a flow whose two links are both
 * unlimited gets Infinity.
 */
export class FlowRates {
  private capacityLeft = new Float64Array(0);
  private unfixed = new Int32Array(0);
  private version = new Int32Array(0);
  /** Flows of each link, CSR: flows of link l are byLink[start[l] .. start[l + 1]). */
  private start = new Int32Array(0);
  private byLink = new Int32Array(0);
  private fixed = new Uint8Array(0);
  private heap = new MinHeap();

  /**
   * Fills `rate[f]` for flows 0 .. count − 1, flow f going from peer `up[f]` to peer `down[f]`,
   * with `upCapacity[p]` and `downCapacity[p]` in any unit of rate (the rates come out in it).
   */
  solve(
    count: number,
    up: Int32Array,
    down: Int32Array,
    peers: number,
    upCapacity: Float64Array,
    downCapacity: Float64Array,
    rate: Float64Array,
  ): void {
    const links = 2 * peers;
    this.size(links, count);
    const { capacityLeft, unfixed, version, start, byLink, fixed, heap } = this;
    unfixed.fill(0, 0, links);
    for (let f = 0; f < count; f++) {
      unfixed[up[f]!]!++;
      unfixed[peers + down[f]!]!++;
    }
    // Counting sort of the flows by link.
    let at = 0;
    for (let l = 0; l < links; l++) {
      start[l] = at;
      at += unfixed[l]!;
    }
    start[links] = at;
    const next = version; // borrowed as the fill cursor, reset below
    next.set(start.subarray(0, links));
    for (let f = 0; f < count; f++) {
      byLink[next[up[f]!]!++] = f;
      byLink[next[peers + down[f]!]!++] = f;
    }
    version.fill(0, 0, links);
    fixed.fill(0, 0, count);
    heap.clear();
    for (let p = 0; p < peers; p++) {
      capacityLeft[p] = upCapacity[p]!;
      capacityLeft[peers + p] = downCapacity[p]!;
    }
    for (let l = 0; l < links; l++) {
      if (unfixed[l]! > 0 && Number.isFinite(capacityLeft[l]!)) heap.push(capacityLeft[l]! / unfixed[l]!, l, 0);
    }
    while (heap.length > 0) {
      const l = heap.topLink();
      const stamp = heap.topVersion();
      heap.pop();
      if (stamp !== version[l] || unfixed[l] === 0) continue;
      const share = Math.max(0, capacityLeft[l]! / unfixed[l]!);
      unfixed[l] = 0;
      for (let i = start[l]!; i < start[l + 1]!; i++) {
        const f = byLink[i]!;
        if (fixed[f] === 1) continue;
        fixed[f] = 1;
        rate[f] = share;
        const other = l < peers ? peers + down[f]! : up[f]!;
        capacityLeft[other] = capacityLeft[other]! - share;
        if (--unfixed[other]! > 0 && Number.isFinite(capacityLeft[other]!)) heap.push(Math.max(0, capacityLeft[other]!) / unfixed[other]!, other, ++version[other]!);
      }
    }
    // Flows no finite link limits.
    for (let f = 0; f < count; f++) if (fixed[f] === 0) rate[f] = Infinity;
  }

  private size(links: number, flows: number): void {
    if (this.capacityLeft.length < links) {
      const n = Math.max(links, 2 * this.capacityLeft.length);
      this.capacityLeft = new Float64Array(n);
      this.unfixed = new Int32Array(n);
      this.version = new Int32Array(n);
      this.start = new Int32Array(n + 1);
    }
    if (this.fixed.length < flows) {
      const n = Math.max(flows, 2 * this.fixed.length);
      this.fixed = new Uint8Array(n);
      this.byLink = new Int32Array(2 * n);
    }
  }
}

/** A binary min-heap of (key, link, version) with ties broken by link number, so the order is deterministic. */
class MinHeap {
  private keys = new Float64Array(64);
  private links = new Int32Array(64);
  private versions = new Int32Array(64);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  topLink(): number {
    return this.links[0]!;
  }

  topVersion(): number {
    return this.versions[0]!;
  }

  private less(i: number, j: number): boolean {
    const a = this.keys[i]!;
    const b = this.keys[j]!;
    return a < b || (a === b && this.links[i]! < this.links[j]!);
  }

  private swap(i: number, j: number): void {
    const k = this.keys[i]!;
    this.keys[i] = this.keys[j]!;
    this.keys[j] = k;
    const l = this.links[i]!;
    this.links[i] = this.links[j]!;
    this.links[j] = l;
    const v = this.versions[i]!;
    this.versions[i] = this.versions[j]!;
    this.versions[j] = v;
  }

  push(key: number, link: number, version: number): void {
    if (this.length === this.keys.length) {
      const keys = new Float64Array(2 * this.length);
      keys.set(this.keys);
      this.keys = keys;
      const links = new Int32Array(2 * this.length);
      links.set(this.links);
      this.links = links;
      const versions = new Int32Array(2 * this.length);
      versions.set(this.versions);
      this.versions = versions;
    }
    let i = this.length++;
    this.keys[i] = key;
    this.links[i] = link;
    this.versions[i] = version;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): void {
    const last = --this.length;
    if (last === 0) return;
    this.keys[0] = this.keys[last]!;
    this.links[0] = this.links[last]!;
    this.versions[0] = this.versions[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const m = r < last && this.less(r, l) ? r : l;
      if (!this.less(m, i)) break;
      this.swap(i, m);
      i = m;
    }
  }
}
