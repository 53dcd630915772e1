import { describe, expect, it } from "vitest";
import { BlockTree, type SettledHeight } from "../../../sim/overlays/blockchain/chain.js";
import { CONNECTED, ORPHAN, REQUESTED, UNKNOWN, VERIFYING } from "../../../sim/overlays/blockchain/knowledge.js";
import { SPREAD_MAX_BLOCKS, SpreadRecord } from "../../../sim/overlays/blockchain/results.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** overlay.json `spread`: which blocks are kept, and what counts as hearing of and verifying a block. */

type Spread = { nodes: number; maxBlocks: number; blocks: { id: number; fate: string; miner: number; heardMs: string; verifiedMs: string }[]; placement?: { x: string; y: string } };

describe("SpreadRecord", () => {
  it("records first hearing (any state but unknown) and verifying (orphan or connected), relative to mining", () => {
    let now = 0;
    const settledHeights: SettledHeight[] = [];
    const tree = new BlockTree(1, (s) => settledHeights.push(s));
    const record = new SpreadRecord(4, () => now, (b) => tree.height[b]!);
    now = 1000;
    const a = tree.add(0, 0, now, false, true);
    record.changed(a, 0, CONNECTED);
    now = 1050;
    record.changed(a, 1, REQUESTED);
    record.changed(a, 2, VERIFYING); // pushed whole
    now = 1080;
    record.changed(a, 1, UNKNOWN); // the request timed out: still heard at 1050
    record.changed(a, 2, ORPHAN);
    now = 1200;
    record.changed(a, 1, VERIFYING);
    record.changed(a, 2, CONNECTED); // connected later: verified stays 1080
    // Two rivals at height 2; the one extended wins.
    now = 2000;
    const b = tree.add(a, 1, now, false, true);
    const c = tree.add(a, 3, now + 5, false, true);
    record.changed(b, 3, REQUESTED);
    record.changed(c, 3, CONNECTED);
    now = 3000;
    tree.add(b, 1, now, false, true);
    for (const s of settledHeights) record.settled(s);
    expect(settledHeights.map((s) => [s.height, s.main, s.stale])).toEqual([
      [1, a, []],
      [2, b, [c]],
    ]);
    const json = record.toJson(tree, () => undefined) as unknown as Spread;
    expect(json.maxBlocks).toBe(SPREAD_MAX_BLOCKS);
    expect(json.placement).toBeUndefined();
    expect(json.blocks.map((x) => [x.id, x.fate, x.miner, x.heardMs, x.verifiedMs])).toEqual([
      [a, "main", 0, "0,50,50,", "0,,80,"],
      [b, "main", 1, ",,,0", ",,,"],
      [c, "stale", 3, ",,,-5", ",,,-5"],
    ]);
  });

  it("keeps three main-chain blocks and the first stale one with its rival, and stops watching the rest", () => {
    // Block b at height b, but for block 8 (a late block at height 3, mined by a node far behind).
    const record = new SpreadRecord(2, () => 0, (b) => (b === 8 ? 3 : b));
    const s = (height: number, main: number, stale: number[] = []): SettledHeight => ({ height, main, stale });
    for (const b of [1, 2, 3, 4, 5, 6, 7]) record.changed(b, 0, REQUESTED);
    record.settled(s(1, 1));
    record.settled(s(2, 2));
    record.settled(s(3, 3));
    record.settled(s(4, 4));
    record.settled(s(5, 6, [5]));
    record.settled(s(6, 7));
    expect(record.watched).toBe(5);
    record.changed(4, 1, REQUESTED); // dropped: no longer watched
    record.changed(8, 1, REQUESTED); // its height is settled: the tree never settles it, so it is never watched
    expect(record.watched).toBe(5);
    record.changed(9, 1, REQUESTED); // above the settled heights: watched until its height settles
    expect(record.watched).toBe(6);
    const tree = new BlockTree(100, () => {});
    for (let i = 0; i < 7; i++) tree.add(i, 0, 0, false, true);
    const json = record.toJson(tree, (n) => ({ x: n * 10.04, y: -n })) as unknown as Spread;
    expect(json.blocks.map((x) => x.id)).toEqual([1, 2, 3, 5, 6]);
    expect(json.placement).toEqual({ x: "0,10", y: "0,-1" });
  });
});

describe("overlay.json spread of a run", () => {
  it("on a regions map: every node placed, the kept blocks heard before verified, every node verifying the main-chain ones", () => {
    const scenario = validateScenario(
      {
        seed: 4,
        duration: "20m",
        peers: { count: 40 },
        network: {
          latency: {
            model: "regions",
            base: "5ms",
            jitter: "10ms",
            regions: [
              { name: "north-america", share: 0.4, x: 0, y: 0, radius: 25 },
              { name: "europe", share: 0.4, x: 45, y: 0, radius: 15 },
              { name: "asia", share: 0.2, x: 110, y: 40, radius: 30 },
            ],
          },
        },
        overlay: { type: "blockchain", mining: { interval: "5s" }, blockSize: 1000000 },
        workload: { lookups: { count: 0 } },
        metrics: { warmup: "1m", interval: "5m" },
      },
      "spread-test.yaml",
    );
    const simulation = new Simulation(scenario);
    simulation.runToEnd();
    const spread = (simulation.overlay.results!() as { spread: Spread }).spread;
    expect(spread.nodes).toBe(40);
    expect(spread.placement!.x.split(",")).toHaveLength(40);
    expect(spread.blocks.map((b) => [b.id, b.fate])).toEqual([
      [1, "main"],
      [2, "main"],
      [3, "main"],
      [24, "stale"],
      [25, "main"],
    ]);
    for (const b of spread.blocks) {
      const times = (packed: string) => packed.split(",").map((v) => (v === "" ? Infinity : Number(v)));
      const heard = times(b.heardMs);
      const verified = times(b.verifiedMs);
      expect([heard[b.miner], verified[b.miner]]).toEqual([0, 0]);
      verified.forEach((v, node) => expect(v).toBeGreaterThanOrEqual(heard[node]!));
      if (b.fate === "main") expect(b.verifiedMs.split(",").filter((v) => v !== "")).toHaveLength(40);
    }
  });
});
