import { describe, expect, it } from "vitest";
import { chooseVictims } from "../../sim/churn/faults/crash.js";
import type { TimeSeriesRow } from "../../sim/metrics/recorder.js";
import { resultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { validateScenario } from "../../sim/scenario/load.js";

/**
 * Every fault kind on every overlay: each test runs a small static network
 * (no churn, so every change in the time series is the fault's doing) and
 * checks the columns the fault should move, before, during and after it.
 */

const OVERLAYS: Record<string, Record<string, unknown>> = {
  flooding: { type: "unstructured", degree: 6, search: { method: "flood", ttl: 4 }, replication: { replicas: 3 }, maintenanceInterval: "10s" },
  "central-index": { type: "hybrid", mode: "central", replication: { replicas: 3 }, keepAliveInterval: "10s" },
  "super-peers": { type: "hybrid", mode: "super-peer", replication: { replicas: 3 }, keepAliveInterval: "10s" },
  chord: { type: "chord", stabilizeInterval: "5s", fixFingersInterval: "5s", checkPredecessorInterval: "5s" },
  // Refreshing every bucket each minute keeps maintenance visible (the freeze test) at a third of the cost of 20 s.
  kademlia: { type: "kademlia", refreshInterval: "1m" },
};

function scenario(overlay: Record<string, unknown>, faults: unknown[], extra: Record<string, unknown> = {}) {
  return validateScenario(
    {
      name: "faults",
      seed: 3,
      duration: "8m",
      peers: { count: 160, joinOver: "20s" },
      network: { latency: { model: "constant", delay: "40ms" } },
      overlay,
      workload: { keys: 200, popularity: { distribution: "uniform" }, lookups: { rate: "4/s" }, timeout: "10s" },
      metrics: { warmup: "1m", interval: "30s" },
      faults,
      ...extra,
    },
    "faults-test.yaml",
  );
}

function run(overlay: Record<string, unknown>, faults: unknown[], extra: Record<string, unknown> = {}) {
  const simulation = new Simulation(scenario(overlay, faults, extra));
  simulation.runToEnd();
  const files = resultFiles(simulation, { scenarioFile: "faults-test.yaml", complete: true });
  return { files, series: parseCsv(files["timeseries.csv"]!) };
}

function parseCsv(text: string): TimeSeriesRow[] {
  const [head, ...lines] = text.trim().split("\n");
  const names = head!.split(",");
  return lines.map((line) => Object.fromEntries(line.split(",").map((v, i) => [names[i]!, v === "" ? "" : Number.isNaN(Number(v)) ? v : Number(v)])));
}

/** Sum of a column over rows whose interval ends in (fromS, toS]. */
function total(rows: TimeSeriesRow[], column: string, fromS: number, toS: number): number {
  return rows.filter((r) => (r.time_s as number) > fromS && (r.time_s as number) <= toS).reduce((a, r) => a + Number(r[column] || 0), 0);
}

function successIn(rows: TimeSeriesRow[], fromS: number, toS: number): number {
  const ok = total(rows, "lookups_succeeded", fromS, toS);
  return ok / (ok + total(rows, "lookups_failed", fromS, toS));
}

function liveAt(rows: TimeSeriesRow[], timeS: number): number {
  return rows.find((r) => r.time_s === timeS)!.live_peers as number;
}

describe.each(Object.entries(OVERLAYS))("faults on %s", (name, overlay) => {
  it("crash: half the online peers crash at once and stay down without churn", () => {
    const { series, files } = run(overlay, [{ kind: "crash", at: "3m", fraction: 0.5 }]);
    // Intervals are (start, end]: the row ending at 180 s holds the crash at 180 s.
    expect(liveAt(series, 150)).toBe(160);
    expect(liveAt(series, 180)).toBe(80);
    expect(total(series, "crashes", 150, 180)).toBe(80);
    expect(liveAt(series, 480)).toBe(80);
    expect(JSON.parse(files["annotations.json"]!)).toEqual([{ time_s: 180, kind: "crash", label: "80 peers crash (at random)" }]);
  });

  it("partition: messages between the two halves are dropped until it heals, and lookups suffer", () => {
    const { series, files } = run(overlay, [{ kind: "partition", at: "3m", until: "5m", groups: 2, by: "random" }]);
    expect(total(series, "partition_dropped", 0, 180)).toBe(0);
    expect(total(series, "partition_dropped", 180, 300)).toBeGreaterThan(50);
    expect(total(series, "partition_dropped", 300, 480)).toBe(0);
    // Kademlia stores each value on its 20 closest peers, so each half of a random split still
    // holds copies of nearly every key: its lookups get through (docs/faults.md).
    if (name === "kademlia") expect(successIn(series, 210, 300)).toBeGreaterThan(0.9);
    else expect(successIn(series, 210, 300)).toBeLessThan(successIn(series, 60, 180));
    expect(JSON.parse(files["annotations.json"]!).map((a: { kind: string }) => a.kind)).toEqual(["partition", "heal"]);
  });

  it("degrade: loss and extra latency during the window only", () => {
    const { series } = run(overlay, [{ kind: "degrade", at: "3m", until: "5m", loss: 0.2, extraLatency: "300ms" }]);
    expect(total(series, "messages_lost", 0, 180)).toBe(0);
    expect(total(series, "messages_lost", 180, 300)).toBeGreaterThan(20);
    expect(total(series, "messages_lost", 330, 480)).toBe(0);
    const p50 = (t: number) => series.find((r) => r.time_s === t)!.latency_p50_ms as number;
    expect(p50(270)).toBeGreaterThan(p50(150) + 250);
    expect(p50(450)).toBeLessThan(p50(270));
  });

  it("flash crowd: n new peers join over the window and take part", () => {
    const { series } = run(overlay, [{ kind: "flash-crowd", at: "3m", joins: 100, over: "30s" }]);
    expect(total(series, "joins", 180, 210)).toBe(100);
    expect(liveAt(series, 240)).toBe(260);
    expect(successIn(series, 300, 480)).toBeGreaterThan(0.5);
  });

  it("freeze: periodic maintenance stops in the window and resumes after it", () => {
    const { series, files } = run(overlay, [{ kind: "freeze", at: "3m", until: "5m" }]);
    const before = total(series, "messages_maintenance", 90, 180);
    const frozen = total(series, "messages_maintenance", 210, 300);
    const after = total(series, "messages_maintenance", 330, 420);
    expect(before).toBeGreaterThan(0);
    expect(frozen).toBeLessThan(before * 0.25);
    expect(after).toBeGreaterThan(frozen);
    expect(JSON.parse(files["annotations.json"]!).map((a: { label: string }) => a.label)).toEqual(["maintenance frozen", "maintenance resumes"]);
  });
});

describe("targeted crashes", () => {
  it("degree, load and storage pick the most central peers, not random ones", () => {
    const simulation = new Simulation(scenario(OVERLAYS.flooding!, []));
    simulation.sim.run({ until: 120_000 });
    const snapshot = simulation.overlay.snapshot!();
    const degree = new Map<number, number>();
    for (const p of snapshot.peers) {
      degree.set(p.peer, (degree.get(p.peer) ?? 0) + new Set(p.links).size);
      for (const l of new Set(p.links)) degree.set(l, (degree.get(l) ?? 0) + 1);
    }
    const victims = chooseVictims(0.1, "degree", {
      population: simulation.population,
      overlay: simulation.overlay,
      rng: undefined as never,
      network: undefined as never,
    } as never);
    expect(victims).toHaveLength(16);
    const ranked = [...degree.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([p]) => p);
    expect(victims).toEqual(ranked.slice(0, 16));
    const meanAll = [...degree.values()].reduce((a, b) => a + b, 0) / degree.size;
    const meanVictims = victims.reduce((a, p) => a + degree.get(p)!, 0) / victims.length;
    expect(meanVictims).toBeGreaterThan(meanAll * 1.15);
  });

  it("a crash of the highest-degree (or most loaded) peers cuts more links than a random crash of as many", () => {
    const random = run(OVERLAYS.flooding!, [{ kind: "crash", at: "3m", fraction: 0.3, target: "random" }]).series;
    const hubs = run(OVERLAYS.flooding!, [{ kind: "crash", at: "3m", fraction: 0.3, target: "degree" }]).series;
    const load = run(OVERLAYS.flooding!, [{ kind: "crash", at: "3m", fraction: 0.3, target: "load" }]).series;
    expect(liveAt(hubs, 180)).toBe(liveAt(random, 180));
    // The survivors' mean degree right after the crash (sampled at 180 s, before any repair round).
    const degreeAt = (s: TimeSeriesRow[]) => s.find((r) => r.time_s === 180)!.mean_degree as number;
    expect(degreeAt(hubs)).toBeLessThan(degreeAt(random));
    expect(degreeAt(load)).toBeLessThan(degreeAt(random));
  });
});

describe("faults on top of churn", () => {
  it("peers a fault crashed come back when churn brings them back, and churn's own plans for them lapse", () => {
    const churn = { churn: { model: "sessions", session: { distribution: "exponential", mean: "20m" }, offline: { distribution: "exponential", mean: "2m" } } };
    const { series } = run(OVERLAYS.chord!, [{ kind: "crash", at: "3m", fraction: 0.5 }], churn);
    const before = liveAt(series, 150);
    const after = liveAt(series, 180);
    expect(after).toBeLessThan(before * 0.6);
    // With 2-minute absences the crashed peers rejoin: the population climbs back toward its mean.
    expect(liveAt(series, 480)).toBeGreaterThan(before * 0.85);
    expect(total(series, "joins", 180, 480)).toBeGreaterThan(before * 0.4);
  });

  it("a flash crowd and a trace-free session churn run together, and newcomers that stay only `stay` leave", () => {
    const { series } = run(OVERLAYS.kademlia!, [{ kind: "flash-crowd", at: "3m", joins: 60, over: "10s", stay: "2m" }]);
    expect(total(series, "joins", 150, 210)).toBe(60);
    expect(liveAt(series, 240)).toBe(220);
    expect(total(series, "leaves", 270, 330)).toBe(60);
    expect(liveAt(series, 360)).toBe(160);
  });
});

describe("crash targeted by storage", () => {
  it("takes out the peers holding the most keys: more items become unavailable than in a random crash of as many", () => {
    const store = { ...OVERLAYS.chord!, storage: { replicas: 0, replicateInterval: "30s" } };
    const availableAfter = (target: string) => {
      const { series } = run(store, [{ kind: "crash", at: "3m", fraction: 0.2, target }]);
      const row = series.find((r) => r.time_s === 180)!;
      return { available: row.items_available as number, stored: row.items_stored as number, live: row.live_peers as number };
    };
    const random = availableAfter("random");
    const storage = availableAfter("storage");
    expect(storage.live).toBe(random.live);
    expect(storage.stored).toBe(random.stored);
    // With no replicas, a crash loses exactly the victims' items; the 20 % biggest holders hold far more than 20 %.
    expect(random.stored - random.available).toBeGreaterThan(0);
    expect(storage.stored - storage.available).toBeGreaterThan(1.5 * (random.stored - random.available));
  });
});

describe("crash-role", () => {
  it("takes the central index down and brings it back, with annotations", () => {
    const { series, files } = run(OVERLAYS["central-index"]!, [{ kind: "crash-role", at: "3m", until: "5m", role: "index" }]);
    expect(successIn(series, 90, 180)).toBeGreaterThan(0.9);
    expect(successIn(series, 210, 300)).toBeLessThan(0.1);
    expect(successIn(series, 360, 480)).toBeGreaterThan(0.9);
    expect(JSON.parse(files["annotations.json"]!)).toEqual([
      { time_s: 180, kind: "outage", label: "index server(s) down", until_s: 300 },
      { time_s: 300, kind: "restart", label: "index server(s) back up" },
    ]);
  });

  it("names the roles an overlay has when the fault names another", () => {
    expect(() => scenario(OVERLAYS.chord!, [{ kind: "crash-role", at: "3m", role: "index" }])).toThrow(
      /faults\[0\]\.role: expected a service role of the chord overlay \(it has none\), got "index"/,
    );
    expect(() => scenario(OVERLAYS["central-index"]!, [{ kind: "crash-role", at: "3m", role: "tracker" }])).toThrow(/expected a service role of the hybrid overlay \("index"\), got "tracker"/);
  });
});

describe("fault timeline validation", () => {
  it("reports each bad entry with its path and what is allowed", () => {
    const problems = (faults: unknown[]) => {
      try {
        scenario(OVERLAYS.chord!, faults);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(problems([{ kind: "meteor", at: "1m" }])).toContain('faults[0].kind: expected a fault kind: one of "crash", "crash-role", "partition", "degrade", "freeze", "flash-crowd", got "meteor"');
    expect(problems([{ kind: "crash", at: "9m", fraction: 0.5 }])).toContain("faults[0].at: expected a time before the end of the run (480000 ms), got 540000 ms");
    expect(problems([{ kind: "freeze", at: "3m", until: "2m" }])).toContain("faults[0].until: expected a time after at (180000 ms), got 120000 ms");
    expect(problems([{ kind: "partition", at: "3m", by: "region" }])).toContain('faults[0].by: expected network.latency.model "regions" for a partition by region, got "constant"');
    expect(problems([{ kind: "degrade", at: "3m" }])).toContain("faults[0]: expected at least one of loss, extraLatency, latencyFactor or bandwidthFactor");
    expect(problems([{ kind: "crash", at: "3m", fraction: 2 }])).toContain("faults[0].fraction: expected a probability between 0 and 1, got 2");
  });
});

describe("partition by region and by id", () => {
  it("by region cuts exactly the traffic between regions", () => {
    const regions = {
      network: {
        latency: {
          model: "regions",
          regions: [
            { name: "eu", share: 0.5, x: 0, y: 0 },
            { name: "us", share: 0.5, x: 80, y: 0 },
          ],
        },
      },
    };
    const { series } = run(OVERLAYS.chord!, [{ kind: "partition", at: "3m", until: "5m", by: "region" }], regions);
    expect(total(series, "partition_dropped", 180, 300)).toBeGreaterThan(50);
    expect(successIn(series, 210, 300)).toBeLessThan(successIn(series, 60, 180));
  });

  it("by id splits a DHT into arcs of its identifier space", () => {
    const { series } = run(OVERLAYS.chord!, [{ kind: "partition", at: "3m", until: "5m", groups: 2, by: "id" }]);
    expect(total(series, "partition_dropped", 180, 300)).toBeGreaterThan(50);
  });
});

describe("crash with a probability", () => {
  it("crashes each online peer independently: a binomial count, the same on every rerun", () => {
    const count = (seed: number) => {
      const sc = scenario(OVERLAYS.chord!, [{ kind: "crash", at: "2m", probability: 0.3 }]);
      const simulation = new Simulation({ ...sc, seed });
      simulation.runToEnd();
      const files = resultFiles(simulation, { scenarioFile: "faults-test.yaml", complete: true });
      return { crashes: total(parseCsv(files["timeseries.csv"]!), "crashes", 0, 480), files };
    };
    const a = count(3);
    // 160 online: mean 48, sd √(160·0.3·0.7) ≈ 5.8.
    expect(Math.abs(a.crashes - 48)).toBeLessThan(5 * 5.8);
    expect(count(3).files["timeseries.csv"]).toBe(a.files["timeseries.csv"]);
    const counts = [4, 5, 6, 7].map((s) => count(s).crashes);
    expect(new Set([a.crashes, ...counts]).size).toBeGreaterThan(1);
  });

  it("rejects both or neither of fraction and probability, and probability with a targeted crash", () => {
    expect(() => scenario(OVERLAYS.chord!, [{ kind: "crash", at: "2m" }])).toThrow(/faults\[0\]: expected exactly one of fraction or probability for a crash, got neither/);
    expect(() => scenario(OVERLAYS.chord!, [{ kind: "crash", at: "2m", fraction: 0.1, probability: 0.1 }])).toThrow(/got both/);
    expect(() => scenario(OVERLAYS.chord!, [{ kind: "crash", at: "2m", probability: 0.1, target: "degree" }])).toThrow(/faults\[0\]\.target: expected target "random" with probability/);
  });
});
