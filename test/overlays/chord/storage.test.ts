import { describe, expect, it } from "vitest";
import type { PeerId } from "../../../sim/peers/population.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** A Chord network that stores its 400 keys, with constant latency; the arguments override the defaults here. */
function storageRun(overlay: object, extra: { peers?: number; duration?: string; joinOver?: string; lookups?: number; warmup?: string; churn?: object; bandwidth?: object; fileSize?: string; faults?: object[] } = {}) {
  const scenario = validateScenario(
    {
      seed: 5,
      duration: extra.duration ?? "4m",
      peers: { count: extra.peers ?? 150, joinOver: extra.joinOver ?? "30s" },
      network: { latency: { model: "constant", delay: "10ms" }, ...(extra.bandwidth ? { bandwidth: extra.bandwidth } : {}) },
      ...(extra.churn ? { churn: extra.churn } : {}),
      ...(extra.faults ? { faults: extra.faults } : {}),
      // The exact figures below were measured on the fixed hashed ring.
      overlay: { type: "chord", ids: "fixed", stabilizeInterval: "5s", fixFingersInterval: "5s", checkPredecessorInterval: "5s", ...overlay },
      workload: { keys: 400, popularity: { distribution: "uniform" }, lookups: { count: extra.lookups ?? 400 }, timeout: "20s", ...(extra.fileSize ? { fileSize: extra.fileSize } : {}) },
      metrics: { warmup: extra.warmup ?? "2m", interval: "30s" },
    },
    "chord-storage.yaml",
  );
  return new Simulation(scenario);
}

/** Maintenance frozen from the start: an oracle ring that never changes. */
const FROZEN = [{ kind: "freeze", at: "0s" }];

interface ChordInside {
  storage: { copiesOf(key: number): number; heldBy(peer: PeerId): readonly number[]; keyIds: Uint32Array };
  truth: { peers: PeerId[]; owner(id: Uint32Array, offset: number): PeerId };
  tables: { W: number };
}

/** Positions on the true ring (0 = the owner) of the peers holding `key`. */
function holders(simulation: Simulation, key: number): number[] {
  const chord = simulation.overlay as unknown as ChordInside;
  const ring = chord.truth.peers;
  const owner = chord.truth.owner(chord.storage.keyIds, key * chord.tables.W);
  const at = ring.indexOf(owner);
  const out: number[] = [];
  for (let i = 0; i < ring.length; i++) if (chord.storage.heldBy(ring[(at + i) % ring.length]!).includes(key)) out.push(i);
  return out;
}

describe("chord storage", () => {
  it("oracle placement: each item on its owner and the next `replicas` successors; every get succeeds", () => {
    const simulation = storageRun({ bootstrap: "oracle", storage: { replicas: 2 } }, { warmup: "0s", faults: FROZEN });
    for (let key = 0; key < 400; key++) expect(holders(simulation, key)).toEqual([0, 1, 2]);
    simulation.runToEnd();
    const { summary, timeSeries } = simulation.finish();
    expect(summary.lookups.successRatio).toBe(1);
    expect(summary.counters.getsMissing).toBe(0);
    // Five lookups start at a peer that holds the item and fetch nothing over the network.
    expect(summary.traffic.byType.get!.messages).toBe(395);
    for (const row of timeSeries) {
      expect(row.items_stored).toBe(400);
      expect(row.availability).toBe(1);
    }
  });

  it("with network.bandwidth a found value moves as a transfer: the get ends when its bytes have arrived", () => {
    const oracle = { bootstrap: "oracle", storage: { replicas: 2 } };
    const plain = storageRun(oracle, { warmup: "0s", faults: FROZEN });
    plain.runToEnd();
    const without = plain.finish().summary;
    // 1 MB over 8 Mbit/s links (1,000 bytes/ms up and down): 1,000 ms of transmission, plus 10 ms of latency.
    const links = storageRun(oracle, { warmup: "0s", faults: FROZEN, fileSize: "1MB", bandwidth: { model: "maxmin", links: { upload: "8Mbit/s", download: "8Mbit/s" } } });
    links.runToEnd();
    const { summary } = links.finish();
    expect(summary.lookups.successRatio).toBe(1);
    // The five gets answered from the origin's own copy move nothing; the other 395 each move one value.
    expect(summary.bandwidth!.transfersCompleted).toBe(395);
    expect(summary.bandwidth!.transfersAborted).toBe(0);
    expect(summary.bandwidth!.bytesDelivered).toBe(395 * 1_000_000);
    expect(summary.bandwidth!.transferTimeMs.p50).toBe(1010);
    // Same routing as without bandwidth, then the value's transfer on top.
    expect(summary.lookups.hops.mean).toBe(without.lookups.hops.mean);
    expect(summary.lookups.latencyMs.p50).toBeGreaterThanOrEqual(without.lookups.latencyMs.p50 + 1010);
  });

  it("puts through the join protocol end at the true owner: keys move to peers that join later", () => {
    // Peers join over 30 s; publishers put 5 s after joining, so most items are stored before their final owner arrives.
    const simulation = storageRun({ storage: { replicas: 1 } });
    // Count handoffs over the whole run (summary.json counts only the measured window, after the joins).
    const storage = (simulation.overlay as unknown as { storage: { handle(to: PeerId, from: PeerId, msg: { type: string }): boolean } }).storage;
    const handle = storage.handle.bind(storage);
    let handoffs = 0;
    storage.handle = (to, from, msg) => {
      if (msg.type === "handoff") handoffs++;
      return handle(to, from, msg);
    };
    simulation.runToEnd();
    const { summary } = simulation.finish();
    let atOwner = 0;
    let onSuccessor = 0;
    for (let key = 0; key < 400; key++) {
      const at = holders(simulation, key);
      if (at.includes(0)) atOwner++;
      if (at.includes(1)) onSuccessor++;
    }
    expect(atOwner).toBe(400);
    expect(onSuccessor).toBe(400);
    expect(summary.lookups.successRatio).toBe(1);
    expect(summary.counters.getsMissing).toBe(0);
    expect(handoffs).toBeGreaterThan(50);
  });

  it("replication keeps items available under crashes; without it they are lost", () => {
    const churn = {
      model: "sessions",
      session: { distribution: "exponential", mean: "10m" },
      offline: { distribution: "exponential", mean: "5m" },
      gracefulLeave: 0,
    };
    const run = (replicas: number) => {
      const simulation = storageRun({ storage: { replicas } }, { churn, duration: "20m", warmup: "3m", lookups: 600 });
      simulation.runToEnd();
      return simulation.finish();
    };
    const none = run(0);
    const three = run(3);
    const last = (r: ReturnType<typeof run>) => r.timeSeries[r.timeSeries.length - 1]!;
    // Nearly every item survives with three copies besides the owner's; most are gone without them.
    expect(last(three).availability as number).toBeGreaterThanOrEqual(0.98);
    expect(last(none).availability as number).toBeLessThan(0.5);
    expect(three.summary.lookups.successRatio).toBeGreaterThan(0.9);
    expect(three.summary.lookups.successRatio).toBeGreaterThan(none.summary.lookups.successRatio + 0.3);
  });

  it("a graceful leave hands the leaver's items to its successor", () => {
    const churn = {
      model: "sessions",
      session: { distribution: "exponential", mean: "10m" },
      offline: { distribution: "exponential", mean: "5m" },
      gracefulLeave: 1,
    };
    const simulation = storageRun({ storage: { replicas: 0 } }, { churn, duration: "20m", warmup: "3m", lookups: 600 });
    simulation.runToEnd();
    const { summary, timeSeries } = simulation.finish();
    expect(summary.traffic.byType.handoff!.messages).toBeGreaterThan(100);
    expect(timeSeries[timeSeries.length - 1]!.availability).toBe(1);
  });

  it("without storage there are no availability columns", () => {
    const simulation = storageRun({ bootstrap: "oracle" }, { warmup: "0s", duration: "1m", faults: FROZEN });
    simulation.runToEnd();
    expect(simulation.finish().timeSeries[0]).not.toHaveProperty("availability");
  });
});
