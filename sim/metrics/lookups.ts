/**
 * Every lookup's life: who asked, for what, when, how it ended, and the
 * traffic charged to it. Kept in parallel growable arrays indexed by lookup id
 * (0, 1, 2, ...), since a run may issue millions of lookups.
 */
export const enum LookupState {
  Pending = 0,
  Succeeded = 1,
  Failed = 2,
}

export class LookupTable {
  private cap = 1024;
  private count = 0;
  startMs = new Float64Array(this.cap);
  endMs = new Float64Array(this.cap);
  hops = new Int32Array(this.cap);
  origin = new Int32Array(this.cap);
  key = new Int32Array(this.cap);
  state = new Uint8Array(this.cap);
  messages = new Float64Array(this.cap);
  bytes = new Float64Array(this.cap);
  /** Requests made for the lookup that got no answer in time (overlays that report them). */
  timeouts = new Int32Array(this.cap);

  get size(): number {
    return this.count;
  }

  open(nowMs: number, origin: number, key: number): number {
    if (this.count === this.cap) this.grow();
    const id = this.count++;
    this.startMs[id] = nowMs;
    this.origin[id] = origin;
    this.key[id] = key;
    this.state[id] = LookupState.Pending;
    return id;
  }

  /** Marks success; false if the lookup had already ended. */
  succeed(id: number, nowMs: number, hops: number): boolean {
    if (this.state[id] !== LookupState.Pending) return false;
    this.state[id] = LookupState.Succeeded;
    this.endMs[id] = nowMs;
    this.hops[id] = hops;
    return true;
  }

  /** Marks failure; false if the lookup had already ended. */
  fail(id: number, nowMs: number): boolean {
    if (this.state[id] !== LookupState.Pending) return false;
    this.state[id] = LookupState.Failed;
    this.endMs[id] = nowMs;
    return true;
  }

  /** A request made for a lookup still in progress timed out. */
  timedOut(id: number): void {
    if (this.state[id] === LookupState.Pending) this.timeouts[id]!++;
  }

  charge(id: number, bytes: number): void {
    this.messages[id]!++;
    this.bytes[id]! += bytes;
  }

  private grow(): void {
    this.cap *= 2;
    this.startMs = grown(this.startMs, new Float64Array(this.cap));
    this.endMs = grown(this.endMs, new Float64Array(this.cap));
    this.hops = grown(this.hops, new Int32Array(this.cap));
    this.origin = grown(this.origin, new Int32Array(this.cap));
    this.key = grown(this.key, new Int32Array(this.cap));
    this.state = grown(this.state, new Uint8Array(this.cap));
    this.messages = grown(this.messages, new Float64Array(this.cap));
    this.bytes = grown(this.bytes, new Float64Array(this.cap));
    this.timeouts = grown(this.timeouts, new Int32Array(this.cap));
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(old: T, fresh: T): T {
  fresh.set(old);
  return fresh;
}
