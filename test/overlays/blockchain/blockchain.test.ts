import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

type ForkTree = { blocks: { id: number; parent: number; height: number; minedMs: number; fate: string; selfish?: boolean }[]; revenue: { owner: string; mainChainBlocks: number; hashShare?: number }[] };

function run(overlay: Record<string, unknown>, options: { peers?: number; duration?: string; seed?: number; adversaries?: Record<string, unknown>; bandwidth?: boolean; churn?: Record<string, unknown> } = {}) {
  const scenario = validateScenario(
    {
      seed: options.seed ?? 5,
      duration: options.duration ?? "3h",
      peers: { count: options.peers ?? 40 },
      network: {
        latency: { model: "constant", delay: "50ms" },
        ...(options.bandwidth ? { bandwidth: { model: "share", links: { upload: "10Mbit/s", download: "50Mbit/s" } } } : {}),
      },
      overlay: { type: "blockchain", blockSize: 100000, ...overlay },
      ...(options.adversaries ? { adversaries: options.adversaries } : {}),
      ...(options.churn ? { churn: options.churn } : {}),
      workload: { lookups: { count: 0 } },
      metrics: { warmup: "10m", interval: "30m" },
    },
    "blockchain-test.yaml",
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  const tree = simulation.overlay.results!() as unknown as ForkTree;
  const result = simulation.finish();
  return {
    // The overlay's connections (a read-only look at its topology, for what no result file holds).
    neighbours: (simulation.overlay as unknown as { topology: { neighbours: readonly (readonly number[] | undefined)[] } }).topology.neighbours,
    miners: (simulation.overlay as unknown as { tree: { miner: ArrayLike<number> } }).tree.miner,
    summary: result.summary as unknown as {
      traffic: { byType: Record<string, { messages: number }> };
      overlay: Record<string, number>;
      counters: Record<string, number>;
      broadcasts: { started: number; coverage: { mean: number }; timeToMs: { p100: { mean: number; share: number } } };
    },
    tree,
  };
}

describe("blockchain overlay", () => {
  it("every node gets every block of a fast network, and the fork tree is one chain", () => {
    const { summary, tree } = run({ mining: { interval: "10m" } });
    expect(summary.overlay.staleRate).toBe(0);
    expect(summary.broadcasts.coverage.mean).toBe(1);
    for (const b of tree.blocks) expect(b.parent).toBe(b.id - 1);
    // Each hop costs inv + getdata + block (3 × 50 ms) plus verification (5 ms + 0.1 ms/kB × 100 kB);
    // 40 nodes with 8 outbound connections each are at most 2 hops from any miner here.
    expect(summary.broadcasts.timeToMs.p100.mean).toBe(2 * 165);
  });

  it("announces a block over a connection once, both ways only where two nodes announced it at the same moment", () => {
    // Without forks and with one latency, a node d hops from the miner connects a block at d × 165 ms;
    // its inv reaches a node one hop further long before that node connects, so that node does not
    // announce back. Only nodes at the same depth announce to each other (their invs cross). So a
    // block costs one inv per connection plus one per connection within a depth, where announcing to
    // every neighbour but the sender would cost 2 × connections − (nodes − 1).
    const { summary, tree, neighbours, miners } = run({ mining: { interval: "10m" } });
    expect(summary.overlay.staleRate).toBe(0);
    const nodes = neighbours.length;
    const links = neighbours.reduce((sum, n) => sum + (n?.length ?? 0), 0) / 2;
    let expected = 0;
    let everyNeighbour = 0;
    // Traffic counts after the 10-minute warm-up; no block is mined in the run's last second.
    const measured = tree.blocks.filter((b) => b.minedMs >= 600_000);
    expect(tree.blocks.every((b) => b.minedMs < 3 * 3600_000 - 1000)).toBe(true);
    expect(measured.length).toBe(21);
    for (const block of measured) {
      const depth = new Array<number>(nodes).fill(-1);
      const queue = [miners[block.id]!];
      depth[queue[0]!] = 0;
      for (let i = 0; i < queue.length; i++) for (const v of neighbours[queue[i]!]!) if (depth[v]! < 0) (depth[v] = depth[queue[i]!]! + 1), queue.push(v);
      let sameDepth = 0;
      for (let u = 0; u < nodes; u++) for (const v of neighbours[u]!) if (u < v && depth[u] === depth[v]) sameDepth++;
      expected += links + sameDepth;
      everyNeighbour += 2 * links - (nodes - 1);
    }
    expect(summary.traffic.byType["inv"]!.messages).toBe(expected);
    expect(expected).toBeLessThan(0.8 * everyNeighbour);
  });

  it("asks another neighbour that announced a block when the one it asked leaves mid-transfer", () => {
    const { summary } = run(
      { mining: { interval: "1m" }, blockSize: 1000000, bootstrap: "join", maintenanceInterval: "30s" },
      { peers: 60, duration: "1h", bandwidth: true, churn: { model: "sessions", session: { distribution: "exponential", mean: "10m" }, offline: { distribution: "exponential", mean: "5m" } } },
    );
    expect(summary.counters.blockRequestsRetried).toBeGreaterThan(0);
    expect(summary.counters.blockRequestsRetried).toBeLessThanOrEqual(summary.counters.blockRequestsTimedOut! + summary.counters.connectionsLost!);
  });

  it("forks when blocks come faster than they spread, and settles each height on one block", () => {
    const { summary, tree } = run({ mining: { interval: "2s" } }, { duration: "20m" });
    expect(summary.counters.blocksStale).toBeGreaterThan(0);
    const byHeight = new Map<number, string[]>();
    for (const b of tree.blocks) byHeight.set(b.height, [...(byHeight.get(b.height) ?? []), b.fate]);
    for (const fates of byHeight.values()) {
      if (fates.every((f) => f !== "open")) expect(fates.filter((f) => f === "main")).toHaveLength(1);
    }
    // Every main-chain block's parent is main chain too.
    const fate = new Map(tree.blocks.map((b) => [b.id, b.fate]));
    for (const b of tree.blocks) if (b.fate === "main" && b.parent > 0) expect(fate.get(b.parent)).toBe("main");
    expect(summary.counters.reorgs).toBeGreaterThan(0);
  });

  it("compact blocks spread faster than inv/getdata when bytes queue on links", () => {
    const inv = run({ mining: { interval: "5m" }, relay: { mode: "inv" } }, { bandwidth: true });
    const compact = run({ mining: { interval: "5m" }, relay: { mode: "compact" } }, { bandwidth: true });
    expect(compact.summary.broadcasts.timeToMs.p100.mean).toBeLessThan(inv.summary.broadcasts.timeToMs.p100.mean / 2);
    expect(compact.summary.counters.compactRoundTrips).toBeGreaterThan(0);
  });

  it("pools earn about their hash share when nobody cheats", () => {
    const { tree } = run({ mining: { interval: "1m", pools: [{ name: "big", share: 0.7 }, { name: "small", share: 0.3 }] } }, { duration: "12h" });
    const big = tree.revenue.find((r) => r.owner === "big")!;
    const small = tree.revenue.find((r) => r.owner === "small")!;
    expect(big.hashShare).toBe(0.7);
    const share = big.mainChainBlocks / (big.mainChainBlocks + small.mainChainBlocks);
    expect(share).toBeGreaterThan(0.64);
    expect(share).toBeLessThan(0.76);
  });

  it("a selfish pool with γ = 1 beats its hash share; with γ = 0 and α = 0.2 it loses", () => {
    const rich = run({ mining: { interval: "10m" }, gamma: 1, outbound: 3, maintenanceInterval: "1h" }, { peers: 20, duration: "200h", adversaries: { fraction: 0.3, behaviours: ["selfish"] } });
    const poor = run({ mining: { interval: "10m" }, gamma: 0, outbound: 3, maintenanceInterval: "1h" }, { peers: 20, duration: "200h", adversaries: { fraction: 0.2, behaviours: ["selfish"] } });
    const alpha = (s: typeof rich.summary) => s.counters.blocksMinedSelfish! / s.counters.blocksMined!;
    expect(rich.summary.overlay.selfishRevenueShare).toBeGreaterThan(alpha(rich.summary) + 0.05);
    expect(poor.summary.overlay.selfishRevenueShare).toBeLessThan(alpha(poor.summary) - 0.03);
    expect(rich.tree.blocks.some((b) => b.selfish && b.fate === "main")).toBe(true);
  });

  it("eclipsed nodes never hear of the honest chain: coverage stops short of them", () => {
    const { summary, tree } = run({ mining: { interval: "2m" }, eclipseVictims: 2 }, { seed: 2, adversaries: { fraction: 0.1, behaviours: ["eclipse"] } });
    // Victims' blocks all build on victims' blocks (or genesis): nothing honest ever reaches them.
    const victimsMined = summary.counters.eclipsedBlocksMined!;
    expect(victimsMined).toBeGreaterThan(0);
    const publicMain = tree.blocks.filter((b) => b.fate === "main").length;
    expect(publicMain).toBeGreaterThan(50);
    // The other 36 honest nodes get (almost) every block: coverage is bounded by the 2 starved victims.
    expect(summary.broadcasts.coverage.mean).toBeLessThanOrEqual(38 / 40 + 0.01);
  });

  it("gives the same files for the same seed", () => {
    const a = run({ mining: { interval: "30s" } }, { duration: "30m" });
    const b = run({ mining: { interval: "30s" } }, { duration: "30m" });
    expect(a).toEqual(b);
  });
});
