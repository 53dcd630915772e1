import { describe, expect, it } from "vitest";
import { LookupState } from "../../../sim/metrics/lookups.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** A static network of `peers` peers around a central index; constant latency; lookups spread over the run. */
function central(index: object, extra: { peers?: number; lookups?: object; duration?: string; keepAlive?: string; churn?: object } = {}) {
  const simulation = new Simulation(
    validateScenario(
      {
        seed: 3,
        duration: extra.duration ?? "2m",
        peers: { count: extra.peers ?? 100, joinOver: "10s" },
        network: { latency: { model: "constant", delay: "20ms" } },
        churn: extra.churn ?? { model: "none" },
        overlay: { type: "hybrid", keepAliveInterval: extra.keepAlive ?? "10s", index },
        workload: { keys: 300, popularity: { distribution: "uniform" }, lookups: extra.lookups ?? { count: 1000 }, timeout: "20s" },
        metrics: { warmup: "15s", interval: "10s" },
      },
      "central.yaml",
    ),
  );
  simulation.runToEnd();
  return { simulation, summary: simulation.finish().summary };
}

describe("central index", () => {
  it("registers every peer and answers every lookup in a static network, in 2 hops", () => {
    const { simulation, summary } = central({});
    expect(summary.counters.registrations).toBe(0); // all registered during the warm-up...
    const rows = simulation.recorder.timeSeries();
    expect(rows[rows.length - 1]!.index_registered).toBe(100); // ...and still known at the end
    expect(summary.lookups.completed + summary.lookups.unfinished).toBe(1000);
    expect(summary.lookups.failed).toBe(0);
    const t = simulation.lookups;
    for (let id = 0; id < t.size; id++) expect([0, 2]).toContain(t.hops[id]); // 0: the requester holds the key
    // Each lookup to the index costs a query, its answer, a fetch and its answer.
    const viaIndex = summary.lookups.hops.histogram[2]!;
    expect(summary.counters.indexServed! - viaIndex).toBeLessThanOrEqual(summary.lookups.unfinished);
    expect(summary.lookups.messagesPerLookup).toBeCloseTo((4 * viaIndex) / summary.lookups.completed, 3);
    expect(summary.counters.indexRejected).toBe(0);
    // Latency: query + answer + fetch + answer = 4 × 20 ms, plus service and queueing at the index.
    expect(summary.lookups.latencyMs.p50).toBeGreaterThanOrEqual(80);
    expect(summary.lookups.latencyMs.p50).toBeLessThan(85);
  });

  it("fails lookups while the index is down and recovers once peers have re-registered", () => {
    const { simulation, summary } = central({ failures: [{ at: "40s", restartAt: "70s" }] }, { duration: "110s" });
    const t = simulation.lookups;
    let during = 0;
    let after = 0;
    for (let id = 0; id < t.size; id++) {
      const start = t.startMs[id]!;
      const selfHeld = t.state[id] === LookupState.Succeeded && t.hops[id] === 0;
      if (start > 40_000 && start < 70_000 - 2_100 && !selfHeld) {
        during++;
        expect(t.state[id]).toBe(LookupState.Failed);
      }
      // Within one keep-alive interval (10 s) of the restart every peer has registered again.
      if (start > 81_000 && start < 90_000) {
        after++;
        expect(t.state[id]).toBe(LookupState.Succeeded);
      }
    }
    expect(during).toBeGreaterThan(200);
    expect(after).toBeGreaterThan(50);
    expect(summary.counters.indexCrashes).toBe(1);
    expect(summary.counters.lookupsIndexDown).toBe(summary.counters.indexTimeouts);
    expect(summary.counters.reRegistrations).toBe(100); // every peer, once
    const rows = simulation.recorder.timeSeries();
    const at = (s: number) => rows.find((r) => r.time_s === s)!;
    expect(at(60).index_servers_up).toBe(0);
    expect(at(60).index_registered).toBe(0);
    expect(at(110).index_registered).toBe(100);
  });

  it("keeps answering when one of two replicated servers fails", () => {
    const { summary } = central({ servers: 2, failures: [{ at: "40s", server: 0 }] });
    expect(summary.lookups.successRatio).toBe(1);
    expect(summary.counters.indexTimeouts).toBeGreaterThan(0); // lookups that tried the dead one first
    expect(summary.counters.lookupsIndexDown).toBe(0);
  });

  it("rejects queries beyond maxQueue, and the queue never grows past it", () => {
    // 40 lookups/s offered to a server that answers 20/s.
    const { summary } = central({ serviceRate: "20/s", maxQueue: 5 }, { lookups: { rate: "40/s" } });
    const c = summary.counters;
    expect(c.indexRejected).toBeGreaterThan(0);
    // One server: a rejection ends the lookup (counted when its answer arrives, so one may straddle the warm-up's end).
    expect(Math.abs(c.lookupsRejected! - c.indexRejected!)).toBeLessThanOrEqual(1);
    expect(Math.abs(summary.lookups.failed - c.lookupsRejected!)).toBeLessThanOrEqual(1);
    const seconds = summary.measuredSeconds;
    expect(c.indexBusyMs! / (seconds * 1000)).toBeGreaterThan(0.98); // saturated
    expect(c.indexQueueMs! / (seconds * 1000)).toBeLessThanOrEqual(5);
    expect(c.indexQueueMs! / (seconds * 1000)).toBeGreaterThan(4);
    // Served at about 20/s (exponential service times: ±a few %), the rest rejected.
    expect(c.indexServed! / seconds).toBeGreaterThan(18.5);
    expect(c.indexServed! / seconds).toBeLessThan(21.5);
  });

  it("without maxQueue an overloaded index queues without bound: waiting time grows and lookups time out", () => {
    const { simulation, summary } = central({ serviceRate: "20/s" }, { lookups: { rate: "25/s" } });
    const rows = simulation.recorder.timeSeries().filter((r) => r.phase === "measure");
    const wait = rows.map((r) => r.index_wait_mean_ms as number);
    for (let i = 1; i < wait.length; i++) expect(wait[i]!).toBeGreaterThan(wait[i - 1]!);
    expect(wait[wait.length - 1]!).toBeGreaterThan(3 * wait[0]!);
    for (const r of rows) expect(r.index_utilisation).toBeGreaterThan(0.99);
    // Answers come later than the requesters' 2 s patience: the index works on lookups already given up.
    expect(rows[rows.length - 1]!.success_ratio).toBeLessThan(0.05); // only requesters that hold the key themselves
    expect(summary.counters.indexTimeouts).toBeGreaterThan(1000);
  });

  it("purges crashed holders when a fetch to them fails", () => {
    const churn = { model: "sessions", session: { distribution: "exponential", mean: "2m" }, offline: { distribution: "exponential", mean: "2m" }, gracefulLeave: 0 };
    const { summary } = central({}, { churn, keepAlive: "1h", duration: "3m", lookups: { rate: "20/s" } });
    const c = summary.counters;
    expect(c.fetchTimeouts).toBeGreaterThan(0);
    expect(c.purgedByReport).toBeGreaterThan(0);
    expect(c.purgedByReport).toBeLessThanOrEqual(c.fetchTimeouts!);
  });
});
