import { describe, expect, it } from "vitest";
import { Recorder } from "../../sim/metrics/recorder.js";
import { percentile } from "../../sim/metrics/stats.js";

function recorder() {
  return new Recorder({ warmupMs: 1000, intervalMs: 1000, messageTypes: [{ name: "q", category: "lookup" }, { name: "p", category: "maintenance" }] });
}
const noLookups = { unfinishedLookups: 0, perLookupMessages: [], perLookupBytes: [] };

describe("percentile", () => {
  it("uses the nearest rank", () => {
    const sorted = Float64Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.9)).toBe(90);
    expect(percentile(sorted, 0.99)).toBe(100);
    expect(percentile(sorted, 0)).toBe(10);
    expect(percentile(new Float64Array(0), 0.5)).toBeNaN();
  });
});

describe("Recorder", () => {
  it("keeps the warm-up out of the summary but in the time series", () => {
    const r = recorder();
    r.at(0).peerEvent("join", 1);
    r.at(0).peerEvent("join", 2);
    r.at(500).messageSent(0, 100);
    r.at(500).lookupStarted();
    r.at(600).lookupEnded(false, true, 100, 2);
    r.at(1000).beginMeasurement();
    r.at(1000).closeInterval({ meanDegree: 1 });
    r.at(1500).messageSent(1, 10);
    r.at(1500).lookupStarted();
    r.at(1700).lookupEnded(true, true, 200, 3);
    r.at(1800).lookupStarted();
    r.at(1900).lookupEnded(true, false, 0, 0);
    r.at(1900).peerEvent("crash", 1);
    r.at(2000).closeInterval({ meanDegree: 0 });
    const rows = r.timeSeries();
    expect(rows.map((row) => [row.time_s, row.phase, row.lookups_started, row.messages_lookup, row.messages_maintenance, row.live_peers])).toEqual([
      [1, "warmup", 1, 1, 0, 2],
      [2, "measure", 2, 0, 1, 1],
    ]);
    expect(rows[1]!.success_ratio).toBe(0.5);
    expect(rows[1]!.latency_p50_ms).toBe(200);
    expect(rows[1]!.mean_degree).toBe(0);
    // 2 peers for 0.9 s then 1 peer for 0.1 s, in the second interval: 1.9 peer-seconds, 1 message.
    expect(rows[1]!.messages_per_peer_per_s).toBe(round4(1 / 1.9));

    const s = r.at(2000).summary({ endMs: 2000, ...noLookups });
    expect(s.measuredSeconds).toBe(1);
    expect(s.lookups).toMatchObject({ started: 2, completed: 2, succeeded: 1, failed: 1, successRatio: 0.5 });
    expect(s.lookups.latencyMs.p50).toBe(200);
    expect(s.lookups.hops.histogram).toEqual([0, 0, 0, 1]);
    expect(s.traffic).toMatchObject({ messages: 1, lookupMessages: 0, maintenanceMessages: 1, bytes: 10 });
    expect(s.peers).toMatchObject({ liveMean: 1.9, liveMin: 1, liveMax: 2, liveAtEnd: 1, joins: 0, crashes: 1 });
  });

  it("reports 'no value' rather than zero when nothing completed", () => {
    const r = recorder();
    r.at(1000).closeInterval({});
    expect(r.timeSeries()[0]!.success_ratio).toBe("");
    const s = r.at(2000).summary({ endMs: 2000, ...noLookups });
    expect(s.lookups.successRatio).toBeNaN();
    expect(s.lookups.latencyMs.mean).toBeNaN();
  });
});

function round4(x: number) {
  return Math.round(x * 1e4) / 1e4;
}
