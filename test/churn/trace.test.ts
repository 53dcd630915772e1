import { PEERLAB_BIN } from "../helpers/cli.js";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTrace, parseTrace, TraceError } from "../../sim/churn/trace.js";
import { generateTrace } from "../../sim/run/trace-generate.js";
import { Simulation } from "../../sim/run/simulation.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { scenarioFiles } from "../helpers/scenario-files.js";

const bin = PEERLAB_BIN;

describe("churn trace files", () => {
  it("parses rows in time order (ties in file order) and sizes the pool by the largest label", () => {
    const t = parseTrace(["# a comment", "time_s,peer,event", "5,2,join", "0,0,join", "5,0,crash", "7.25,2,leave", "", "9.000001,0,join"].join("\n"));
    expect(t.timeMs).toEqual([0, 5000, 5000, 7250, 9000.001]);
    expect(t.peer).toEqual([0, 2, 0, 2, 0]);
    expect(t.event).toEqual([0, 0, 2, 1, 0]);
    expect(t.peers).toBe(3);
  });

  it("round-trips what formatTrace writes", () => {
    const events = [
      { timeMs: 0, peer: 0, event: "join" as const },
      { timeMs: 1234.567, peer: 1, event: "join" as const },
      { timeMs: 99999.001, peer: 0, event: "leave" as const },
    ];
    const t = parseTrace(formatTrace(events, ["made by a test"]));
    expect(t.timeMs).toEqual([0, 1234.567, 99999.001]);
    expect(t.event).toEqual([0, 0, 1]);
  });

  it("round-trips any valid history of joins, leaves and crashes (property)", () => {
    // A history: per step, a peer and a gap; the event is whatever is legal for that peer now.
    const step = fc.record({ peer: fc.integer({ min: 0, max: 20 }), gapUs: fc.integer({ min: 0, max: 5_000_000 }), crash: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const online = new Set<number>();
        let us = 0;
        const events = steps.map((s) => {
          us += s.gapUs;
          const event = !online.has(s.peer) ? "join" : s.crash ? "crash" : "leave";
          if (event === "join") online.add(s.peer);
          else online.delete(s.peer);
          return { timeMs: us / 1000, peer: s.peer, event } as const;
        });
        const t = parseTrace(formatTrace(events));
        expect(t.timeMs).toEqual(events.map((e) => e.timeMs));
        expect(t.peer).toEqual(events.map((e) => e.peer));
        expect(t.event).toEqual(events.map((e) => ["join", "leave", "crash"].indexOf(e.event)));
        expect(t.peers).toBe(events.length ? Math.max(...events.map((e) => e.peer)) + 1 : 0);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ["", /expected the header/],
    ["time,peer,event\n0,0,join", /line 1: expected the header "time_s,peer,event"/],
    ["time_s,peer,event\n0,0,arrive", /line 2: event: expected one of "join", "leave", "crash", got "arrive"/],
    ["time_s,peer,event\n-1,0,join", /line 2: time_s: expected a number of seconds from 0 to 3153600000 \(100 years\), got "-1"/],
    ["time_s,peer,event\n1e308,0,join", /line 2: time_s: expected a number of seconds from 0 to 3153600000 \(100 years\), got "1e308"/],
    ["time_s,peer,event\n0,x,join", /line 2: peer: expected an integer label/],
    ["time_s,peer,event\n0,0,join,extra", /line 2: expected 3 cells/],
    ["time_s,peer,event\n0,0,join\n1,0,join", /line 3: peer 0 joins at 1 s but is already online/],
    ["time_s,peer,event\n1,0,crash", /line 2: peer 0 crashes at 1 s but is not online/],
  ])("rejects %j with the line at fault", (text, message) => {
    expect(() => parseTrace(text)).toThrow(TraceError);
    expect(() => parseTrace(text)).toThrow(message);
  });
});

describe("replaying a generated trace", () => {
  const { file } = scenarioFiles("peerlab-trace-");
  const sessions = file("sessions.yaml", [
    "name: sessions",
    "seed: 4",
    "duration: 8m",
    "peers: { count: 120, joinOver: 30s }",
    "churn: { model: sessions, session: { distribution: exponential, mean: 3m }, offline: { distribution: exponential, mean: 2m }, gracefulLeave: 0.5 }",
    "overlay: { type: chord, stabilizeInterval: 5s, fixFingersInterval: 5s, checkPredecessorInterval: 5s }",
    "workload: { keys: 100, lookups: { rate: 2/s }, timeout: 10s }",
    "metrics: { warmup: 1m, interval: 20s }",
  ]);
  const scenario = loadScenario(sessions);
  const trace = generateTrace(scenario, sessions);
  writeFileSync(join(sessions, "..", "sessions.csv"), trace.text);
  const replay = loadScenario(sessions, ["churn={model: trace, file: sessions.csv}"]);

  const churnColumns = (s: typeof scenario) => {
    const sim = new Simulation(s);
    sim.runToEnd();
    return sim.finish().timeSeries.map((r) => [r.time_s, r.live_peers, r.joins, r.leaves, r.crashes]);
  };

  it("gives the run exactly the churn of the model it was generated from", () => {
    expect(trace.events).toBeGreaterThan(200);
    const original = churnColumns(scenario);
    expect(churnColumns(replay)).toEqual(original);
    // And the churn is real: peers left and crashed during the run.
    expect(original.reduce((a, r) => a + (r[3] as number), 0)).toBeGreaterThan(20);
    expect(original.reduce((a, r) => a + (r[4] as number), 0)).toBeGreaterThan(20);
  });

  it("is the same churn under another overlay", () => {
    const kademlia = loadScenario(sessions, ["churn={model: trace, file: sessions.csv}", "overlay={type: kademlia}"]);
    expect(churnColumns(kademlia)).toEqual(churnColumns(replay));
  });

  it("peerlab trace generate writes the file, refuses to overwrite it without --force, and bad traces exit 2", () => {
    const out = join(sessions, "..", "cli.csv");
    const r = spawnSync(process.execPath, [bin, "trace", "generate", sessions, "--out", out], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(trace.text);
    const again = spawnSync(process.execPath, [bin, "trace", "generate", sessions, "--out", out], { encoding: "utf8" });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("already exists; pass --force");
    expect(readFileSync(out, "utf8")).toBe(trace.text);

    writeFileSync(join(sessions, "..", "bad.csv"), "time_s,peer,event\n0,0,join\n3,1,leave\n");
    const badScenario = join(sessions, "..", "bad.yaml");
    writeFileSync(badScenario, readFileSync(sessions, "utf8").replace(/churn: .*/, "churn: { model: trace, file: bad.csv }"));
    const bad = spawnSync(process.execPath, [bin, "run", badScenario, "--quiet"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.csv is not a valid churn trace \(named by churn\.file in .*bad\.yaml; see docs\/faults\.md\): line 3: peer 1 leaves at 3 s but is not online/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(sessions, "..", "results"))).toBe(false);

    writeFileSync(badScenario, readFileSync(sessions, "utf8").replace(/churn: .*/, "churn: { model: trace, file: missing.csv }"));
    const missing = spawnSync(process.execPath, [bin, "validate", badScenario], { encoding: "utf8" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/churn\.file: cannot read the trace .*missing\.csv: no such file/);
  });
});
