import type { PeerId } from "../../peers/population.js";

/** What an iterative find waits for: the answer to a routing step, or to "do you own the target?". */
export const STEP = 0;
export const OWNS = 1;

/**
 * The iterative finds in progress (workload lookups, join, fix_fingers,
 * puts), one numbered slot each, with their numbers in typed arrays and
 * their lists in arrays that the slot keeps from one find to the next, each
 * with its length in a typed array (`candidatesN` and so on): only the first
 * n entries count, appending writes at n, and a new find sets n to 0. So the
 * arrays are made once per slot, never truncated (`length = 0` is a call
 * into the runtime), and writing a peer number into one is a plain store.
 *
 * Why slots and not an object per find: a find lives for several round
 * trips, and under churn at a million peers that is hundreds of thousands of
 * events, long enough for a fresh object (and the closures of each of its
 * requests) to be promoted to the old generation and traced there. A slot's
 * numbers and lists are kept from one find to the next, and each slot has
 * one reply function and one timeout function, made once, for every request
 * of every find it holds, so a find allocates only the messages it sends.
 *
 * A slot is reused only once its request in flight has ended (a find given
 * up meanwhile waits in `cancelled`), so the runtime's one call per request
 * (reply or timeout) always finds the find that sent it. The exception is an
 * origin going offline: its slots are freed at once, and the runtime drops
 * the replies and timeouts of a past session.
 *
 * Slots are also chained by origin, so that all the finds of a peer that
 * goes offline are freed at once: their replies and timeouts will never
 * come (the runtime drops both for a past session).
 */
export class FindSlots {
  capacity = 0;
  /** The peer looking: asks every step and receives the answers. */
  origin = new Int32Array(0);
  /** The workload lookup, or -1 for join, fix_fingers and puts. */
  lookup = new Int32Array(0);
  /** Distinct peers that answered with routing information so far. */
  hops = new Int32Array(0);
  /** Times the origin refilled the candidates from its own table after they all failed. */
  refills = new Int32Array(0);
  /** The peer the request in flight went to. */
  asking = new Int32Array(0);
  /** STEP or OWNS: which question the request in flight asked. */
  phase = new Uint8Array(0);
  /** The find was abandoned while a request was in flight: the slot is freed when that request ends. */
  cancelled = new Uint8Array(0);
  /** Where the next presumed owner to contact is in `owners`. */
  ownersAt = new Int32Array(0);
  /** How many entries of each list count. */
  candidatesN = new Int32Array(0);
  ownersN = new Int32Array(0);
  answeredN = new Int32Array(0);
  deadN = new Int32Array(0);
  askedN = new Int32Array(0);
  namedN = new Int32Array(0);
  /** 1 while a request of the find is in flight. */
  waiting = new Uint8Array(0);
  target: (Uint32Array | null)[] = [];
  /**
   * Peers to ask next, the best last: a stack, as every reply puts its few
   * candidates ahead of all the older ones (a join that wanders among
   * joiners gathers over a hundred), so nothing is copied to add or take one.
   */
  candidates: PeerId[][] = [];
  /** The presumed owner and the successors after it, to contact in turn (from `ownersAt`) once a node named the owner. */
  owners: PeerId[][] = [];
  /** Distinct peers that answered a step (the hops). */
  answered: PeerId[][] = [];
  /** Peers that did not answer. */
  dead: PeerId[][] = [];
  /** Peers already asked (their answers are among the candidates). */
  asked: PeerId[][] = [];
  /**
   * Which peer named each candidate, so that when a candidate fails the peer
   * that named it is asked again: pairs (candidate, the peer that named it)
   * in the order they were named, the first pair of a candidate being the
   * one that counts. Every reply adds to it and only a timeout reads it, so
   * it is a log to append to rather than a map to keep up.
   */
  named: PeerId[][] = [];
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

  /** A fresh slot for a find by `origin` (its lists empty, its numbers zero, lookup -1). */
  take(origin: PeerId): number {
    if (this.freeCount === 0) this.grow(Math.max(16, this.capacity * 2));
    const slot = this.free[--this.freeCount]!;
    this.used[slot] = 1;
    this.size++;
    this.origin[slot] = origin;
    this.lookup[slot] = -1;
    this.hops[slot] = 0;
    this.refills[slot] = 0;
    this.asking[slot] = -1;
    this.phase[slot] = STEP;
    this.cancelled[slot] = 0;
    this.waiting[slot] = 0;
    this.ownersAt[slot] = 0;
    this.candidatesN[slot] = 0;
    this.ownersN[slot] = 0;
    this.answeredN[slot] = 0;
    this.deadN[slot] = 0;
    this.askedN[slot] = 0;
    this.namedN[slot] = 0;
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
    const origin = this.origin[slot]!;
    const next = this.nextOf[slot]!;
    const prev = this.prevOf[slot]!;
    if (prev >= 0) this.nextOf[prev] = next;
    else this.headOf[origin] = next;
    if (next >= 0) this.prevOf[next] = prev;
    this.waiting[slot] = 0;
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

  private grow(capacity: number): void {
    const old = this.capacity;
    const bigger = <T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    this.origin = bigger(this.origin);
    this.lookup = bigger(this.lookup);
    this.hops = bigger(this.hops);
    this.refills = bigger(this.refills);
    this.asking = bigger(this.asking);
    this.phase = bigger(this.phase);
    this.cancelled = bigger(this.cancelled);
    this.waiting = bigger(this.waiting);
    this.ownersAt = bigger(this.ownersAt);
    this.candidatesN = bigger(this.candidatesN);
    this.ownersN = bigger(this.ownersN);
    this.answeredN = bigger(this.answeredN);
    this.deadN = bigger(this.deadN);
    this.askedN = bigger(this.askedN);
    this.namedN = bigger(this.namedN);
    this.nextOf = bigger(this.nextOf);
    this.prevOf = bigger(this.prevOf);
    this.used = bigger(this.used);
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeCount));
    this.free = free;
    // Lower slots are taken first (the stack's top), so the slots in use stay few and close together.
    for (let slot = capacity - 1; slot >= old; slot--) this.free[this.freeCount++] = slot;
    for (let slot = old; slot < capacity; slot++) {
      this.target.push(null);
      this.candidates.push([]);
      this.owners.push([]);
      this.answered.push([]);
      this.dead.push([]);
      this.asked.push([]);
      this.named.push([]);
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
