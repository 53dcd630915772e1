import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../sim/engine/event-queue.js";
import { Rng } from "../../sim/engine/rng.js";
import { Simulator, type EventFn, type RunOptions, type RunStop } from "../../sim/engine/simulator.js";

/** What the tests need of a simulator; implemented by Simulator and by the reference model below. */
interface SimLike {
  now: number;
  eventsRun: number;
  readonly pending: number;
  schedule<A>(delayMs: number, fn: EventFn<A>, arg?: A): number;
  scheduleWithoutHandle<A>(delayMs: number, fn: EventFn<A>, arg?: A): void;
  at<A>(timeMs: number, fn: EventFn<A>, arg?: A): number;
  cancel(handle: number): boolean;
  stop(): void;
  peekTime(): number;
  step(): boolean;
  run(options?: RunOptions): RunStop;
}

/**
 * The documented semantics, implemented as simply as possible: an array kept
 * sorted by (time, insertion sequence), linear-time insert and cancel.
 */
class ReferenceSim implements SimLike {
  now = 0;
  eventsRun = 0;
  private queue: { time: number; handle: number; fn: EventFn; arg: unknown }[] = [];
  private nextHandle = 1;
  private stopRequested = false;

  get pending(): number {
    return this.queue.length;
  }

  schedule<A>(delayMs: number, fn: EventFn<A>, arg?: A): number {
    if (!(delayMs >= 0) || delayMs === Infinity) throw new RangeError("bad delay");
    return this.insert(this.now + delayMs, fn, arg);
  }

  scheduleWithoutHandle<A>(delayMs: number, fn: EventFn<A>, arg?: A): void {
    this.schedule(delayMs, fn, arg);
  }

  at<A>(timeMs: number, fn: EventFn<A>, arg?: A): number {
    if (!(timeMs >= this.now) || timeMs === Infinity) throw new RangeError("in the past");
    return this.insert(timeMs, fn, arg);
  }

  private insert(time: number, fn: EventFn, arg: unknown): number {
    // After every event at the same time: handles grow with insertion order.
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.time > time) i--;
    const handle = this.nextHandle++;
    this.queue.splice(i, 0, { time, handle, fn, arg });
    return handle;
  }

  cancel(handle: number): boolean {
    const i = this.queue.findIndex((e) => e.handle === handle);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  stop(): void {
    this.stopRequested = true;
  }

  peekTime(): number {
    return this.queue.length > 0 ? this.queue[0]!.time : Infinity;
  }

  step(): boolean {
    const e = this.queue.shift();
    if (e === undefined) return false;
    this.now = e.time;
    this.eventsRun++;
    e.fn(e.arg);
    return true;
  }

  run(options: RunOptions = {}): RunStop {
    const until = options.until ?? Infinity;
    if (until < this.now) throw new RangeError("until in the past");
    const maxEvents = options.maxEvents ?? Infinity;
    this.stopRequested = false;
    for (let ran = 0; ; ran++) {
      if (this.queue.length === 0) {
        if (until === Infinity) return "empty";
        this.now = until;
        return "until";
      }
      if (this.queue[0]!.time > until) {
        this.now = until;
        return "until";
      }
      if (ran >= maxEvents) return "maxEvents";
      this.step();
      if (this.stopRequested) {
        this.stopRequested = false;
        return "stopped";
      }
    }
  }
}

/** Runs `body` on a fresh Simulator and returns the labels logged by events, in order. */
function order(body: (sim: Simulator, log: (label: string) => EventFn<unknown>) => void): string[] {
  const sim = new Simulator();
  const out: string[] = [];
  body(sim, (label) => () => out.push(label));
  sim.run();
  return out;
}

describe("Simulator: ordering", () => {
  it("runs events in time order", () => {
    expect(
      order((sim, log) => {
        sim.schedule(3, log("c"));
        sim.schedule(1, log("a"));
        sim.schedule(2, log("b"));
        sim.at(0.5, log("first"));
      }),
    ).toEqual(["first", "a", "b", "c"]);
  });

  it("runs events at the same time first-in, first-out", () => {
    expect(
      order((sim, log) => {
        for (const label of ["a", "b", "c", "d", "e"]) sim.schedule(1, log(label));
        sim.at(1, log("f"));
        sim.schedule(0.5, log("early"));
        sim.schedule(1, log("g"));
      }),
    ).toEqual(["early", "a", "b", "c", "d", "e", "f", "g"]);
  });

  it("runs delay-0 events scheduled by an event after the already queued same-time events", () => {
    const sim = new Simulator();
    const out: string[] = [];
    sim.schedule(1, () => {
      out.push("a");
      sim.schedule(0, () => {
        out.push("a0");
        sim.schedule(0, () => out.push("a00"));
      });
    });
    sim.schedule(1, () => out.push("b"));
    sim.schedule(2, () => out.push("c"));
    expect(sim.run({ until: 1 })).toBe("until");
    expect(out).toEqual(["a", "b", "a0", "a00"]);
    expect(sim.now).toBe(1);
    sim.run();
    expect(out).toEqual(["a", "b", "a0", "a00", "c"]);
  });

  it("advances the clock to each event's time and counts events", () => {
    const sim = new Simulator();
    const seen: number[] = [];
    for (const d of [5, 0, 2.5]) sim.schedule(d, () => seen.push(sim.now));
    expect(sim.pending).toBe(3);
    expect(sim.run()).toBe("empty");
    expect(seen).toEqual([0, 2.5, 5]);
    expect(sim.now).toBe(5);
    expect(sim.eventsRun).toBe(3);
    expect(sim.pending).toBe(0);
  });

  it("passes the argument to the callback", () => {
    const sim = new Simulator();
    const got: unknown[] = [];
    const arg = { x: 1 };
    sim.schedule(1, (a) => got.push(a), arg);
    sim.schedule(1, (a) => got.push(a));
    sim.run();
    expect(got[0]).toBe(arg);
    expect(got[1]).toBeUndefined();
  });
});

describe("Simulator: cancel", () => {
  it("cancelled events do not run or count, and cancelling twice returns false", () => {
    const sim = new Simulator();
    const out: string[] = [];
    sim.schedule(1, () => out.push("a"));
    const b = sim.schedule(1, () => out.push("b"));
    sim.schedule(2, () => out.push("c"));
    expect(sim.cancel(b)).toBe(true);
    expect(sim.pending).toBe(2);
    expect(sim.cancel(b)).toBe(false);
    expect(sim.pending).toBe(2);
    sim.run();
    expect(out).toEqual(["a", "c"]);
    expect(sim.eventsRun).toBe(2);
  });

  it("cancel after the event ran returns false", () => {
    const sim = new Simulator();
    const h = sim.schedule(1, () => {});
    sim.run();
    expect(sim.cancel(h)).toBe(false);
    expect(sim.eventsRun).toBe(1);
  });

  it("an old handle does not cancel a new event that reuses its storage", () => {
    const sim = new Simulator();
    const old = sim.schedule(1, () => {});
    sim.run();
    let ran = false;
    const fresh = sim.schedule(1, () => (ran = true));
    expect(fresh).not.toBe(old);
    expect(sim.cancel(old)).toBe(false);
    sim.run();
    expect(ran).toBe(true);
  });

  it("handles are unique across many reuses", () => {
    const sim = new Simulator();
    const seen = new Set<number>();
    const tick = (): void => {
      if (sim.eventsRun < 50_000) seen.add(sim.schedule(1, tick));
    };
    seen.add(sim.schedule(0, tick));
    sim.run();
    expect(seen.size).toBe(50_000);
  });

  it("cancelling from inside an event: a later event, a same-time event, and itself", () => {
    const sim = new Simulator();
    const out: string[] = [];
    let self = -1;
    let sameTime = -1;
    let later = -1;
    self = sim.schedule(1, () => {
      out.push("a");
      expect(sim.cancel(sameTime)).toBe(true);
      expect(sim.cancel(later)).toBe(true);
      expect(sim.cancel(self)).toBe(false); // already running: it has fired
    });
    sameTime = sim.schedule(1, () => out.push("b"));
    sim.schedule(1, () => out.push("c"));
    later = sim.schedule(5, () => out.push("d"));
    sim.run();
    expect(out).toEqual(["a", "c"]);
    expect(sim.eventsRun).toBe(2);
    expect(sim.now).toBe(1);
  });

  it("cancel of garbage handles returns false", () => {
    const sim = new Simulator();
    sim.schedule(1, () => {});
    for (const h of [-1, 0.5, NaN, 2 ** 60, 12345678]) expect(sim.cancel(h)).toBe(false);
    expect(sim.pending).toBe(1);
  });

  it("peekTime and step skip cancelled events", () => {
    const sim = new Simulator();
    const a = sim.schedule(1, () => {});
    sim.schedule(2, () => {});
    sim.cancel(a);
    expect(sim.peekTime()).toBe(2);
    expect(sim.step()).toBe(true);
    expect(sim.now).toBe(2);
    expect(sim.step()).toBe(false);
  });
});

describe("Simulator: run, step, stop, peekTime", () => {
  it("run({until}) runs events at or before until and leaves the clock there", () => {
    const sim = new Simulator();
    const out: number[] = [];
    for (const t of [1, 2, 3, 4]) sim.at(t, () => out.push(t));
    expect(sim.run({ until: 3 })).toBe("until");
    expect(out).toEqual([1, 2, 3]);
    expect(sim.now).toBe(3);
    expect(sim.run({ until: 3.5 })).toBe("until");
    expect(sim.now).toBe(3.5);
    expect(sim.run({ until: 10 })).toBe("until");
    expect(out).toEqual([1, 2, 3, 4]);
    expect(sim.now).toBe(10);
    expect(() => sim.run({ until: 9 })).toThrow(RangeError);
    expect(() => sim.run({ until: NaN })).toThrow(RangeError);
  });

  it("run() stops when the queue is empty; run({until}) on an empty queue moves the clock", () => {
    const sim = new Simulator();
    expect(sim.run()).toBe("empty");
    expect(sim.now).toBe(0);
    expect(sim.run({ until: 7 })).toBe("until");
    expect(sim.now).toBe(7);
    sim.schedule(1, () => {});
    expect(sim.run()).toBe("empty");
    expect(sim.now).toBe(8);
  });

  it("maxEvents runs in slices", () => {
    const sim = new Simulator();
    const out: number[] = [];
    for (let i = 0; i < 10; i++) sim.schedule(i, () => out.push(i));
    expect(sim.run({ maxEvents: 4 })).toBe("maxEvents");
    expect(out).toEqual([0, 1, 2, 3]);
    expect(sim.run({ maxEvents: 0 })).toBe("maxEvents");
    expect(sim.run({ maxEvents: 4, until: 5 })).toBe("until");
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sim.run({ maxEvents: 100 })).toBe("empty");
    expect(out.length).toBe(10);
  });

  it("a spent event budget still reports an empty queue or a passed `until`", () => {
    const sim = new Simulator();
    expect(sim.run({ maxEvents: 0 })).toBe("empty");
    expect(sim.run({ maxEvents: 0, until: 3 })).toBe("until");
    expect(sim.now).toBe(3);
    sim.schedule(5, () => {});
    expect(sim.run({ maxEvents: 0, until: 4 })).toBe("until");
    expect(sim.now).toBe(4);
    expect(sim.run({ maxEvents: 0, until: 10 })).toBe("maxEvents");
    expect(sim.now).toBe(4);
    // The one event ran, and nothing is left: empty, though the budget is spent too.
    expect(sim.run({ maxEvents: 1 })).toBe("empty");
    expect(sim.eventsRun).toBe(1);
  });

  it("stop() makes run return after the current event; the next run continues", () => {
    const sim = new Simulator();
    const out: number[] = [];
    for (let i = 0; i < 5; i++) {
      sim.schedule(i, () => {
        out.push(i);
        if (i === 1) sim.stop();
      });
    }
    expect(sim.run()).toBe("stopped");
    expect(out).toEqual([0, 1]);
    expect(sim.now).toBe(1);
    expect(sim.run()).toBe("empty");
    expect(out).toEqual([0, 1, 2, 3, 4]);
  });

  it("a stop() outside run does not affect the next run", () => {
    const sim = new Simulator();
    sim.schedule(1, () => {});
    sim.schedule(2, () => {});
    sim.stop();
    expect(sim.run()).toBe("empty");
    expect(sim.eventsRun).toBe(2);
  });

  it("step runs exactly one event; peekTime reports the next time", () => {
    const sim = new Simulator();
    expect(sim.peekTime()).toBe(Infinity);
    expect(sim.step()).toBe(false);
    const out: string[] = [];
    sim.schedule(2, () => out.push("b"));
    sim.schedule(1, () => out.push("a"));
    expect(sim.peekTime()).toBe(1);
    expect(sim.now).toBe(0);
    expect(sim.step()).toBe(true);
    expect(out).toEqual(["a"]);
    expect(sim.now).toBe(1);
    expect(sim.peekTime()).toBe(2);
    // Scheduling after a peek, before the peeked event: the new one comes first.
    sim.schedule(0.5, () => out.push("between"));
    expect(sim.peekTime()).toBe(1.5);
    expect(sim.step()).toBe(true);
    expect(sim.step()).toBe(true);
    expect(sim.step()).toBe(false);
    expect(out).toEqual(["a", "between", "b"]);
  });
});

describe("Simulator: errors", () => {
  it("rejects negative, NaN and infinite delays", () => {
    const sim = new Simulator();
    for (const d of [-1, -1e-9, -Infinity, NaN, Infinity]) {
      expect(() => sim.schedule(d, () => {})).toThrow(RangeError);
      expect(() => sim.scheduleWithoutHandle(d, () => {})).toThrow(RangeError);
    }
    expect(() => sim.scheduleWithoutHandle(1, null as unknown as EventFn)).toThrow(TypeError);
    expect(() => sim.schedule(-1, () => {})).toThrow(/delay must be a finite number ≥ 0 ms, got -1/);
    expect(() => sim.schedule(1, null as unknown as EventFn)).toThrow(TypeError);
    expect(sim.pending).toBe(0);
  });

  it("rejects scheduling in the past or at a non-finite time", () => {
    const sim = new Simulator();
    sim.run({ until: 10 });
    for (const t of [9.999, -1, NaN, Infinity, -Infinity]) {
      expect(() => sim.at(t, () => {})).toThrow(RangeError);
    }
    expect(() => sim.at(5, () => {})).toThrow(/cannot schedule at 5 ms, the clock is already at 10 ms/);
    expect(() => sim.at(10, () => {})).not.toThrow();
    expect(sim.pending).toBe(1);
  });
});

// ---- property test against the reference model ----

type Op =
  | { kind: "schedule"; delay: number; chain: number; fanout: number }
  | { kind: "at"; delay: number; chain: number; fanout: number }
  | { kind: "burst"; count: number; chain: number; fanout: number }
  | { kind: "cancel"; pick: number }
  | { kind: "cancelMany"; start: number; stride: number }
  | { kind: "step" }
  | { kind: "peek" }
  | { kind: "run"; until: number | null; maxEvents: number | null };

interface Script {
  ops: Op[];
  /** Delays used, in turn, by bursts and by events scheduling children. */
  delays: number[];
}

interface Probe {
  id: number;
  /** How many more generations this event's chain continues (hold-model style). */
  chain: number;
  /** Extra leaf events scheduled at each link of the chain. */
  fanout: number;
}

/**
 * Applies a script to a simulator and logs everything observable. Events log
 * their id and time, schedule new events from inside an event (a chain of
 * `chain` successors, plus `fanout` leaves at each link), cancel other events
 * from inside an event and sometimes call stop().
 */
function drive(sim: SimLike, script: Script): unknown[] {
  const log: unknown[] = [];
  const handles: number[] = [];
  let cursor = 0;
  const nextDelay = (): number => script.delays[cursor++ % script.delays.length]!;
  const add = (delay: number, chain: number, fanout: number, absolute: boolean): void => {
    const probe: Probe = { id: handles.length, chain, fanout };
    handles.push(absolute ? sim.at(sim.now + delay, fire, probe) : sim.schedule(delay, fire, probe));
  };
  /** An event scheduled without a handle: cancelling its entry (-1) must do nothing. */
  const addWithoutHandle = (delay: number): void => {
    const probe: Probe = { id: handles.length, chain: 0, fanout: 0 };
    handles.push(-1);
    sim.scheduleWithoutHandle(delay, fire, probe);
  };
  const fire = (p: Probe): void => {
    log.push(["run", p.id, sim.now]);
    for (let i = 0; i < p.fanout; i++) {
      if (i % 2 === 0) add(nextDelay(), 0, 0, false);
      else addWithoutHandle(nextDelay());
    }
    if (p.chain > 0) add(nextDelay(), p.chain - 1, p.fanout, false);
    if (p.id % 3 === 0) {
      const target = (p.id * 7 + cursor) % handles.length;
      log.push(["cancel in event", target, sim.cancel(handles[target]!)]);
    }
    if (p.id % 23 === 11) sim.stop();
  };
  for (const op of script.ops) {
    switch (op.kind) {
      case "schedule":
      case "at":
        add(op.delay, op.chain, op.fanout, op.kind === "at");
        break;
      case "burst":
        for (let i = 0; i < op.count; i++) add(nextDelay(), op.chain, op.fanout, false);
        break;
      case "cancel":
        if (handles.length > 0) {
          const target = op.pick % handles.length;
          log.push(["cancel", target, sim.cancel(handles[target]!)]);
        }
        break;
      case "cancelMany": {
        // Mass cancellation (say, every request of a departed peer): exercises purging.
        const results: boolean[] = [];
        for (let id = op.start % Math.max(1, handles.length); id < handles.length; id += op.stride) {
          results.push(sim.cancel(handles[id]!));
        }
        log.push(["cancelMany", results]);
        break;
      }
      case "step":
        log.push(["step", sim.step(), sim.now]);
        break;
      case "peek":
        log.push(["peek", sim.peekTime()]);
        break;
      case "run": {
        const options: RunOptions = {};
        if (op.until !== null) options.until = sim.now + op.until;
        if (op.maxEvents !== null) options.maxEvents = op.maxEvents;
        log.push(["run", sim.run(options), sim.now]);
        break;
      }
    }
    log.push(["pending", sim.pending, sim.eventsRun]);
  }
  log.push(["drain", sim.run(), sim.now, sim.eventsRun, sim.pending]);
  return log;
}

// Delays mixing many exact ties, zeros, sub-ms values, tiny and huge ones.
const delayArb = fc.oneof(
  fc.constant(0),
  fc.constantFrom(1, 2, 50),
  fc.double({ min: 0, max: 10, noNaN: true }),
  fc.double({ min: 0, max: 1e-9, noNaN: true }),
  fc.constantFrom(3.6e6, 7.2e6 + 0.25, 1e12),
);

const chainArb = fc.nat(10);
const fanoutArb = fc.nat(2);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("schedule" as const), delay: delayArb, chain: chainArb, fanout: fanoutArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("at" as const), delay: delayArb, chain: chainArb, fanout: fanoutArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("burst" as const),
      count: fc.integer({ min: 1, max: 300 }),
      chain: chainArb,
      fanout: fanoutArb,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("cancelMany" as const),
      start: fc.nat(),
      stride: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("step" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("peek" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("run" as const),
      until: fc.option(delayArb),
      maxEvents: fc.option(fc.nat(300)),
    }),
  },
);

/** `n` values drawn from a seeded stream: truly spread out, unlike fast-check's boundary-biased doubles. */
function seeded(seed: number, n: number, draw: (rng: Rng) => number): number[] {
  const rng = new Rng(seed).fork("delays");
  return Array.from({ length: n }, () => draw(rng));
}

const poolSizeArb = fc.integer({ min: 50, max: 200 });

const delaysArb: fc.Arbitrary<number[]> = fc.oneof(
  fc.array(delayArb, { minLength: 1, maxLength: 30 }),
  // Only a few distinct values: lots of exact ties.
  fc.array(fc.constantFrom(0, 1, 2), { minLength: 1, maxLength: 5 }),
  // Spread out: exercises buckets and finer rungs.
  fc.tuple(fc.nat(), poolSizeArb).map(([seed, n]) => seeded(seed, n, (r) => r.uniform(0, 100))),
  fc.tuple(fc.nat(), poolSizeArb).map(([seed, n]) => seeded(seed, n, (r) => r.exponential(1))),
  // Spread out plus a few far-future values: a coarse calendar refined near the front.
  fc
    .tuple(fc.nat(), poolSizeArb, fc.array(fc.constantFrom(3.6e6, 1e9), { minLength: 1, maxLength: 3 }))
    .map(([seed, n, far]) => [...far, ...seeded(seed, n, (r) => r.uniform(0, 10))]),
);

const scriptArb: fc.Arbitrary<Script> = fc.record({
  ops: fc.array(opArb, { maxLength: 40, size: "medium" }),
  delays: delaysArb,
});

describe("Simulator: property test against a reference model", () => {
  it("does exactly what a sorted (time, sequence) list does", () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        expect(drive(new Simulator(), script)).toEqual(drive(new ReferenceSim(), script));
      }),
      { numRuns: 1000 },
    );
  });
});

// ---- large workloads: order and completeness ----

/**
 * Schedules probe events through `add`, runs them, and checks that they ran in
 * (time, insertion) order and that every event not cancelled ran exactly once.
 * With all times ≥ now at insertion, that is exactly "each event ran when it
 * was the earliest pending one".
 */
class OrderCheck {
  readonly sim = new Simulator();
  private seq = 0;
  private lastTime = -Infinity;
  private lastSeq = -1;
  private ran = 0;
  private scheduled = 0;
  private cancelled = 0;
  private bad = "";

  add(delay: number, then?: (seq: number) => void): number {
    this.scheduled++;
    return this.sim.schedule(delay, this.fire, { seq: this.seq++, then });
  }

  addAt(time: number, then?: (seq: number) => void): number {
    this.scheduled++;
    return this.sim.at(time, this.fire, { seq: this.seq++, then });
  }

  cancel(handle: number): void {
    if (this.sim.cancel(handle)) this.cancelled++;
  }

  private fire = (p: { seq: number; then?: ((seq: number) => void) | undefined }): void => {
    const t = this.sim.now;
    if (!(t > this.lastTime || (t === this.lastTime && p.seq > this.lastSeq)) && this.bad === "") {
      this.bad = `event #${p.seq} at ${t} ran after #${this.lastSeq} at ${this.lastTime}`;
    }
    this.lastTime = t;
    this.lastSeq = p.seq;
    this.ran++;
    p.then?.(p.seq);
  };

  /** Runs to the end and checks. */
  finish(): void {
    expect(this.sim.run()).toBe("empty");
    expect(this.bad).toBe("");
    expect(this.ran).toBe(this.scheduled - this.cancelled);
    expect(this.sim.eventsRun).toBe(this.ran);
    expect(this.sim.pending).toBe(0);
  }
}

describe("Simulator: large workloads run in order", () => {
  it("hold model, exponential delays", () => {
    const c = new OrderCheck();
    const rng = new Rng(1).fork("test");
    let left = 300_000;
    const hold = (): void => {
      if (left-- > 0) c.add(rng.exponential(1), hold);
    };
    for (let i = 0; i < 50_000; i++) c.add(rng.exponential(1), hold);
    c.finish();
  });

  it("constant delay with all events in lockstep (100k ties per instant)", () => {
    const c = new OrderCheck();
    let left = 300_000;
    const hold = (): void => {
      if (left-- > 0) c.add(1, hold);
    };
    for (let i = 0; i < 100_000; i++) c.add(1, hold);
    c.finish();
  });

  it("constant delay from random starting times", () => {
    const c = new OrderCheck();
    const rng = new Rng(2).fork("test");
    let left = 300_000;
    const hold = (): void => {
      if (left-- > 0) c.add(50, hold);
    };
    for (let i = 0; i < 50_000; i++) c.add(rng.uniform(0, 50), hold);
    c.finish();
  });

  it("a few distinct latencies (a latency matrix)", () => {
    const c = new OrderCheck();
    const rng = new Rng(3).fork("test");
    const latencies = [10, 20, 20, 35, 80];
    let left = 300_000;
    const hold = (): void => {
      if (left-- > 0) c.add(rng.pick(latencies), hold);
    };
    for (let i = 0; i < 30_000; i++) c.add(rng.pick(latencies), hold);
    c.finish();
  });

  it("hour-long timers mixed with sub-millisecond delays, most timers cancelled", () => {
    const c = new OrderCheck();
    const rng = new Rng(4).fork("test");
    let left = 200_000;
    const hold = (): void => {
      if (left-- <= 0) return;
      const timer = c.add(rng.uniform(3.6e6, 4 * 3.6e6));
      if (rng.chance(0.9)) c.cancel(timer);
      c.add(rng.exponential(0.1), hold);
    };
    for (let i = 0; i < 10_000; i++) c.add(rng.exponential(0.1), hold);
    c.finish();
  });

  it("drains to empty and refills, in slices", () => {
    const c = new OrderCheck();
    const rng = new Rng(5).fork("test");
    for (let round = 0; round < 40; round++) {
      const n = rng.int(3000);
      for (let i = 0; i < n; i++) c.add(rng.chance(0.3) ? 0 : rng.exponential(round % 2 === 0 ? 1 : 1000));
      while (c.sim.run({ maxEvents: 777 }) === "maxEvents") {
        for (let i = 0; i < 10; i++) c.add(rng.exponential(1));
      }
      expect(c.sim.pending).toBe(0);
      c.sim.run({ until: c.sim.now + rng.exponential(100) });
    }
    c.finish();
  });

  it("fan-out at one instant: delay-0 events scheduling delay-0 events", () => {
    const c = new OrderCheck();
    const rng = new Rng(6).fork("test");
    let left = 200_000;
    const spawn = (): void => {
      if (left <= 0) return;
      left -= 2;
      c.add(0, spawn);
      c.add(rng.chance(0.5) ? 0 : rng.uniform(0, 1e-6), spawn);
    };
    for (let i = 0; i < 1000; i++) c.add(5, spawn);
    c.finish();
  });

  it("join times scheduled in order, then in reverse order, each starting short activity", () => {
    for (const reverse of [false, true]) {
      const c = new OrderCheck();
      const rng = new Rng(7).fork("test");
      const activity = (): void => {
        for (let i = 0; i < 3; i++) c.add(rng.exponential(20));
      };
      const n = 50_000;
      for (let i = 0; i < n; i++) c.addAt((reverse ? n - i : i) * 36, activity);
      c.addAt(3.6e6 * 10, () => {});
      c.finish();
    }
  });

  it("huge times with steps at the edge of float resolution", () => {
    const c = new OrderCheck();
    const rng = new Rng(8).fork("test");
    c.sim.run({ until: 1e12 });
    let left = 200_000;
    // ulp(1e12) ≈ 1.2e-4: many of these delays round to the same time or to 0.
    const hold = (): void => {
      if (left-- > 0) c.add(rng.uniform(0, 1e-3), hold);
    };
    for (let i = 0; i < 20_000; i++) c.add(rng.uniform(0, 1e-3), hold);
    c.finish();
  });

  it("subnormal times just above zero", () => {
    const c = new OrderCheck();
    const rng = new Rng(9).fork("test");
    for (let i = 0; i < 5_000; i++) c.addAt(rng.int(8) * Number.MIN_VALUE, () => c.add(rng.int(3) * Number.MIN_VALUE));
    for (let i = 0; i < 5_000; i++) c.addAt(rng.uniform(0, 1e-300));
    c.finish();
  });

  it("cancelled timers do not pile up in memory", () => {
    // Each event sets a one-hour timeout and cancels it at once (a reply came):
    // the dead entries must be purged, not kept for an hour of simulated time.
    const q = new EventQueue();
    const rng = new Rng(11).fork("test");
    const noop = (): void => {};
    for (let i = 0; i < 1000; i++) q.add(rng.exponential(1), noop, undefined);
    let maxStored = 0;
    let inOrder = true;
    let cancelled = 0;
    let last = 0;
    for (let e = 0; e < 300_000; e++) {
      const slot = q.peek();
      const now = q.timeOf(slot);
      inOrder &&= now >= last;
      last = now;
      q.pop();
      if (q.cancel(q.add(now + 3.6e6 + rng.uniform(0, 1000), noop, undefined))) cancelled++;
      q.add(now + rng.exponential(1), noop, undefined);
      maxStored = Math.max(maxStored, q.stored);
    }
    expect(inOrder).toBe(true);
    expect(cancelled).toBe(300_000);
    expect(q.size).toBe(1000);
    expect(maxStored).toBeLessThan(10_000);
  });

  it("a purge keeps the heap of late arrivals in order", () => {
    for (let seed = 0; seed < 8; seed++) {
      const q = new EventQueue();
      const noop = (): void => {};
      q.add(0, noop, undefined);
      q.add(1000, noop, undefined);
      q.peek();
      q.pop(); // the bottom now holds [1000]; earlier arrivals go to its heap
      const arrivals = new Rng(seed).fork("test").shuffle(Array.from({ length: 40 }, (_, i) => 461 + i));
      const kept: number[] = [];
      arrivals.forEach((t, i) => {
        const handle = q.add(t, noop, undefined);
        // Cancel the earliest (the heap's root) and a few others.
        if (t === 461 || i % 5 === 0) expect(q.cancel(handle)).toBe(true);
        else kept.push(t);
      });
      for (let i = 0; i < 200; i++) expect(q.cancel(q.add(2000 + i, noop, undefined))).toBe(true);
      expect(q.stored).toBeLessThan(100); // purged
      const times: number[] = [];
      for (let slot = q.peek(); slot >= 0; slot = q.peek()) {
        times.push(q.timeOf(slot));
        q.pop();
      }
      expect(times).toEqual([...kept.sort((a, b) => a - b), 1000]);
    }
  });

  it("a million pending events", () => {
    const c = new OrderCheck();
    const rng = new Rng(10).fork("test");
    for (let i = 0; i < 1_000_000; i++) c.add(rng.chance(0.1) ? rng.exponential(3.6e6) : rng.exponential(10));
    c.finish();
  });
});
