import { describe, expect, it } from "vitest";
import type { TxRelay } from "../../../sim/overlays/blockchain/tx-relay.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

type TxRow = { id: number; origin: number; audience: number; reached: number; reach100Ms: number | null; block: number | null };
type Results = { blocks: { id: number; parent: number; minedMs: number; fate: string; selfish?: boolean }[]; transactions?: { txs: TxRow[] } };
type Traffic = Record<string, { messages: number; bytes: number }>;

function run(
  overlay: Record<string, unknown>,
  options: { peers?: number; duration?: string; latency?: string; bandwidth?: boolean; outbound?: number; adversaries?: Record<string, unknown> } = {},
) {
  const peers = options.peers ?? 20;
  const scenario = validateScenario(
    {
      seed: 3,
      duration: options.duration ?? "10m",
      peers: { count: peers },
      network: {
        latency: { model: "constant", delay: options.latency ?? "50ms" },
        ...(options.bandwidth ? { bandwidth: { model: "share", links: { upload: "10Mbit/s", download: "50Mbit/s" } } } : {}),
      },
      overlay: { type: "blockchain", blockSize: 100000, transactionSize: 250, outbound: options.outbound ?? 4, ...overlay },
      workload: { lookups: { count: 0 } },
      ...(options.adversaries ? { adversaries: options.adversaries } : {}),
      metrics: { warmup: "0s", interval: "5m" },
    },
    "transactions-test.yaml",
  );
  const simulation = new Simulation(scenario);
  simulation.runToEnd();
  const results = simulation.overlay.results!() as unknown as Results;
  const summary = simulation.finish().summary as unknown as { overlay: Record<string, number>; counters: Record<string, number>; traffic: { byType: Traffic } };
  // The relay (a public field of the blockchain overlay), for what only it knows: which transactions each block carries.
  const relay = (simulation.overlay as unknown as { readonly txRelay: TxRelay | undefined }).txRelay;
  return { overlay: summary.overlay, counters: summary.counters, traffic: summary.traffic.byType, results, relay };
}

const pair = { outbound: 1, maxConnections: 1, mining: { interval: "1000d" } };

describe("blockchain transaction relay", () => {
  it("is off by default: no transaction figures, message types or overlay.json section", () => {
    const { overlay, traffic, results } = run({ mining: { interval: "1m" } });
    expect(Object.keys(overlay).filter((k) => k.startsWith("tx"))).toEqual([]);
    expect(Object.keys(traffic).filter((t) => t.startsWith("tx"))).toEqual([]);
    expect(results.transactions).toBeUndefined();
  });

  it("two nodes: every transaction crosses once, announced once and never back, after the trickle and three latencies", () => {
    const { overlay, results, traffic } = run(
      { ...pair, transactions: { rate: "1/s", trickleOutbound: "2s", trickleInbound: "5s" } },
      { peers: 2, outbound: 1, duration: "30m" },
    );
    const txs = results.transactions!.txs;
    const crossed = txs.filter((t) => t.reached === 2).length;
    expect(overlay.txCreated).toBe(1806);
    expect(crossed).toBe(1804);
    // One inv entry per transaction that crossed: nobody announces a transaction to the node it came from.
    expect(traffic.txinv!.messages).toBe(overlay.txInvMessagesPerNode! * 2);
    expect(Math.round(overlay.txIdsPerInv! * traffic.txinv!.messages)).toBe(crossed);
    // Each inv asks for what it announces, and each asked transaction comes once.
    expect(traffic.txgetdata!.messages).toBe(traffic.txinv!.messages);
    expect(traffic.tx!.messages).toBe(crossed);
    expect(overlay.txDuplicates).toBe(0);
    // Every arrival takes at least the three latencies (inv, getdata, tx).
    for (const t of txs) if (t.reach100Ms !== null) expect(t.reach100Ms).toBeGreaterThanOrEqual(150);
    expect(overlay.txReach100MeanMs).toBe(3672.521);
    expect(overlay.txTrafficShare).toBe(1);
  });

  it("a complete graph without latency spreads as the SI epidemic: E[T_n] = mu (2/n) H_(n-1)", () => {
    const n = 10;
    const { overlay } = run(
      { outbound: n - 1, maxConnections: n - 1, mining: { interval: "1000d" }, transactions: { rate: "2/s", trickleOutbound: "1s", trickleInbound: "1s" } },
      { peers: n, outbound: n - 1, latency: "0ms", duration: "20m" },
    );
    let harmonic = 0;
    for (let k = 1; k < n; k++) harmonic += 1 / k;
    const expected = 1000 * (2 / n) * harmonic; // 565.8 ms
    expect(Math.abs(overlay.txReach100MeanMs! - expected) / expected).toBeLessThan(0.03);
    expect(overlay.txReach100MeanMs).toBe(565.788);
  });

  it("longer trickle timers: slower spread, fewer and fuller invs", () => {
    const fast = run({ mining: { interval: "1000d" }, transactions: { rate: "2/s", trickleOutbound: "200ms", trickleInbound: "500ms" } });
    const slow = run({ mining: { interval: "1000d" }, transactions: { rate: "2/s", trickleOutbound: "4s", trickleInbound: "10s" } });
    // The same transactions at the same nodes: trickle timers draw from a stream of their own.
    expect(slow.overlay.txCreated).toBe(fast.overlay.txCreated);
    expect(fast.overlay.txCreated).toBe(1237);
    expect(fast.overlay.txReach90MeanMs).toBe(646.878);
    expect(slow.overlay.txReach90MeanMs).toBe(4697.152);
    expect(fast.overlay.txInvMessagesPerNode).toBe(4052.05);
    expect(slow.overlay.txInvMessagesPerNode).toBe(662.75);
    expect(slow.overlay.txIdsPerInv).toBeGreaterThan(fast.overlay.txIdsPerInv!);
  });

  it("blocks carry at most their capacity from the miner's mempool, and no transaction twice on one chain", () => {
    // 5 transactions per block (1,250 / 250 bytes), 2 a second, a block a minute: the mempools fill up.
    const { results, overlay } = run(
      { blockSize: 1250, mining: { interval: "1m" }, transactions: { rate: "2/s", trickleOutbound: "2s", trickleInbound: "5s" } },
      { duration: "20m" },
    );
    const perBlock = new Map<number, number>();
    for (const t of results.transactions!.txs) if (t.block !== null) perBlock.set(t.block, (perBlock.get(t.block) ?? 0) + 1);
    const mined = results.blocks.filter((b) => b.id > 0);
    expect(mined.length).toBe(26);
    expect([...perBlock.values()].reduce((s, x) => s + x, 0)).toBe(26 * 5);
    // Every block is full, each with transactions no earlier block took: nodes drop confirmed ones from their mempools.
    for (const b of mined) expect(perBlock.get(b.id)).toBe(5);
    // Oldest first: the confirmed transactions are among the earliest created.
    const confirmed = results.transactions!.txs.filter((t) => t.block !== null).map((t) => t.id);
    expect(Math.max(...confirmed)).toBeLessThan(overlay.txCreated! / 10);
  });

  it("compact blocks miss exactly what a receiver lacks: slow trickling costs more round trips", () => {
    const compact = (trickle: string) =>
      run(
        { relay: { mode: "compact" }, mining: { interval: "30s" }, transactions: { rate: "4/s", trickleOutbound: trickle, trickleInbound: trickle } },
        { duration: "20m" },
      );
    const fast = compact("10ms");
    const slow = compact("10s");
    expect(fast.counters.compactRoundTrips).toBe(73);
    expect(slow.counters.compactRoundTrips).toBe(675);
  });

  it("a block is its header plus the transactions it carries, not blockSize", () => {
    const without = run({ mining: { interval: "1m" } });
    const withTxs = run({ mining: { interval: "1m" }, transactions: { rate: "1/s" } });
    const perBlockSent = (r: typeof without) => r.counters.blockBytesSent! / r.traffic.block!.messages;
    expect(perBlockSent(without)).toBe(100000);
    // One transaction a second, a block about a minute: 41.3 transactions of 250 bytes on average here, plus the 80-byte header.
    expect(perBlockSent(withTxs)).toBeCloseTo(10413.333, 3);
    expect(perBlockSent(withTxs)).toBeGreaterThan(80 + 30 * 250);
    expect(perBlockSent(withTxs)).toBeLessThan(80 + 80 * 250);
  });

  it("leaves the block streams alone: blocks are mined at the same times with and without transactions", () => {
    const without = run({ mining: { interval: "1m" } });
    const withTxs = run({ mining: { interval: "1m" }, transactions: { rate: "5/s" } });
    expect(withTxs.results.blocks.map((b) => b.minedMs)).toEqual(without.results.blocks.map((b) => b.minedMs));
    expect(withTxs.overlay.txTrafficShare).toBeGreaterThan(0);
    expect(withTxs.overlay.txTrafficShare).toBeLessThan(1);
  });

  it("with network.bandwidth transactions move as transfers, counted in the transaction traffic", () => {
    const { overlay, traffic } = run({ mining: { interval: "1000d" }, transactions: { rate: "1/s" } }, { bandwidth: true });
    expect(traffic.tx!.messages).toBe(0);
    expect(traffic.txinv!.messages).toBeGreaterThan(0);
    expect(overlay.txReached100Share).toBeGreaterThan(0.99);
    expect(overlay.txBytesPerNode).toBe(395032.4);
  });

  it("no chain carries a transaction twice, with a selfish pool whose members connect its blocks outside the relay", () => {
    // Small blocks (20 transactions) and a steady backlog: every miner's mempool always has more than
    // fits, so a pool member that kept a private block's transactions would put them in its next one.
    const { results, relay } = run(
      { mining: { interval: "10m" }, gamma: 0.5, outbound: 3, maintenanceInterval: "1h", blockSize: 80 + 20 * 250, transactions: { rate: "0.05/s" } },
      { peers: 10, duration: "20h", adversaries: { fraction: 0.35, behaviours: ["selfish"] } },
    );
    const parent = new Map(results.blocks.map((b) => [b.id, b.parent]));
    const selfish = results.blocks.filter((b) => b.selfish);
    expect(selfish.length).toBeGreaterThan(10);
    let checked = 0;
    for (const block of results.blocks) {
      const seen = new Set<number>();
      for (let b: number | undefined = block.id; b !== undefined && b >= 0; b = parent.get(b)) {
        for (const tx of relay!.carried(b)) {
          expect(seen.has(tx), `transaction ${tx} twice on the chain ending at block ${block.id}`).toBe(false);
          seen.add(tx);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(5_000);
  });

  it("puts the transactions of a block that lost a race back into the mempools, so a main-chain block carries them later", () => {
    // Blocks every 5 s on 50 ms links: races are common. Small blocks (50 transactions) keep the mempools busy.
    const { results, relay } = run({ mining: { interval: "5s" }, blockSize: 80 + 50 * 250, transactions: { rate: "2/s" } }, { duration: "20m" });
    const main = new Set<number>();
    for (const b of results.blocks) if (b.fate === "main") for (const tx of relay!.carried(b.id)) main.add(tx);
    const stale = results.blocks.filter((b) => b.fate === "stale" && b.minedMs < 15 * 60_000);
    expect(stale.length).toBeGreaterThan(5);
    let lost = 0;
    let staleTxs = 0;
    for (const b of stale) {
      for (const tx of relay!.carried(b.id)) {
        staleTxs++;
        if (!main.has(tx)) lost++;
      }
    }
    expect(staleTxs).toBeGreaterThan(50);
    expect(lost).toBe(0);
  });
});
