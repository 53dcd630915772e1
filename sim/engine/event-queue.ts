/**
 * The simulator's pending events: storage for each event (time, callback,
 * argument) and a priority queue over them, a ladder queue (Tang, Goh & Thng,
 * "Ladder queue: an O(1) priority queue structure for large-scale discrete
 * event simulation", ACM TOMACS 2005) adapted to typed arrays.
 *
 * Why not a heap: with 100k+ pending events a binary or 4-ary heap spends most
 * of its time on cache misses in its deep levels, O(log n) of them per event.
 * A ladder queue touches O(1) memory per event: an insert is a push onto an
 * unsorted list, and events are sorted in small batches just before they run.
 *
 * ORDER. Events come out by (time, insertion sequence): equal times are
 * first-in, first-out.
 *
 * STORAGE. An event lives in a slot (a small integer, reused once the event
 * is out). Per slot there is a 16-byte record — float64 time | int32 next |
 * int32 generation — and a callback/argument pair in `payload`. The record's
 * fields share a cache line, so the walk over a bucket list (which needs time
 * and next) also brings in the generation needed when the event runs. A
 * handle is generation · 2^26 + slot; each reuse bumps the generation, so a
 * stale handle never matches (a slot whose generation runs out is retired).
 *
 * TIERS. Every event in a lower tier comes before every event in a higher one.
 *
 *   bottom  The events that run next: `run`, a sorted array consumed from the
 *           front. An event scheduled into the bottom's time range later is
 *           appended if it is no earlier than the run's last event (delay 0,
 *           typically), else pushed on a small binary heap beside the run.
 *   rungs   Up to MAX_RUNGS calendars of buckets. A bucket is an unsorted
 *           linked list of slots threaded through the records' `next`. Rung 0
 *           spans the near future; rung r+1 is a finer calendar over the one
 *           rung-r bucket being consumed, added when that bucket held too many
 *           events to sort cheaply.
 *   top     The far future (time ≥ topStart): an unsorted array, O(1) append.
 *
 * ROUTING an insert at time t: if t ≥ topStart, to the top. Otherwise, from the
 * coarsest rung down, into the first rung whose not-yet-consumed buckets
 * cover t; if none, into the bottom. A rung's bucket index
 * floor((t - start) / width) never decreases as t grows, so every tier and
 * every bucket holds a contiguous range of times, whatever the rounding, and
 * equal times always go to the same place: FIFO order between them is never
 * decided across tiers. A rung spans its events' [min, max]; its last bucket
 * also takes later times, up to the end of the parent's bucket.
 *
 * DEQUEUE: from the bottom. When it is empty, take the next non-empty bucket
 * of the finest rung as a batch: if it has ≤ SPLIT_THRESHOLD events, or they
 * are already in time order (typical with constant delays), sort it into the
 * bottom; otherwise spread it over a new, finer rung with one bucket per event
 * and repeat. A used-up rung is dropped. With no rungs left, the whole top is
 * the batch (and topStart becomes its latest time), handled the same way.
 *
 * FIFO WITHOUT SEQUENCE NUMBERS: bucket lists, the top and the run keep events
 * of equal time in insertion order (lists are built newest-first and read
 * back to front), so a stable sort by time alone yields (time, insertion)
 * order. Only the heap needs an explicit sequence number.
 *
 * ROBUSTNESS. Each event is moved O(1) times on average: once per rung level,
 * and there are at most MAX_RUNGS. Events all at one time make one batch that
 * is already sorted, whatever their number. Whatever buckets cannot split
 * (too deep, or widths below floating-point resolution) falls back to the
 * heap: O(log n), never worse. A cancel only clears the callback, O(1); the
 * entry is dropped when it comes out, or by a purge once dead entries
 * outnumber the rest (amortised O(1), memory stays proportional to live
 * events even when most long timers get cancelled).
 */

import type { EventFn } from "./simulator.js";

const NONE = -1;

/** A batch larger than this (and not already in time order) is spread over a finer rung instead of sorted. */
const SPLIT_THRESHOLD = 48;

/**
 * Deepest ladder; beyond it, big unsorted batches go into the bottom heap.
 * Each level is about SPLIT_THRESHOLD or more times finer than the one above.
 */
const MAX_RUNGS = 8;

// Handles: slot in the low 26 bits, generation above, all below 2^53.
const SLOT_BITS = 26;
const SLOT_SPACE = 2 ** SLOT_BITS;
const GEN_LIMIT = 2 ** (53 - SLOT_BITS);

export class EventQueue {
  // ---- event storage, per slot ----
  /** Record views: time = f64[2·slot]; next = i32[4·slot + 2]; generation = i32[4·slot + 3]. */
  private f64: Float64Array;
  private i32: Int32Array;
  /** Callback at 2·slot (null when free or cancelled), argument at 2·slot + 1. */
  private payload: unknown[] = [];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 0;
  private liveCount = 0;
  /** Cancelled entries still stored somewhere in the tiers (see purge). */
  private deadCount = 0;

  // ---- top: far future, unsorted, in insertion order ----
  private topSlot: Int32Array;
  private topTime: Float64Array;
  private topLen = 0;
  /** Events at or after this time go to the top. -Infinity when everything else is empty. */
  private topStart = -Infinity;

  // ---- rungs: calendars of bucket lists; rung 0 is the coarsest ----
  private rungHeads: Int32Array[] = [];
  private rungStart = new Float64Array(MAX_RUNGS);
  private rungInvWidth = new Float64Array(MAX_RUNGS);
  private rungBuckets = new Int32Array(MAX_RUNGS);
  /** Next bucket of each rung to consume; lower ones are consumed or refined by the next rung. */
  private rungCur = new Int32Array(MAX_RUNGS);
  private rungCount = 0;

  // ---- bottom: a sorted run plus a heap, each as parallel arrays ----
  private runSlot: Int32Array;
  private runTime: Float64Array;
  private runHead = 0;
  private runLen = 0;
  private heapSlot: Int32Array;
  private heapTime: Float64Array;
  /** Tie-breaker between equal heap times: a counter taken at push. */
  private heapSeq: Float64Array;
  private heapSize = 0;
  private heapCounter = 0;
  /** Heap size at which we try to spread the bottom over a new rung (see pushBottom). */
  private splitAt = SPLIT_THRESHOLD;
  /** Whether the event `peek` returned is the run's head (else the heap's top). */
  private peekedRun = false;
  /** Written by copyList's prefetching so the loads are not optimised away; never read. */
  private prefetchNulls = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.f64 = new Float64Array(2 * cap);
    this.i32 = new Int32Array(this.f64.buffer);
    this.freeSlots = new Int32Array(cap);
    this.topSlot = new Int32Array(cap);
    this.topTime = new Float64Array(cap);
    this.runSlot = new Int32Array(64);
    this.runTime = new Float64Array(64);
    this.heapSlot = new Int32Array(64);
    this.heapTime = new Float64Array(64);
    this.heapSeq = new Float64Array(64);
  }

  /** Live events: added and neither run nor cancelled. */
  get size(): number {
    return this.liveCount;
  }

  /** Slots in use: live events plus cancelled ones not yet dropped. */
  get stored(): number {
    return this.slotsUsed - this.freeCount;
  }

  /** Adds an event at time `t` (finite, not before any event already taken out) and returns its handle. */
  add(t: number, fn: EventFn, arg: unknown): number {
    return this.handleOf(this.insert(t, fn, arg));
  }

  /**
   * Adds an event like `add` but returns its slot; `handleOf(slot)` is its
   * handle. Why: a handle is a double beyond the small integers V8 keeps
   * unboxed, so returning it from a call that is not inlined (this one is
   * too big to be inlined everywhere) would allocate a heap number per
   * event, though most callers never cancel. Simulator.schedule returns
   * `handleOf(slot)`, which costs nothing where schedule is inlined and the
   * handle unused.
   */
  insert(t: number, fn: EventFn, arg: unknown): number {
    const slot = this.allocSlot();
    this.payload[2 * slot] = fn;
    this.payload[2 * slot + 1] = arg;
    this.f64[2 * slot] = t;
    this.liveCount++;
    this.place(slot, t);
    return slot;
  }

  /** The handle of the event in `slot` (see the STORAGE note above). */
  handleOf(slot: number): number {
    return this.i32[4 * slot + 3]! * SLOT_SPACE + slot;
  }

  /** Cancels a live event. Returns false for a handle whose event ran, was cancelled, or never existed. */
  cancel(handle: number): boolean {
    if (!(handle >= 0) || handle !== Math.floor(handle)) return false;
    const slot = handle % SLOT_SPACE;
    if (slot >= this.slotsUsed || this.i32[4 * slot + 3] !== (handle - slot) / SLOT_SPACE) return false;
    if (this.payload[2 * slot] === null) return false; // ran (slot free) or already cancelled
    // The entry stays where it is and is dropped when it comes out, or by a
    // purge once dead entries outnumber everything else we would scan.
    this.payload[2 * slot] = null;
    this.payload[2 * slot + 1] = undefined;
    this.liveCount--;
    // The cheap half of the test first: counting the buckets left walks the rungs, on every cancel.
    if (++this.deadCount > this.liveCount + 32 && this.deadCount > this.liveCount + this.bucketsLeft() + 32) this.purge();
    return true;
  }

  /** Time, callback and argument of the event `take` last removed (read them before adding another event). */
  takenTime = 0;
  takenFn: EventFn | null = null;
  takenArg: unknown = undefined;

  /**
   * Removes the earliest live event if its time is ≤ `until` and returns
   * true, with its time, callback and argument in takenTime, takenFn and
   * takenArg; returns false, removing nothing, if the queue is empty or its
   * next event is later. Why not `peek` then `pop`: this is the engine's inner
   * loop, and one pass over the bottom's state instead of two (each pass
   * re-deciding between run and heap and re-reading the callback) took an
   * eighth of the hold model's instructions (cachegrind), though only about
   * 5 % of its time: what remains is mostly waiting for memory.
   */
  take(until: number): boolean {
    for (;;) {
      let slot: number;
      let t: number;
      if (this.runHead < this.runLen && (this.heapSize === 0 || this.runTime[this.runHead]! <= this.heapTime[0]!)) {
        // On equal times the run wins: everything in the heap was inserted after the run was filled.
        t = this.runTime[this.runHead]!;
        if (t > until) return false;
        slot = this.runSlot[this.runHead++]!;
      } else if (this.heapSize > 0) {
        t = this.heapTime[0]!;
        if (t > until) return false;
        slot = this.heapSlot[0]!;
        this.heapPop();
      } else {
        if (!this.refillBottom()) return false;
        continue;
      }
      const fn = this.payload[2 * slot] as EventFn | null;
      if (fn === null) {
        // Cancelled: drop it and look further.
        this.deadCount--;
        this.freeSlot(slot);
        continue;
      }
      this.takenTime = t;
      this.takenFn = fn;
      this.takenArg = this.payload[2 * slot + 1];
      this.liveCount--;
      this.freeSlot(slot);
      return true;
    }
  }

  /** The slot of the earliest live event, or -1 if there is none. Does not remove it. */
  peek(): number {
    for (;;) {
      let slot: number;
      if (this.runHead < this.runLen) {
        // On equal times the run wins: everything in the heap was inserted after the run was filled.
        this.peekedRun = this.heapSize === 0 || this.runTime[this.runHead]! <= this.heapTime[0]!;
        slot = this.peekedRun ? this.runSlot[this.runHead]! : this.heapSlot[0]!;
      } else if (this.heapSize > 0) {
        this.peekedRun = false;
        slot = this.heapSlot[0]!;
      } else {
        if (!this.refillBottom()) return NONE;
        continue;
      }
      if (this.payload[2 * slot] !== null) return slot;
      this.pop(); // cancelled
    }
  }

  timeOf(slot: number): number {
    return this.f64[2 * slot]!;
  }

  fnOf(slot: number): EventFn {
    return this.payload[2 * slot] as EventFn;
  }

  argOf(slot: number): unknown {
    return this.payload[2 * slot + 1];
  }

  /** Removes the event `peek` just returned and frees its slot (read its fields first). */
  pop(): void {
    let slot: number;
    if (this.peekedRun) {
      slot = this.runSlot[this.runHead++]!;
    } else {
      slot = this.heapSlot[0]!;
      this.heapPop();
    }
    if (this.payload[2 * slot] !== null) this.liveCount--;
    else this.deadCount--;
    this.freeSlot(slot);
  }

  // ---- routing ----

  private place(slot: number, t: number): void {
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
    // Common case, e.g. delay 0: no later than any event in the run and the
    // heap empty. Appending keeps the run in (time, insertion) order, O(1).
    if (this.heapSize === 0 && (this.runHead === this.runLen || t >= this.runTime[this.runLen - 1]!)) {
      if (this.runLen === this.runSlot.length) this.makeRoomInRun();
      this.runSlot[this.runLen] = slot;
      this.runTime[this.runLen++] = t;
      return;
    }
    this.heapPush(slot, t, this.heapCounter++);
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
    if (!this.canAddRung(total, min, max)) {
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
    this.addRung(this.runSlot, this.runTime, n, min, max);
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
        // The whole top is the next batch; later events at or after its max go to a new top.
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
        this.rungCount--; // used up; its parent's next bucket follows
        continue;
      }
      const head = heads[b]!;
      heads[b] = NONE;
      this.rungCur[r] = b + 1;
      // Also find the bucket likely to be taken next, for copyList to prefetch.
      let ahead = b + 1;
      while (ahead < nb && heads[ahead] === NONE) ahead++;
      if (this.settleBatch(this.copyList(head, ahead < nb ? heads[ahead]! : NONE))) return true;
    }
  }

  /**
   * Copies a bucket list into run[0..n), oldest first, drops cancelled events,
   * and returns n. Walks the list starting at `ahead` (the next bucket) in
   * step, to have it in cache when its turn comes.
   */
  private copyList(head: number, ahead: number): number {
    const f64 = this.f64;
    const i32 = this.i32;
    const payload = this.payload;
    // Walking a list is a chain of cache misses, each waiting for the one
    // before; two chains walked in step have their misses overlap. Touching
    // the callbacks ahead pulls them in too (the null count just makes the
    // loads count for something).
    let s2 = ahead;
    let nulls = 0;
    // Lists are newest-first, so fill the run arrays from the top down: the
    // block [p, length) then reads oldest-first, with no reversal pass.
    let p = this.runSlot.length;
    for (let s = head; s !== NONE; s = i32[4 * s + 2]!) {
      if (p === 0) p = this.growRunKeepingTop();
      this.runSlot[--p] = s;
      this.runTime[p] = f64[2 * s]!;
      if (s2 !== NONE) {
        if (payload[2 * s2] === null) nulls++;
        s2 = i32[4 * s2 + 2]!;
      }
    }
    this.prefetchNulls += nulls;
    // Move the block down to 0, dropping cancelled events. Reading every
    // callback here, in one tight loop, also pulls them into the cache
    // together (the loads are independent, so their misses overlap) rather
    // than one miss at a time as the events run.
    const slots = this.runSlot;
    const times = this.runTime;
    const end = slots.length;
    let n = 0;
    for (let k = p; k < end; k++) {
      const s = slots[k]!;
      if (payload[2 * s] === null) {
        this.deadCount--;
        this.freeSlot(s);
        continue;
      }
      slots[n] = s;
      times[n++] = times[k]!;
    }
    return n;
  }

  /** Doubles the run arrays, keeping their contents at the top; returns the index where those now start. */
  private growRunKeepingTop(): number {
    const old = this.runSlot.length;
    const slots = new Int32Array(2 * old);
    const times = new Float64Array(2 * old);
    slots.set(this.runSlot, old);
    times.set(this.runTime, old);
    this.runSlot = slots;
    this.runTime = times;
    return old;
  }

  /**
   * Makes the batch in run[0..n) (equal times in insertion order) the new
   * bottom, or spreads it over a new rung. Returns true if the bottom now
   * holds events, false if a rung was added instead (or the batch was empty).
   */
  private settleBatch(n: number): boolean {
    const slots = this.runSlot;
    const times = this.runTime;
    this.runHead = 0;
    this.runLen = n;
    this.splitAt = Math.max(SPLIT_THRESHOLD, n >> 2);
    if (n <= SPLIT_THRESHOLD) {
      insertionSortByTime(slots, times, n);
      return n > 0;
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
    this.runLen = 0;
    if (this.canAddRung(n, min, max)) {
      this.addRung(slots, times, n, min, max);
      return false;
    }
    // Fallback: too deep or too fine to spread; let the heap order them. The
    // heap is empty and the batch is older than any later push, so numbering
    // the batch below the counter keeps its equal times in order.
    for (let i = 0; i < n; i++) this.heapPush(slots[i]!, times[i]!, this.heapCounter - n + i);
    this.splitAt = 2 * this.heapSize;
    return true;
  }

  /** Whether `n` events spanning [min, max] can be spread over a new rung. */
  private canAddRung(n: number, min: number, max: number): boolean {
    // The width must be positive with a finite inverse, i.e. not lost below float resolution.
    const width = (max - min) / bucketCount(n);
    return (this.rungCount < MAX_RUNGS || this.finestUsedUp()) && width > 0 && 1 / width < Infinity;
  }

  /** Whether the finest rung has no bucket left (its last one is in the bottom or being spread). */
  private finestUsedUp(): boolean {
    const r = this.rungCount - 1;
    return r >= 0 && this.rungCur[r] === this.rungBuckets[r];
  }

  /**
   * Adds a finer rung spreading run-like arrays of `n` events (equal times in
   * insertion order) over buckets of equal width from `min` to `max`.
   *
   * If the finest rung is used up, the new rung replaces it rather than going
   * below it: a used-up rung routes nothing (its whole range already falls
   * through to finer tiers), and keeping it would let the ladder grow a level
   * each time a rung's last bucket, which also takes every later time up to
   * the parent bucket's end, gets spread. (Say one event a day away and steady
   * activity now: without this, the ladder would hit MAX_RUNGS within a few
   * cycles and fall back to the heap.)
   */
  private addRung(slots: Int32Array, times: Float64Array, n: number, min: number, max: number): void {
    const r = this.finestUsedUp() ? this.rungCount - 1 : this.rungCount++;
    const nb = bucketCount(n);
    let heads = this.rungHeads[r];
    if (heads === undefined || heads.length < nb) {
      // Grow geometrically so a rung level is reallocated only O(log n) times.
      heads = new Int32Array(Math.max(nb, 2 * (heads?.length ?? 0))).fill(NONE);
      this.rungHeads[r] = heads;
    }
    const inv = nb / (max - min);
    this.rungStart[r] = min;
    this.rungInvWidth[r] = inv;
    this.rungBuckets[r] = nb;
    this.rungCur[r] = 0;
    const i32 = this.i32;
    for (let i = 0; i < n; i++) {
      const s = slots[i]!;
      const x = (times[i]! - min) * inv;
      const b = x < nb ? x | 0 : nb - 1;
      i32[4 * s + 2] = heads[b]!;
      heads[b] = s;
    }
  }

  // ---- purging cancelled entries ----

  /** Buckets not yet consumed, over all rungs: what a purge has to scan besides the entries. */
  private bucketsLeft(): number {
    let n = 0;
    for (let r = 0; r < this.rungCount; r++) n += this.rungBuckets[r]! - this.rungCur[r]!;
    return n;
  }

  /**
   * Drops every cancelled entry from every tier, keeping the order of the
   * rest. Costs O(entries + buckets left); runs only when the dead entries
   * outnumber those, so it is amortised O(1) per cancel, and memory stays
   * proportional to the live events even if most long timers get cancelled.
   */
  private purge(): void {
    const payload = this.payload;
    let k = 0;
    for (let i = 0; i < this.topLen; i++) {
      const s = this.topSlot[i]!;
      if (payload[2 * s] === null) {
        this.freeSlot(s);
      } else {
        this.topSlot[k] = s;
        this.topTime[k++] = this.topTime[i]!;
      }
    }
    this.topLen = k;
    const i32 = this.i32;
    for (let r = 0; r < this.rungCount; r++) {
      const heads = this.rungHeads[r]!;
      for (let b = this.rungCur[r]!, nb = this.rungBuckets[r]!; b < nb; b++) {
        // Relink the list without its dead entries.
        let last = NONE;
        for (let s = heads[b]!; s !== NONE; ) {
          const next = i32[4 * s + 2]!;
          if (payload[2 * s] === null) {
            this.freeSlot(s);
          } else {
            if (last === NONE) heads[b] = s;
            else i32[4 * last + 2] = s;
            last = s;
          }
          s = next;
        }
        if (last === NONE) heads[b] = NONE;
        else i32[4 * last + 2] = NONE;
      }
    }
    k = this.runHead;
    for (let i = this.runHead; i < this.runLen; i++) {
      const s = this.runSlot[i]!;
      if (payload[2 * s] === null) {
        this.freeSlot(s);
      } else {
        this.runSlot[k] = s;
        this.runTime[k++] = this.runTime[i]!;
      }
    }
    this.runLen = k;
    k = 0;
    for (let i = 0; i < this.heapSize; i++) {
      const s = this.heapSlot[i]!;
      if (payload[2 * s] === null) {
        this.freeSlot(s);
      } else {
        this.heapSlot[k] = s;
        this.heapTime[k] = this.heapTime[i]!;
        this.heapSeq[k++] = this.heapSeq[i]!;
      }
    }
    this.heapSize = k;
    for (let i = (k >> 1) - 1; i >= 0; i--) this.siftDown(i, this.heapSlot[i]!, this.heapTime[i]!, this.heapSeq[i]!);
    this.deadCount = 0;
  }

  // ---- heap: binary, ordered by (time, seq) ----

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
    if (n > 0) this.siftDown(0, this.heapSlot[n]!, this.heapTime[n]!, this.heapSeq[n]!);
  }

  /** Puts entry (slot, t, seq) at heap position `pos` or below, moving the hole down instead of swapping. */
  private siftDown(pos: number, slot: number, t: number, seq: number): void {
    const n = this.heapSize;
    const hs = this.heapSlot;
    const ht = this.heapTime;
    const hq = this.heapSeq;
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

  // ---- slots ----

  private allocSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    const slot = this.slotsUsed++;
    if (slot >= SLOT_SPACE) throw new RangeError(`Simulator: more than ${SLOT_SPACE} pending events`);
    if (2 * slot >= this.f64.length) {
      this.f64 = grow(this.f64, Float64Array, 2 * (slot + 1));
      this.i32 = new Int32Array(this.f64.buffer);
    }
    this.payload.push(null, undefined); // keeps the array packed: new slots come in order
    return slot;
  }

  /** Frees a slot whose entry has left the queue. The slot is reused first (LIFO): its record is in cache. */
  private freeSlot(slot: number): void {
    this.payload[2 * slot] = null;
    this.payload[2 * slot + 1] = undefined;
    const gen = this.i32[4 * slot + 3]! + 1;
    if (gen === GEN_LIMIT) return; // retired, so old handles stay unique: one slot per 2^27 reuses
    this.i32[4 * slot + 3] = gen;
    if (this.freeCount === this.freeSlots.length) this.freeSlots = grow(this.freeSlots, Int32Array, 0);
    this.freeSlots[this.freeCount++] = slot;
  }

  /**
   * Makes room to append to a full run: slides the live part down if at least
   * half the arrays is already consumed, else doubles them. Either way the
   * cost is covered by the appends since the last time, and a bottom that is
   * fed as fast as it is consumed stays in bounded memory.
   */
  private makeRoomInRun(): void {
    const live = this.runLen - this.runHead;
    if (this.runHead >= live) {
      this.runSlot.copyWithin(0, this.runHead, this.runLen);
      this.runTime.copyWithin(0, this.runHead, this.runLen);
      this.runHead = 0;
      this.runLen = live;
    } else {
      this.ensureRunCapacity(this.runLen + 1);
    }
  }

  private ensureRunCapacity(n: number): void {
    if (n <= this.runSlot.length) return;
    this.runSlot = grow(this.runSlot, Int32Array, n);
    this.runTime = grow(this.runTime, Float64Array, n);
  }
}

/**
 * Buckets in a rung that spreads n events: one per event, as in the ladder
 * queue paper. Near the front of a skewed distribution (e.g. exponential
 * delays) buckets then hold about ln(n) events, a cheap insertion sort.
 */
function bucketCount(n: number): number {
  return n;
}

/** Stable insertion sort of the parallel arrays by time: equal times keep their order. */
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

/** A copy of `a` with room for at least `min` elements (and at least double the size). */
function grow<T extends Float64Array | Int32Array>(a: T, Ctor: new (n: number) => T, min: number): T {
  const b = new Ctor(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}
