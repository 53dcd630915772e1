import { describe, expect, it } from "vitest";
import type { PeerId } from "../../../sim/peers/population.js";
import { Simulation } from "../../../sim/run/simulation.js";
import { validateScenario } from "../../../sim/scenario/load.js";

/** A Chord ring of 120 peers built by the oracle, with constant latency; the arguments override the defaults here. */
function chordRun(overlay: object, extra: { adversaries?: object; faults?: object[]; duration?: string; lookups?: number; churn?: object } = {}) {
  const scenario = validateScenario(
    {
      seed: 4,
      duration: extra.duration ?? "3m",
      peers: { count: 120 },
      network: { latency: { model: "constant", delay: "10ms" } },
      ...(extra.churn ? { churn: extra.churn } : {}),
      overlay: { type: "chord", bootstrap: "oracle", stabilizeInterval: "10s", fixFingersInterval: "10s", checkPredecessorInterval: "10s", ...overlay },
      workload: { keys: 300, popularity: { distribution: "uniform" }, lookups: { count: extra.lookups ?? 400 }, timeout: "10s" },
      metrics: { warmup: "1m", interval: "30s" },
      ...(extra.adversaries ? { adversaries: extra.adversaries } : {}),
      ...(extra.faults ? { faults: extra.faults } : {}),
    },
    "chord-adversaries.yaml",
  );
  return new Simulation(scenario);
}

function runToEnd(simulation: Simulation) {
  simulation.runToEnd();
  return simulation.finish();
}

const counter = (summary: { counters: Record<string, number> }, name: string) => summary.counters[name] ?? 0;

describe("chord: misrouting nodes", () => {
  for (const routing of ["iterative", "recursive"] as const) {
    it(`${routing}: lookups are steered to malicious owners, and fail`, () => {
      const honest = runToEnd(chordRun({ routing })).summary;
      const attacked = runToEnd(chordRun({ routing }, { adversaries: { fraction: 0.2, behaviours: ["misroute"] } })).summary;
      expect(honest.lookups.successRatio).toBe(1);
      expect(counter(honest, "adversary_misroutes")).toBe(0);
      expect(counter(attacked, "adversary_misroutes")).toBeGreaterThan(100);
      expect(counter(attacked, "lookups_ended_malicious")).toBeGreaterThan(50);
      // Every failure is a malicious node named as the owner (never the true one); lookups of keys a
      // malicious node truly owns also end there, and succeed.
      expect(attacked.lookups.failed).toBe(counter(attacked, "wrongOwner"));
      expect(counter(attacked, "lookups_ended_malicious")).toBeGreaterThanOrEqual(attacked.lookups.failed);
      expect(attacked.lookups.successRatio).toBeLessThan(honest.lookups.successRatio - 0.2);
    });
  }

  it("with storage, a misrouted get asks the malicious 'owner', which serves nothing (or a corrupted value if it also tampers)", () => {
    const storage = { storage: { replicas: 2 } };
    const honest = runToEnd(chordRun(storage)).summary;
    const misroute = runToEnd(chordRun(storage, { adversaries: { fraction: 0.2, behaviours: ["misroute"] } })).summary;
    const both = runToEnd(chordRun(storage, { adversaries: { fraction: 0.2, behaviours: ["misroute", "tamper"] } })).summary;
    expect(honest.lookups.successRatio).toBe(1);
    expect(counter(misroute, "lookups_ended_malicious")).toBeGreaterThan(50);
    expect(misroute.lookups.successRatio).toBeLessThan(0.8);
    expect(counter(misroute, "tampered_received")).toBe(0);
    // The malicious owner hands out a corrupted value, which the requester (not verifying) accepts.
    expect(counter(both, "tampered_accepted")).toBeGreaterThan(50);
    expect(counter(both, "lookups_ended_malicious")).toBeGreaterThan(50);
    expect(both.lookups.successRatio).toBeLessThan(0.8);
  });

  it("virtual nodes: a malicious peer's every node misroutes and tampers", () => {
    const summary = runToEnd(chordRun({ virtualNodes: 3, storage: { replicas: 2 } }, { adversaries: { fraction: 0.2, behaviours: ["misroute", "tamper"] } })).summary;
    expect(counter(summary, "adversary_misroutes")).toBeGreaterThan(100);
    expect(counter(summary, "tampered_accepted")).toBeGreaterThan(50);
    expect(summary.lookups.successRatio).toBeLessThan(0.8);
  });

  it("is deterministic", () => {
    const run = () => JSON.stringify(runToEnd(chordRun({ storage: { replicas: 2 } }, { adversaries: { fraction: 0.2, behaviours: ["misroute", "tamper"], verify: true } })).summary);
    expect(run()).toBe(run());
  });
});

describe("chord: tampering holders", () => {
  const storage = { storage: { replicas: 2 } };
  it("without verification corrupted values are accepted; with it they are detected and other replicas serve the item", () => {
    const trusting = runToEnd(chordRun(storage, { adversaries: { fraction: 0.2, behaviours: ["tamper"] } })).summary;
    const verifying = runToEnd(chordRun(storage, { adversaries: { fraction: 0.2, behaviours: ["tamper"], verify: true } })).summary;
    expect(counter(trusting, "tampered_accepted")).toBeGreaterThan(30);
    expect(counter(trusting, "tampered_detected")).toBe(0);
    expect(counter(trusting, "lookups_ended_malicious")).toBe(counter(trusting, "tampered_accepted"));
    expect(trusting.lookups.successRatio).toBeLessThan(0.9);
    expect(counter(verifying, "tampered_detected")).toBeGreaterThan(30);
    expect(counter(verifying, "tampered_accepted")).toBe(0);
    // Only when every holder tried tampers (0.2³ of the gets) does a lookup still end at a malicious node, failing.
    expect(counter(verifying, "lookups_ended_malicious")).toBeLessThanOrEqual(5);
    expect(verifying.lookups.successRatio).toBeGreaterThan(trusting.lookups.successRatio + 0.1);
    expect(verifying.lookups.successRatio).toBeGreaterThan(0.97);
  });
});

describe("chord: frozen maintenance and lost items", () => {
  it("a freeze stops stabilization and replication rounds until it ends", () => {
    const { timeSeries } = runToEnd(
      chordRun({ storage: { replicas: 2, replicateInterval: "10s" } }, { duration: "5m", faults: [{ kind: "freeze", at: "2m", until: "210s" }] }),
    );
    const at = (s: number) => timeSeries.find((row) => row.time_s === s)!;
    for (const s of [90, 120, 240, 270, 300]) {
      expect(at(s).messages_maintenance as number).toBeGreaterThan(100);
      expect(at(s).repair_messages as number).toBeGreaterThan(10);
    }
    for (const s of [180, 210]) {
      expect(at(s).messages_maintenance).toBe(0);
      expect(at(s).repair_messages).toBe(0);
      // Lookups go on.
      expect(at(s).lookups_succeeded as number).toBeGreaterThan(0);
    }
  });

  it("crashes lose items without replicas; three replicas keep nearly all", () => {
    const run = (replicas: number) =>
      runToEnd(chordRun({ storage: { replicas } }, { duration: "4m", lookups: 200, faults: [{ kind: "crash", at: "2m", fraction: 0.25 }] })).timeSeries;
    const none = run(0);
    const three = run(3);
    const before = (rows: typeof none) => rows.find((row) => row.time_s === 90)!;
    const last = (rows: typeof none) => rows[rows.length - 1]!;
    expect(before(none).items_lost).toBe(0);
    expect(before(three).items_lost).toBe(0);
    expect(last(none).items_stored).toBe(300);
    expect(last(none).items_lost as number).toBeGreaterThan(40);
    expect(last(none).items_available).toBe(300 - (last(none).items_lost as number));
    expect(last(three).items_lost as number).toBeLessThanOrEqual(3);
  });

  it("republishing publishers keep every item: none is counted lost", () => {
    const rows = runToEnd(
      chordRun({ storage: { replicas: 0, republishOnJoin: true } }, { duration: "3m", lookups: 100, faults: [{ kind: "crash", at: "2m", fraction: 0.25 }] }),
    ).timeSeries;
    const last = rows[rows.length - 1]!;
    expect(last.items_available as number).toBeLessThan(280);
    expect(last.items_lost).toBe(0);
  });
});

describe("chord: id fractions", () => {
  for (const virtualNodes of [1, 4]) {
    it(`virtualNodes ${virtualNodes}: each peer's place on the ring, in [0, 1), as the snapshot shows it`, () => {
      const simulation = chordRun({ virtualNodes }, { duration: "2m", lookups: 10 });
      const overlay = simulation.overlay;
      const peers = simulation.population.livePeers().slice() as PeerId[];
      const positions = new Map<PeerId, number[]>();
      for (const p of overlay.snapshot!().peers) positions.set(p.peer, [...(positions.get(p.peer) ?? []), p.position!]);
      const fractions = new Set<number>();
      for (const peer of peers) {
        const f = overlay.idFraction!(peer);
        expect(f).toBeGreaterThanOrEqual(0);
        expect(f).toBeLessThan(1);
        expect(positions.get(peer)).toContain(f);
        fractions.add(f);
      }
      expect(fractions.size).toBe(peers.length);
      // Spread over the ring: about half below 0.5.
      const low = [...fractions].filter((f) => f < 0.5).length;
      expect(low).toBeGreaterThan(peers.length * 0.3);
      expect(low).toBeLessThan(peers.length * 0.7);
    });
  }
});
