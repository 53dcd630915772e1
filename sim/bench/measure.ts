import { performance } from "node:perf_hooks";

/**
 * Wall and CPU clocks for benchmarks. The machine benchmarks run on is often
 * shared, so CPU seconds (process.cpuUsage: every thread of the process, the
 * garbage collector's included) are the number to compare between runs; wall
 * seconds are reported beside them.
 */
export interface Stamp {
  wall: number;
  cpu: number;
}

export function stamp(): Stamp {
  const c = process.cpuUsage();
  return { wall: performance.now() / 1000, cpu: (c.user + c.system) / 1e6 };
}

/** Seconds of wall and CPU time from `a` to `b`. */
export function elapsed(a: Stamp, b: Stamp): { seconds: number; cpuSeconds: number } {
  return { seconds: round3(b.wall - a.wall), cpuSeconds: round3(b.cpu - a.cpu) };
}

/**
 * Live bytes (JS heap plus typed-array and other off-heap memory) after a full
 * collection, or null when Node was started without --expose-gc (bench/main.ts
 * starts every workload with it).
 */
export function liveBytes(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") return null;
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** What every workload reports, whatever it measures besides. */
export interface Timing {
  events: number;
  setupSeconds: number;
  setupCpuSeconds: number;
  loopSeconds: number;
  loopCpuSeconds: number;
  eventsPerSecond: number;
  eventsPerCpuSecond: number;
  /** Live memory the setup added, per peer (null without peers or without --expose-gc). */
  bytesPerPeer: number | null;
}

/**
 * Times `setup` and then `loop` (which returns the number of events it ran),
 * and measures the live memory setup added, divided over `peers`.
 */
export function timePhases<S>(peers: number | null, setup: () => S, loop: (state: S) => number): { state: S; timing: Timing } {
  const before = peers !== null ? liveBytes() : null;
  const t0 = stamp();
  const state = setup();
  const t1 = stamp();
  const after = before !== null ? liveBytes() : null;
  const t2 = stamp();
  const events = loop(state);
  const t3 = stamp();
  const s = elapsed(t0, t1);
  const l = elapsed(t2, t3);
  return {
    state,
    timing: {
      events,
      setupSeconds: s.seconds,
      setupCpuSeconds: s.cpuSeconds,
      loopSeconds: l.seconds,
      loopCpuSeconds: l.cpuSeconds,
      eventsPerSecond: rate(events, l.seconds),
      eventsPerCpuSecond: rate(events, l.cpuSeconds),
      bytesPerPeer: before !== null && after !== null && peers ? Math.round((after - before) / peers) : null,
    },
  };
}

function rate(events: number, seconds: number): number {
  return seconds > 0 ? Math.round(events / seconds) : 0;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
