import type { PeerId } from "../../peers/population.js";

/** What an iterative find waits for: the answer to a routing step, or to "do you own the target?". */
export const STEP = 0;
export const OWNS = 1;

// A find's numbers: the first fields of its record.
/** The peer looking: asks every step and receives the answers. */
export const ORIGIN = 0;
/** The workload lookup, or -1 for join, fix_fingers and puts. */
export const LOOKUP = 1;
/** Distinct peers that answered with routing information so far. */
export const HOPS = 2;
/** Times the origin refilled the candidates from its own table after they all failed. */
export const REFILLS = 3;
/** The peer the request in flight went to. */
export const ASKING = 4;
/** STEP or OWNS: which question the request in flight asked. */
export const PHASE = 5;
/** 1 if the find was abandoned while a request was in flight: the slot is freed when that request ends. */
export const CANCELLED = 6;
/** 1 while a request of the find is in flight. */
export const WAITING = 7;
/** Where the next presumed owner to contact is in OWNERS. */
export const OWNERS_AT = 8;
/** Fields 9 to 14 are the lengths of the six lists (LENGTH + list). */
const LENGTH = 9;
/** How much room the record's lists have, in multiples of LIST_UNITS. */
const SCALE = 15;
const HEADER = 16;

// A find's lists, in the order they lie in its record after the numbers.
/** Distinct peers that answered a step (the hops). */
export const ANSWERED = 0;
/** Peers that did not answer. */
export const DEAD = 1;
/** Peers already asked (their answers are among the candidates). */
export const ASKED = 2;
/** The presumed owner and the successors after it, to contact in turn (from OWNERS_AT) once a node named the owner. */
export const OWNERS = 3;
/**
 * Peers to ask next, the best last: a stack, as every reply puts its few
 * candidates ahead of all the older ones (a join that wanders among joiners
 * gathers over a hundred), so nothing is copied to add or take one.
 */
export const CANDIDATES = 4;
/**
 * Which peer named each candidate, so that when a candidate fails the peer
 * that named it is asked again: pairs (candidate, the peer that named it) in
 * the order they were named, the first pair of a candidate being the one that
 * counts. Every reply adds to it and only a timeout reads it, so it is a log
 * to append to rather than a map to keep up.
 */
export const NAMED = 5;

/** Where each list starts after the numbers, and the room it has, in ints per unit of scale. */
const LIST_START = [0, 8, 16, 24, 32, 48] as const;
const LIST_ROOM = [8, 8, 8, 8, 16, 32] as const;
const LIST_UNITS = 80;
/**
 * A new record's scale: room for 16 answered, dead and asked peers and
 * owners, 32 candidates and 32 namings, 704 bytes in all; a lookup in a
 * steady ring of 10^6 peers takes about 8 hops, each adding three
 * candidates and three namings. A find that wanders further moves to a
 * record twice as large.
 */
const FIRST_SCALE = 2;

/**
 * The iterative finds in progress (workload lookups, join, fix_fingers,
 * puts), one numbered slot each. All of a find's state but its target and
 * callbacks is one record of 32-bit ints in one shared array (`mem`): its
 * numbers first (one cache line), then its six lists, each with its length
 * among the numbers. Only the first n entries of a list count, and a new find
 * sets every n to 0.
 *
 * Why one record: at a million peers a round trip is about 130 k events, so
 * whatever a find touched at its last step is out of the cache (and out of
 * the TLB) when the reply comes. With the numbers in a typed array each and
 * the lists in arrays of their own, a reply touched a dozen distant places,
 * several of them through a chain of pointers (the slot's array, its
 * elements); in one record it touches a few neighbouring lines, found from
 * the slot by one read (`recordAt`).
 *
 * Why slots at all: a find lives for several round trips, long enough for a
 * fresh object (and the closures of each of its requests) to be promoted to
 * the old generation and traced there. A slot keeps its record from one find
 * to the next, and each slot has one reply function and one timeout
 * function, made once, for every request of every find it holds, so a find
 * allocates only the messages it sends.
 *
 * A list that outgrows its room moves the whole record to one twice as large
 * (`makeRoom`); the slot keeps it, and the old record waits in `spare` for
 * the next slot that outgrows its own. A record's place can change at any
 * append, so callers read the record through these methods and keep no
 * index into `mem`.
 *
 * A slot is reused only once its request in flight has ended (a find given
 * up meanwhile waits, CANCELLED), so the runtime's one call per request
 * (reply or timeout) always finds the find that sent it. The exception is an
 * origin going offline: its slots are freed at once (slots are chained by
 * origin), since the runtime drops the replies and timeouts of a past session.
 */
export class FindSlots {
  capacity = 0;
  /** Every record, each at `recordAt[slot]`. */
  private mem = new Int32Array(0);
  /** The end of the records made so far in `mem`. */
  private memTop = 0;
  private recordAt = new Int32Array(0);
  /** Records left by slots that moved to a larger one, by log2 of their scale. */
  private readonly spare: number[][] = [];

  target: (Uint32Array | null)[] = [];
  /** What a maintenance find calls at its end (null for workload lookups, which end through the routing's own `finish`). */
  done: (((owner: PeerId, hops: number) => void) | null)[] = [];
  fail: ((() => void) | null)[] = [];
  /** Each slot's reply and timeout handlers, made once by `makeHandlers` and kept for every find the slot holds. */
  reply: ((reply: unknown) => void)[] = [];
  timeout: (() => void)[] = [];

  /** Per origin peer, its first slot in use (-1: none); slots of one origin are chained by nextOf/prevOf. */
  private headOf = new Int32Array(0);
  private nextOf = new Int32Array(0);
  private prevOf = new Int32Array(0);
  /** 1 while the slot holds a find. */
  private used = new Uint8Array(0);
  /** Free slots, a stack. */
  private free = new Int32Array(0);
  private freeCount = 0;
  /** Slots in use. */
  size = 0;

  constructor(private readonly makeHandlers: (slot: number) => { reply: (reply: unknown) => void; timeout: () => void }) {}

  // ── The numbers ───────────────────────────────────────────────────

  /** Field `field` (ORIGIN, HOPS, ...) of the find in `slot`. */
  get(slot: number, field: number): number {
    return this.mem[this.recordAt[slot]! + field]!;
  }

  set(slot: number, field: number, value: number): void {
    this.mem[this.recordAt[slot]! + field] = value;
  }

  // ── The lists ─────────────────────────────────────────────────────

  /** How many entries of `list` count. */
  length(slot: number, list: number): number {
    return this.mem[this.recordAt[slot]! + LENGTH + list]!;
  }

  /** Keeps the first `n` entries of `list` (n at most its length, or entries written by `setItem`). */
  setLength(slot: number, list: number, n: number): void {
    this.makeRoom(slot, list, n);
    this.mem[this.recordAt[slot]! + LENGTH + list] = n;
  }

  /** Entry `i` of `list`. */
  item(slot: number, list: number, i: number): number {
    const at = this.recordAt[slot]!;
    return this.mem[at + HEADER + LIST_START[list]! * this.mem[at + SCALE]! + i]!;
  }

  /** Writes entry `i` of `list`; the room must be there (`setLength` or `makeRoom` first). */
  setItem(slot: number, list: number, i: number, value: number): void {
    const at = this.recordAt[slot]!;
    this.mem[at + HEADER + LIST_START[list]! * this.mem[at + SCALE]! + i] = value;
  }

  /** Appends `value` to `list`. */
  push(slot: number, list: number, value: number): void {
    const n = this.length(slot, list);
    this.makeRoom(slot, list, n + 1);
    const at = this.recordAt[slot]!;
    const mem = this.mem;
    mem[at + HEADER + LIST_START[list]! * mem[at + SCALE]! + n] = value;
    mem[at + LENGTH + list] = n + 1;
  }

  /** Takes the last entry of `list` (which must not be empty). */
  pop(slot: number, list: number): number {
    const at = this.recordAt[slot]!;
    const mem = this.mem;
    const n = mem[at + LENGTH + list]! - 1;
    mem[at + LENGTH + list] = n;
    return mem[at + HEADER + LIST_START[list]! * mem[at + SCALE]! + n]!;
  }

  /** Where `x` first is in `list`, or -1. */
  indexOf(slot: number, list: number, x: number): number {
    const at = this.recordAt[slot]!;
    const mem = this.mem;
    const n = mem[at + LENGTH + list]!;
    const start = at + HEADER + LIST_START[list]! * mem[at + SCALE]!;
    for (let i = 0; i < n; i++) if (mem[start + i] === x) return i;
    return -1;
  }

  /** True if `x` is among the entries of `list`. */
  has(slot: number, list: number, x: number): boolean {
    return this.indexOf(slot, list, x) >= 0;
  }

  /** Removes entry `i` of `list`, the later ones keeping their order. */
  removeAt(slot: number, list: number, i: number): void {
    const at = this.recordAt[slot]!;
    const mem = this.mem;
    const n = mem[at + LENGTH + list]!;
    const start = at + HEADER + LIST_START[list]! * mem[at + SCALE]!;
    mem.copyWithin(start + i, start + i + 1, start + n);
    mem[at + LENGTH + list] = n - 1;
  }

  /** Entries `from` to `to` (exclusive) of `list`, as a new array (for a message). */
  slice(slot: number, list: number, from: number, to: number): PeerId[] {
    const at = this.recordAt[slot]!;
    const mem = this.mem;
    const start = at + HEADER + LIST_START[list]! * mem[at + SCALE]!;
    const out: PeerId[] = [];
    for (let i = from; i < to; i++) out.push(mem[start + i]!);
    return out;
  }

  /** Makes sure `list` has room for `n` entries: if not, the record moves to one large enough. */
  makeRoom(slot: number, list: number, n: number): void {
    const at = this.recordAt[slot]!;
    const scale = this.mem[at + SCALE]!;
    if (n <= LIST_ROOM[list]! * scale) return;
    let bigger = scale * 2;
    while (n > LIST_ROOM[list]! * bigger) bigger *= 2;
    this.move(slot, bigger);
  }

  // ── Slots ─────────────────────────────────────────────────────────

  /** A fresh slot for a find by `origin` (its lists empty, its numbers zero, lookup and asking -1). */
  take(origin: PeerId): number {
    if (this.freeCount === 0) this.grow(Math.max(16, this.capacity * 2));
    const slot = this.free[--this.freeCount]!;
    this.used[slot] = 1;
    this.size++;
    const at = this.recordAt[slot]!;
    // Every number and length but the scale, which stays with the record.
    this.mem.fill(0, at, at + SCALE);
    this.mem[at + ORIGIN] = origin;
    this.mem[at + LOOKUP] = -1;
    this.mem[at + ASKING] = -1;
    if (origin >= this.headOf.length) this.growOrigins(origin + 1);
    const head = this.headOf[origin]!;
    this.nextOf[slot] = head;
    this.prevOf[slot] = -1;
    if (head >= 0) this.prevOf[head] = slot;
    this.headOf[origin] = slot;
    return slot;
  }

  /** Ends the find in `slot` (its lists are emptied when the slot is taken again), its references dropped. */
  release(slot: number): void {
    if (this.used[slot] !== 1) throw new Error(`find slot ${slot} released twice`);
    this.used[slot] = 0;
    this.size--;
    const origin = this.get(slot, ORIGIN);
    const next = this.nextOf[slot]!;
    const prev = this.prevOf[slot]!;
    if (prev >= 0) this.nextOf[prev] = next;
    else this.headOf[origin] = next;
    if (next >= 0) this.prevOf[next] = prev;
    this.set(slot, WAITING, 0);
    this.target[slot] = null;
    this.done[slot] = null;
    this.fail[slot] = null;
    this.free[this.freeCount++] = slot;
  }

  /** True while `slot` holds a find. */
  inUse(slot: number): boolean {
    return this.used[slot] === 1;
  }

  /** Frees every find of `origin`. */
  releaseAllOf(origin: PeerId): void {
    if (origin >= this.headOf.length) return;
    let slot = this.headOf[origin]!;
    while (slot >= 0) {
      const next = this.nextOf[slot]!;
      this.release(slot);
      slot = next;
    }
  }

  /** The slots of `origin` in use (for tests). */
  slotsOf(origin: PeerId): number[] {
    const out: number[] = [];
    if (origin >= this.headOf.length) return out;
    for (let slot = this.headOf[origin]!; slot >= 0; slot = this.nextOf[slot]!) out.push(slot);
    return out;
  }

  /** Moves the record of `slot` to one of scale `scale`, its numbers and the entries of its lists that count copied over. */
  private move(slot: number, scale: number): void {
    const to = this.makeRecord(scale);
    const mem = this.mem;
    const from = this.recordAt[slot]!;
    const oldScale = mem[from + SCALE]!;
    mem.copyWithin(to, from, from + HEADER);
    mem[to + SCALE] = scale;
    for (let list = 0; list < LIST_START.length; list++) {
      const n = mem[from + LENGTH + list]!;
      const src = from + HEADER + LIST_START[list]! * oldScale;
      mem.copyWithin(to + HEADER + LIST_START[list]! * scale, src, src + n);
    }
    this.recordAt[slot] = to;
    (this.spare[Math.log2(oldScale)] ??= []).push(from);
  }

  /** A record of scale `scale`: a spare one, or a new one at the end of `mem` (which grows as needed). */
  private makeRecord(scale: number): number {
    const spare = this.spare[Math.log2(scale)];
    if (spare !== undefined && spare.length > 0) return spare.pop()!;
    const size = HEADER + LIST_UNITS * scale;
    if (this.memTop + size > this.mem.length) {
      const mem = new Int32Array(Math.max(this.mem.length * 2, this.memTop + size));
      mem.set(this.mem.subarray(0, this.memTop));
      this.mem = mem;
    }
    const at = this.memTop;
    this.memTop += size;
    this.mem[at + SCALE] = scale;
    return at;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const bigger = <T extends Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    this.recordAt = bigger(this.recordAt);
    this.nextOf = bigger(this.nextOf);
    this.prevOf = bigger(this.prevOf);
    this.used = bigger(this.used);
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeCount));
    this.free = free;
    // Lower slots are taken first (the stack's top), so the slots in use stay few and close together.
    for (let slot = capacity - 1; slot >= old; slot--) this.free[this.freeCount++] = slot;
    for (let slot = old; slot < capacity; slot++) {
      this.recordAt[slot] = this.makeRecord(FIRST_SCALE);
      this.target.push(null);
      this.done.push(null);
      this.fail.push(null);
      const handlers = this.makeHandlers(slot);
      this.reply.push(handlers.reply);
      this.timeout.push(handlers.timeout);
    }
    this.capacity = capacity;
  }

  private growOrigins(n: number): void {
    const bigger = new Int32Array(Math.max(n, this.headOf.length * 2, 16)).fill(-1);
    bigger.set(this.headOf);
    this.headOf = bigger;
  }
}
