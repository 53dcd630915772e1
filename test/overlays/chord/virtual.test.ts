import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";
import type { OverlayContext } from "../../../sim/core/protocol.js";
import type { ChordMessage } from "../../../sim/overlays/chord/messages.js";
import { VirtualNodes } from "../../../sim/overlays/chord/virtual.js";

/** A static oracle ring of 1,000 peers whose 100,000 keys are counted per peer, with `v` virtual nodes each. */
function keyLoad(virtualNodes: number) {
  const simulation = new Simulation(
    validateScenario(
      {
        seed: 2,
        duration: "1m",
        peers: { count: 1000 },
        network: { latency: { model: "constant", delay: "10ms" } },
        overlay: { type: "chord", bootstrap: "oracle", virtualNodes, keyLoad: true, healthSample: 0 },
        faults: [{ kind: "freeze", at: "0s" }],
        workload: { keys: 100_000, popularity: { distribution: "uniform" }, lookups: { count: 2000 }, timeout: "20s" },
        metrics: { warmup: "0s", interval: "1m" },
      },
      "chord-load.yaml",
    ),
  );
  simulation.runToEnd();
  const { summary, timeSeries } = simulation.finish();
  return { summary, row: timeSeries[0]! as Record<string, number> };
}

describe("chord virtual nodes", () => {
  it("one id per peer: the load is as uneven as exponential arc lengths make it", () => {
    const { summary, row } = keyLoad(1);
    expect(row.keys_per_peer_mean).toBe(100);
    // A peer's share of the ring is ~ Exp(1)/N: its 99th percentile is ln 100 ≈ 4.6 × the mean, its 1st ≈ 0.01 ×.
    expect(row.keys_per_peer_p99).toBeGreaterThan(380);
    expect(row.keys_per_peer_p99).toBeLessThan(560);
    expect(row.keys_per_peer_p1).toBeLessThan(5);
    expect(summary.lookups.successRatio).toBe(1);
  });

  it("ten virtual nodes per peer even the load out, and lookups still find the owner", () => {
    const { summary, row } = keyLoad(10);
    expect(row.keys_per_peer_mean).toBe(100);
    // The sum of ten arcs is ~ Gamma(10)/10N: 99th percentile ≈ 1.9 × the mean, 1st ≈ 0.4 ×.
    expect(row.keys_per_peer_p99).toBeGreaterThan(160);
    expect(row.keys_per_peer_p99).toBeLessThan(220);
    expect(row.keys_per_peer_p1).toBeGreaterThan(30);
    expect(row.ring_peers).toBe(10_000);
    expect(summary.lookups.successRatio).toBe(1);
  });

  it("virtual nodes join through the protocol and the ring of all nodes converges", () => {
    const simulation = new Simulation(
      validateScenario(
        {
          seed: 4,
          duration: "8m",
          peers: { count: 100, joinOver: "30s" },
          network: { latency: { model: "constant", delay: "10ms" } },
          overlay: { type: "chord", virtualNodes: 4, stabilizeInterval: "5s", fixFingersInterval: "2s", checkPredecessorInterval: "5s" },
          workload: { keys: 1000, popularity: { distribution: "uniform" }, lookups: { count: 500 }, timeout: "20s" },
          metrics: { warmup: "6m", interval: "1m" },
        },
        "chord-virtual.yaml",
      ),
    );
    simulation.runToEnd();
    const { summary, timeSeries } = simulation.finish();
    // 400 nodes joining within 30 s take about five minutes of 5-second stabilize rounds to settle.
    expect(summary.lookups.successRatio).toBe(1);
    const last = timeSeries[timeSeries.length - 1]!;
    expect(last.ring_peers).toBe(400);
    expect(last.wrong_successors).toBe(0);
    expect(last.wrong_predecessors).toBe(0);
  });
});

describe("chord virtual nodes and transfers", () => {
  it("a transfer between two nodes of one peer crosses no link; between peers it goes to the peers", () => {
    const calls: string[] = [];
    const ctx = {
      bandwidth: true,
      adversary: { accomplices: [] },
      transfer: (from: number, to: number, bytes: number, onDone: () => void) => {
        calls.push(`${from}->${to} ${bytes}`);
        onDone();
      },
    } as unknown as OverlayContext<ChordMessage>;
    const nodes = new VirtualNodes(4).nodeContext(ctx);
    const done: string[] = [];
    nodes.transfer(5, 6, 100, () => done.push("same peer"), () => done.push("cut"));
    nodes.transfer(5, 9, 100, () => done.push("other peer"), () => done.push("cut"));
    expect(calls).toEqual(["1->2 100"]);
    expect(done).toEqual(["same peer", "other peer"]);
  });
});
