/**
 * The simulator's queue of pending events: a ladder queue (Tang, Goh & Thng,
 * "Ladder queue: an O(1) priority queue structure for large-scale discrete
 * event simulation", ACM TOMACS 2005), adapted to typed arrays.
 *
 * Why not a heap: with 100k+ pending events a binary or 4-ary heap spends most
 * of its time on cache misses in the deep levels, O(log n) of them per event.
 * A ladder queue touches O(1) memory per event in the common case: an insert
 * is an append to an unsorted list, and events are only sorted in small
 * batches just before they run.
 *
 * An event is a slot number (owned by the Simulator) with a time. Order is
 * (time, insertion sequence): equal times come out first-in, first-out.
 *
 * The queue has three tiers; every event in a lower tier comes before every
 * event in a higher one.
 *
 *   bottom  The events that run next: a sorted array (`run`) consumed from
 *           the front, plus a small binary heap for events scheduled into the
 *           bottom's time range after it was filled (e.g. delay 0).
 *   rungs   Up to MAX_RUNGS calendars of buckets. A bucket is an unsorted
 *           linked list of slots threaded through `next`. Rung 0 spans the
 *           whole near future; rung r+1 is a finer calendar over the single
 *           rung-r bucket currently being consumed, created when that bucket
 *           held too many events to sort cheaply.
 *   top     The far future (time ≥ topStart): an unsorted array, O(1) append.
 *
 * Inserting event e at time t ("routing"): if t ≥ topStart it goes to top.
 * Otherwise, from the coarsest rung down, it goes into the first rung whose
 * not-yet-consumed buckets cover t, else into the bottom's heap. Each test is
 * "bucket index ≥ next bucket to consume", and the bucket index
 * floor((t - start) / width) never decreases as t grows, so every tier (and
 * every bucket) holds a contiguous range of times, whatever the rounding.
 *
 * Taking events out: pop from the bottom. When the bottom is empty, take the
 * next non-empty bucket of the finest rung; if it holds ≤ SPLIT_THRESHOLD
 * events, or they are already in time order (typical for constant delays),
 * sort it into the bottom; otherwise spread it over a new, finer rung and
 * repeat. A rung with no buckets left is dropped. With no rungs left, the
 * whole top becomes the next batch and is handled like one big bucket (its
 * rung 0 has one bucket per event, spread evenly between its min and max
 * times, and topStart becomes that max).
 *
 * FIFO without comparing sequence numbers: every bucket list, the top array
 * and the run keep events of equal time in insertion order (lists are built
 * newest-first and reversed when read). So a stable sort by time alone yields
 * (time, sequence) order. Only the heap compares sequence numbers.
 *
 * Robustness: each event is moved O(1) times on average (at most once per
 * rung level, and there are at most MAX_RUNGS). Events that cannot be spread
 * (all at one time) are taken as one already-sorted batch. Whatever cannot be
 * handled by buckets (more than MAX_RUNGS levels, widths below floating-point
 * resolution) falls back to the heap: O(log n), never worse.
 */

const NONE = -1;

/** A batch larger than this (and not already in order) is spread over a finer rung instead of sorted. */
const SPLIT_THRESHOLD = 48;

/** Deepest ladder; beyond it, big unsorted batches go into the bottom heap. */
const MAX_RUNGS = 8;

export class EventQueue {
  // Per slot, a 16-byte record: float64 time | int32 next | int32 spare.
  // `next` threads the slot into a bucket list. The fields share one cache
  // line, so walking a bucket list costs one cache miss per event, not two.
  // Views: time = f64[2 * slot], next = i32[4 * slot + 2].
  private f64: Float64Array;
  private i32: Int32Array;
  /** Insertion counter; only the heap needs it (see heapPush). */
  private seqCounter = 0;

  // ---- top: far future, unsorted, in insertion order ----
  private topSlot: Int32Array;
  private topTime: Float64Array;
  private topLen = 0;
  /** Events at or after this time go to the top. -Infinity when all else is empty. */
  private topStart = -Infinity;

  // ---- rungs: calendars of bucket lists; index 0 is the coarsest ----
  private rungHeads: Int32Array[] = [];
  private rungStart = new Float64Array(MAX_RUNGS);
  private rungInvWidth = new Float64Array(MAX_RUNGS);
  private rungBuckets = new Int32Array(MAX_RUNGS);
  /** The next bucket of each rung to consume; lower buckets are done or refined below. */
  private rungCur = new Int32Array(MAX_RUNGS);
  private rungCount = 0;

  // ---- bottom: a sorted run plus a heap, each a pair of parallel arrays ----
  private runSlot: Int32Array;
  private runTime: Float64Array;
  private runHead = 0;
  private runLen = 0;
  private heapSlot: Int32Array;
  private heapTime: Float64Array;
  /** Tie-breaker between equal heap times: the insertion counter at push time. */
  private heapSeq: Float64Array;
  private heapSize = 0;
  /** Heap size at which we try to spread the bottom over a new rung (see pushBottom). */
  private splitAt = SPLIT_THRESHOLD;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.f64 = new Float64Array(2 * cap);
    this.i32 = new Int32Array(this.f64.buffer);
    this.topSlot = new Int32Array(cap);
    this.topTime = new Float64Array(cap);
    this.runSlot = new Int32Array(64);
    this.runTime = new Float64Array(64);
    this.heapSlot = new Int32Array(64);
    this.heapTime = new Float64Array(64);
    this.heapSeq = new Float64Array(64);
  }

  /** The time of event `slot`, which must be in the queue. */
  timeOf(slot: number): number {
    return this.f64[2 * slot]!;
  }

  /** Adds event `slot` at time `t`. The slot must not already be in the queue. */
  push(slot: number, t: number): void {
    if (2 * slot >= this.f64.length) this.growSlots(slot);
    this.f64[2 * slot] = t;
    if (t >= this.topStart) {
      this.pushTop(slot, t);
      return;
    }
    for (let r = 0; r < this.rungCount; r++) {
      // Bucket index: floor(x), clamped to the last bucket, which also takes
      // times past the rung's nominal end (up to its parent bucket's end).
      // The clamped index is what must be ≥ cur, hence the `cur < nb` test:
      // once the last bucket is taken, such times belong to a finer tier.
      const x = (t - this.rungStart[r]!) * this.rungInvWidth[r]!;
      const cur = this.rungCur[r]!;
      const nb = this.rungBuckets[r]!;
      if (x >= cur && cur < nb) {
        const b = x < nb ? x | 0 : nb - 1;
        const heads = this.rungHeads[r]!;
        this.i32[4 * slot + 2] = heads[b]!;
        heads[b] = slot;
        return;
      }
    }
    this.pushBottom(slot, t);
  }

  /** The slot of the earliest event, or -1 if the queue is empty. Does not remove it. */
  peek(): number {
    for (;;) {
      if (this.runHead < this.runLen) {
        // On equal times the run wins: everything in the heap was inserted after the run was filled.
        if (this.heapSize === 0 || this.runTime[this.runHead]! <= this.heapTime[0]!) {
          return this.runSlot[this.runHead]!;
        }
        return this.heapSlot[0]!;
      }
      if (this.heapSize > 0) return this.heapSlot[0]!;
      if (!this.refillBottom()) return NONE;
    }
  }

  /** Removes the earliest event. Only valid right after `peek()` returned a slot. */
  pop(): void {
    if (this.runHead < this.runLen && (this.heapSize === 0 || this.runTime[this.runHead]! <= this.heapTime[0]!)) {
      this.runHead++;
    } else {
      this.heapPop();
    }
  }

  // ---- top ----

  private pushTop(slot: number, t: number): void {
    if (this.topLen === this.topSlot.length) {
      this.topSlot = grow(this.topSlot, Int32Array, this.topLen + 1);
      this.topTime = grow(this.topTime, Float64Array, this.topLen + 1);
    }
    this.topSlot[this.topLen] = slot;
    this.topTime[this.topLen++] = t;
  }

  // ---- bottom ----

  private pushBottom(slot: number, t: number): void {
    this.heapPush(slot, t, this.seqCounter++);
    // Many events landing in the bottom's range (say a burst of short delays)
    // would make the heap large; spread the bottom over a new rung instead.
    if (this.heapSize >= this.splitAt) this.splitBottom();
  }

  /**
   * Moves the whole bottom (run remainder and heap) into a new finest rung.
   * Costs O(bottom size); `splitAt` is at least a quarter of the run and
   * doubles after a failed attempt, so this is amortised O(1) per insert.
   */
  private splitBottom(): void {
    const runRest = this.runLen - this.runHead;
    const total = runRest + this.heapSize;
    let min = this.heapTime[0]!;
    let max = min;
    for (let i = 0; i < this.heapSize; i++) max = Math.max(max, this.heapTime[i]!);
    if (runRest > 0) {
      min = Math.min(min, this.runTime[this.runHead]!);
      max = Math.max(max, this.runTime[this.runLen - 1]!);
    }
    const width = (max - min) / total;
    if (this.rungCount === MAX_RUNGS || !isUsableWidth(width)) {
      this.splitAt = 2 * this.heapSize;
      return;
    }
    // Gather into the run arrays: run remainder first, then the heap in order.
    // Equal times then stay in insertion order, as buckets require.
    this.runSlot.copyWithin(0, this.runHead, this.runLen);
    this.runTime.copyWithin(0, this.runHead, this.runLen);
    this.ensureRunCapacity(total);
    let n = runRest;
    while (this.heapSize > 0) {
      this.runSlot[n] = this.heapSlot[0]!;
      this.runTime[n++] = this.heapTime[0]!;
      this.heapPop();
    }
    this.runHead = this.runLen = 0;
    this.addRung(this.runSlot, this.runTime, n, min, width);
  }

  /**
   * Makes the batch in run[0..n) (events of equal time in insertion order) the
   * new bottom, or spreads it over a new rung. Returns true if the bottom now
   * holds events, false if a rung was added instead.
   */
  private settleBatch(n: number): boolean {
    const slots = this.runSlot;
    const times = this.runTime;
    this.runHead = 0;
    this.runLen = n;
    this.splitAt = Math.max(SPLIT_THRESHOLD, n >> 2);
    if (n <= SPLIT_THRESHOLD) {
      insertionSortByTime(slots, times, n);
      return true;
    }
    let min = times[0]!;
    let max = min;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      const t = times[i]!;
      if (t < max) sorted = false;
      else max = t;
      if (t < min) min = t;
    }
    if (sorted) return true;
    const width = (max - min) / n;
    this.runLen = 0;
    if (this.rungCount < MAX_RUNGS && isUsableWidth(width)) {
      this.addRung(slots, times, n, min, width);
      return false;
    }
    // Fallback: too deep or too fine to spread; let the heap order them. The
    // heap is empty and the batch is older than any later push, so the batch
    // index (counted below the insertion counter) keeps equal times in order.
    for (let i = 0; i < n; i++) this.heapPush(slots[i]!, times[i]!, this.seqCounter - n + i);
    this.splitAt = 2 * this.heapSize;
    return true;
  }

  /**
   * Refills the empty bottom from the finest rung, adding and dropping rungs
   * as needed, or from the top. Returns false if the queue is empty.
   */
  private refillBottom(): boolean {
    for (;;) {
      const r = this.rungCount - 1;
      if (r < 0) {
        const n = this.topLen;
        if (n === 0) {
          this.topStart = -Infinity; // empty: the next events all go to the top
          return false;
        }
        // The whole top becomes one batch; later events at or after its max go to a new top.
        this.ensureRunCapacity(n);
        this.runSlot.set(this.topSlot.subarray(0, n));
        this.runTime.set(this.topTime.subarray(0, n));
        let max = -Infinity;
        for (let i = 0; i < n; i++) max = Math.max(max, this.runTime[i]!);
        this.topStart = max;
        this.topLen = 0;
        if (this.settleBatch(n)) return true;
        continue;
      }
      const heads = this.rungHeads[r]!;
      const nb = this.rungBuckets[r]!;
      let b = this.rungCur[r]!;
      while (b < nb && heads[b] === NONE) b++;
      if (b === nb) {
        this.rungCount--; // rung used up; its parent's next bucket follows
        continue;
      }
      const head = heads[b]!;
      heads[b] = NONE;
      this.rungCur[r] = b + 1;
      if (this.settleBatch(this.copyList(head))) return true;
    }
  }

  /** Copies a bucket list into run[0..n), oldest first (lists are newest-first), and returns n. */
  private copyList(head: number): number {
    const f64 = this.f64;
    const i32 = this.i32;
    let n = 0;
    for (let s = head; s !== NONE; s = i32[4 * s + 2]!) {
      if (n === this.runSlot.length) this.ensureRunCapacity(n + 1);
      this.runSlot[n] = s;
      this.runTime[n++] = f64[2 * s]!;
    }
    const slots = this.runSlot;
    const times = this.runTime;
    for (let i = 0, j = n - 1; i < j; i++, j--) {
      const s = slots[i]!;
      slots[i] = slots[j]!;
      slots[j] = s;
      const t = times[i]!;
      times[i] = times[j]!;
      times[j] = t;
    }
    return n;
  }

  /**
   * Adds a finer rung with one bucket per event, spreading `n` events (equal
   * times in insertion order) from `min` on. `width` is checked by the caller.
   */
  private addRung(slots: Int32Array, times: Float64Array, n: number, min: number, width: number): void {
    const r = this.rungCount++;
    let heads = this.rungHeads[r];
    if (heads === undefined || heads.length < n) {
      // Grow geometrically so a rung level is reallocated only O(log n) times.
      heads = new Int32Array(Math.max(n, 2 * (heads?.length ?? 0))).fill(NONE);
      this.rungHeads[r] = heads;
    }
    const inv = 1 / width;
    this.rungStart[r] = min;
    this.rungInvWidth[r] = inv;
    this.rungBuckets[r] = n;
    this.rungCur[r] = 0;
    const i32 = this.i32;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      const x = (times[i]! - min) * inv;
      const b = x < n ? x | 0 : n - 1;
      i32[4 * s + 2] = heads[b]!;
      heads[b] = s;
    }
  }

  // ---- heap, a binary heap ordered by (time, seq) ----

  private heapPush(slot: number, t: number, seq: number): void {
    if (this.heapSize === this.heapSlot.length) {
      this.heapSlot = grow(this.heapSlot, Int32Array, this.heapSize + 1);
      this.heapTime = grow(this.heapTime, Float64Array, this.heapSize + 1);
      this.heapSeq = grow(this.heapSeq, Float64Array, this.heapSize + 1);
    }
    const hs = this.heapSlot;
    const ht = this.heapTime;
    const hq = this.heapSeq;
    let pos = this.heapSize++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pt = ht[parent]!;
      if (pt < t || (pt === t && hq[parent]! < seq)) break;
      ht[pos] = pt;
      hs[pos] = hs[parent]!;
      hq[pos] = hq[parent]!;
      pos = parent;
    }
    ht[pos] = t;
    hs[pos] = slot;
    hq[pos] = seq;
  }

  private heapPop(): void {
    const n = --this.heapSize;
    if (n === 0) return;
    const hs = this.heapSlot;
    const ht = this.heapTime;
    const hq = this.heapSeq;
    const t = ht[n]!;
    const seq = hq[n]!;
    const slot = hs[n]!;
    // Sift the last entry down from the root, moving the hole instead of swapping.
    let pos = 0;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      let ct = ht[child]!;
      const right = child + 1;
      if (right < n) {
        const rt = ht[right]!;
        if (rt < ct || (rt === ct && hq[right]! < hq[child]!)) {
          child = right;
          ct = rt;
        }
      }
      if (ct > t || (ct === t && hq[child]! > seq)) break;
      ht[pos] = ct;
      hs[pos] = hs[child]!;
      hq[pos] = hq[child]!;
      pos = child;
    }
    ht[pos] = t;
    hs[pos] = slot;
    hq[pos] = seq;
  }

  // ---- storage ----

  private ensureRunCapacity(n: number): void {
    if (n <= this.runSlot.length) return;
    this.runSlot = grow(this.runSlot, Int32Array, n);
    this.runTime = grow(this.runTime, Float64Array, n);
  }

  private growSlots(slot: number): void {
    this.f64 = grow(this.f64, Float64Array, 2 * (slot + 1));
    this.i32 = new Int32Array(this.f64.buffer);
  }
}

/** A bucket width we can divide by: positive, and its inverse finite (not lost below float resolution). */
function isUsableWidth(width: number): boolean {
  return width > 0 && 1 / width < Infinity;
}

/** Stable insertion sort of the parallel arrays by time (equal times keep their order). */
function insertionSortByTime(slots: Int32Array, times: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const t = times[i]!;
    if (t >= times[i - 1]!) continue;
    const s = slots[i]!;
    let j = i - 1;
    do {
      times[j + 1] = times[j]!;
      slots[j + 1] = slots[j]!;
      j--;
    } while (j >= 0 && times[j]! > t);
    times[j + 1] = t;
    slots[j + 1] = s;
  }
}

/** A copy of `a` with room for at least `min` elements (at least double the size). */
function grow<T extends Float64Array | Int32Array>(a: T, Ctor: new (n: number) => T, min: number): T {
  const b = new Ctor(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}
