import { describe, expect, it } from "vitest";
import { drivingTerm, estimateRun } from "../../sim/run/preflight.js";
import { validateScenario } from "../../sim/scenario/load.js";

const base = {
  duration: "10m",
  peers: { count: 1000 },
  overlay: { type: "chord", stabilizeInterval: "30s" },
  workload: { lookups: { rate: "10/s" } },
  metrics: { warmup: "1m", interval: "10s" },
};

function estimate(changes: Record<string, unknown>) {
  return estimateRun(validateScenario({ ...base, ...changes }, "preflight.yaml"));
}

describe("the pre-flight estimate", () => {
  it("is of the order of what the shipped scenarios measure", () => {
    // chord-churn: 1,000 peers, 20 min, measured 1.8 M events; this is half as long with less churn.
    const e = estimate({});
    expect(e.events).toBeGreaterThan(2e5);
    expect(e.events).toBeLessThan(1e7);
    expect(e.bytes).toBeLessThan(512 * 2 ** 20);
  });

  it("names the field that drives the cost", () => {
    expect(drivingTerm(estimate({ workload: { lookups: { count: 1e12 } } }), "bytes").field).toBe("workload.lookups.count");
    expect(drivingTerm(estimate({ workload: { lookups: { rate: "1e8/s" } } }), "events").field).toBe("workload.lookups.rate");
    expect(drivingTerm(estimate({ duration: "1d", metrics: { warmup: "1m", interval: "1ms" } }), "bytes").field).toBe("metrics.interval");
    expect(drivingTerm(estimate({ overlay: { type: "chord", stabilizeInterval: "1ms" } }), "events").field).toBe("overlay.stabilizeInterval");
    expect(drivingTerm(estimate({ peers: { count: 10_000_000 } }), "bytes").field).toBe("peers.count");
    const churn = { model: "sessions", session: { distribution: "fixed", value: "1ms" }, offline: { distribution: "fixed", value: "1h" } };
    const e = estimate({ churn });
    expect(drivingTerm(e, "bytes").field).toBe("churn.session");
    expect(e.bytes).toBeGreaterThan(1e12);
  });

  it("grows with what a flood reaches: a TTL-7 flood costs far more per lookup than a DHT", () => {
    const flood = estimate({ overlay: { type: "unstructured", degree: 8, search: { method: "flood", ttl: 7 } } });
    const dht = estimate({});
    expect(flood.events).toBeGreaterThan(20 * dht.events);
  });
});
