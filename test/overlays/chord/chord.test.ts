import { describe, expect, it } from "vitest";
import { LookupState } from "../../../sim/metrics/lookups.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** A Chord network with constant latency; `overlay` and the rest override the defaults here. */
function chordRun(overlay: object, extra: { peers?: number; duration?: string; joinOver?: string; lookups?: number; warmup?: string; interval?: string; churn?: object; faults?: object[] } = {}) {
  const scenario = validateScenario(
    {
      seed: 3,
      duration: extra.duration ?? "2m",
      peers: { count: extra.peers ?? 200, joinOver: extra.joinOver ?? "0s" },
      network: { latency: { model: "constant", delay: "10ms" } },
      ...(extra.churn ? { churn: extra.churn } : {}),
      ...(extra.faults ? { faults: extra.faults } : {}),
      overlay: { type: "chord", ...overlay },
      workload: { keys: 10_000, popularity: { distribution: "uniform" }, lookups: { count: extra.lookups ?? 500 }, timeout: "20s" },
      metrics: { warmup: extra.warmup ?? "0s", interval: extra.interval ?? "30s" },
    },
    "chord.yaml",
  );
  const simulation = new Simulation(scenario);
  return simulation;
}

const STATIC = { bootstrap: "oracle" } as const;
/** Maintenance frozen from the start: with STATIC, a ring that never changes unless a test changes it. */
const FROZEN = [{ kind: "freeze", at: "0s" }];

describe("chord on an oracle-built ring", () => {
  for (const routing of ["iterative", "recursive"] as const) {
    it(`${routing}: every lookup finds the true owner in at most log2 N + 1 hops`, () => {
      const simulation = chordRun({ ...STATIC, routing }, { faults: FROZEN });
      simulation.runToEnd();
      const { summary, timeSeries } = simulation.finish();
      expect(summary.lookups.successRatio).toBe(1);
      expect(summary.counters.wrongOwner).toBe(0);
      expect(summary.lookups.hops.max).toBeLessThanOrEqual(Math.ceil(Math.log2(200)) + 1);
      // The oracle ring is healthy from the start.
      for (const row of timeSeries) {
        expect(row.wrong_successors).toBe(0);
        expect(row.wrong_predecessors).toBe(0);
        expect(row.stale_fingers).toBe(0);
      }
    });
  }

  it("iterative and recursive routing take the same path", () => {
    const run = (routing: string) => {
      const s = chordRun({ ...STATIC, routing }, { faults: FROZEN });
      s.runToEnd();
      s.finish();
      return { hops: Array.from(s.lookups.hops.subarray(0, s.lookups.size)), state: Array.from(s.lookups.state.subarray(0, s.lookups.size)) };
    };
    const recursive = run("recursive");
    const iterative = run("iterative");
    // The iterative origin contacts the owner itself (one more round trip), so a lookup started just before the end may still be open.
    const both = recursive.state.map((s, i) => s === LookupState.Succeeded && iterative.state[i] === LookupState.Succeeded);
    expect(both.filter(Boolean).length).toBeGreaterThanOrEqual(498);
    expect(recursive.hops.filter((_, i) => both[i])).toEqual(iterative.hops.filter((_, i) => both[i]));
  });

  for (const routing of ["iterative", "recursive"] as const) {
    for (const onTimeout of ["forget", "keep"] as const) {
      it(`${routing}, ${onTimeout}: with a fifth of the peers crashed and maintenance frozen, every lookup still ends at the live true owner`, () => {
        // The paper's failure experiment in small: lookups move on to the next live successor-list entry.
        const simulation = chordRun({ ...STATIC, routing, successors: 8, onTimeout }, { duration: "3m", lookups: 400, warmup: "1m", faults: FROZEN });
        const live = [...simulation.population.livePeers()];
        simulation.sim.at(30_000, () => {
          for (let i = 0; i < live.length; i += 5) {
            simulation.population.markOffline(live[i]!);
            simulation.overlay.crash(live[i]!);
          }
        });
        simulation.runToEnd();
        const { summary } = simulation.finish();
        expect(summary.counters.wrongOwner).toBe(0);
        expect(summary.lookups.failed).toBe(0);
        expect(summary.lookups.successRatio).toBe(1);
        // Timeouts are counted per lookup; a retry is never a hop.
        const timeouts = summary.lookups.timeouts!;
        expect(timeouts.mean).toBeGreaterThan(0.1);
        expect(timeouts.histogram.reduce((a, b) => a + b, 0)).toBe(summary.lookups.completed);
        const t = simulation.lookups;
        for (let id = 0; id < t.size; id++) if (t.state[id] === LookupState.Succeeded) expect(t.hops[id]).toBeLessThanOrEqual(12);
        // The per-lookup counts add up to the counter (which counts by time, so lookups straddling the warm-up differ a little).
        // (A recursive hop may still time out after its lookup has ended: the counter has it, the lookup not.)
        expect(Math.abs(timeouts.mean * summary.lookups.completed - summary.counters.lookupTimeouts!)).toBeLessThanOrEqual(0.05 * summary.counters.lookupTimeouts! + 5);
      });
    }
  }

  it("keep: dead entries stay in the tables and cost more timeouts than forget", () => {
    const run = (onTimeout: string) => {
      const simulation = chordRun({ ...STATIC, successors: 8, onTimeout }, { duration: "3m", lookups: 400, warmup: "1m", faults: FROZEN });
      const live = [...simulation.population.livePeers()];
      simulation.sim.at(30_000, () => {
        for (let i = 0; i < live.length; i += 3) {
          simulation.population.markOffline(live[i]!);
          simulation.overlay.crash(live[i]!);
        }
      });
      simulation.runToEnd();
      return simulation.finish().summary.lookups.timeouts!.mean;
    };
    expect(run("keep")).toBeGreaterThan(run("forget") * 1.1);
  });
});

describe("chord graceful leave", () => {
  it("hands the leaver's place to its neighbours at once, with maintenance frozen", () => {
    const simulation = chordRun({ ...STATIC, routing: "recursive" }, { duration: "2m", lookups: 300, faults: FROZEN });
    const overlay = simulation.overlay as unknown as { truth: { peers: number[] } };
    simulation.sim.at(20_000, () => {
      // Every fifth peer in ring order, so no two leavers are neighbours.
      const leavers = overlay.truth.peers.filter((_, i) => i % 5 === 0);
      for (const peer of leavers) {
        simulation.overlay.leave(peer);
        simulation.population.markOffline(peer);
      }
    });
    simulation.runToEnd();
    const { summary, timeSeries } = simulation.finish();
    const after = timeSeries.filter((row) => Number(row.time_s) >= 30);
    for (const row of after) {
      expect(row.ring_peers).toBe(160);
      expect(row.wrong_successors).toBe(0);
      expect(row.wrong_predecessors).toBe(0);
      expect(Number(row.stale_fingers)).toBeGreaterThan(0); // other peers' fingers still name the leavers
    }
    expect(summary.traffic.byType.leaving!.messages).toBe(80);
    // Lookups route around the stale fingers (timeouts, then the next best) and still find the true owner.
    expect(summary.counters.lookupTimeouts).toBeGreaterThan(0);
    expect(summary.lookups.successRatio).toBe(1);
  });
});

describe("chord joining through the protocol", () => {
  it("stabilizes to a correct ring with correct fingers on a static population", () => {
    const simulation = chordRun(
      { stabilizeInterval: "2s", fixFingersInterval: "1s", checkPredecessorInterval: "2s" },
      { peers: 150, joinOver: "1m", duration: "6m", lookups: 300, warmup: "4m" },
    );
    simulation.runToEnd();
    const { summary, timeSeries } = simulation.finish();
    const first = timeSeries[0]!;
    const last = timeSeries[timeSeries.length - 1]!;
    expect(Number(first.wrong_successors) + Number(first.stale_fingers)).toBeGreaterThan(0);
    expect(last.ring_peers).toBe(150);
    expect(last.wrong_successors).toBe(0);
    expect(last.wrong_predecessors).toBe(0);
    expect(last.stale_fingers).toBe(0);
    // Measured after the ring settled: every lookup is right.
    expect(summary.lookups.successRatio).toBe(1);
    expect(summary.counters.wrongOwner).toBe(0);
  });

  it("repairs the ring after graceful leaves and crashes under churn", () => {
    const simulation = chordRun(
      { stabilizeInterval: "2s", fixFingersInterval: "1s", checkPredecessorInterval: "2s", successors: 6 },
      {
        peers: 120,
        joinOver: "30s",
        duration: "5m",
        lookups: 400,
        warmup: "1m",
        churn: { model: "sessions", session: { distribution: "exponential", mean: "3m" }, offline: { distribution: "exponential", mean: "1m" }, gracefulLeave: 0.5 },
      },
    );
    simulation.runToEnd();
    const { summary } = simulation.finish();
    expect(summary.counters.successorsLost).toBeGreaterThan(0);
    expect(summary.traffic.byType.leaving!.messages).toBeGreaterThan(0);
    expect(summary.lookups.successRatio).toBeGreaterThan(0.7);
  });

  it("is deterministic", () => {
    const run = () => {
      const s = chordRun({ stabilizeInterval: "3s" }, { peers: 60, joinOver: "20s", duration: "1m" });
      s.runToEnd();
      return JSON.stringify(s.finish());
    };
    expect(run()).toBe(run());
  });
});

describe("chord maintenance freeze (fault timeline)", () => {
  it("a freeze fault stops every periodic round and the runtime resumes them", () => {
    const simulation = chordRun({ bootstrap: "oracle" }, { duration: "4m", interval: "30s", lookups: 0, faults: [{ kind: "freeze", at: "60s", until: "150s" }] });
    simulation.runToEnd();
    const perRow = simulation.finish().timeSeries.map((row) => row.messages_maintenance);
    // Rows end at 30 s, 60 s, ..., 240 s. Rounds in flight at the freeze finish within a second.
    expect(perRow[0]).toBeGreaterThan(300);
    expect(perRow[2]).toBe(0);
    expect(perRow[3]).toBe(0);
    expect(perRow[5]).toBeGreaterThan(300);
    expect(perRow[7]).toBeGreaterThan(300);
  });
});
