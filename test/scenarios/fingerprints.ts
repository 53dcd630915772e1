import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { shippedScenarios } from "../../sim/cli/list-command.js";
import { tableFiles } from "../../sim/run/experiment-files.js";
import { loadExperiment } from "../../sim/run/experiment.js";
import type { SummaryLike } from "../../sim/run/headline.js";
import { resultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { runJob } from "../../sim/run/worker-job.js";
import { loadScenario } from "../../sim/scenario/load.js";

/**
 * Fingerprints of every shipped scenario: a few headline numbers a person
 * can read, and a hash of its summary.json and timeseries.csv. Any change to
 * what the simulator does shows up here. When a change is meant to alter
 * results, rerun with PEERLAB_PRINT_FINGERPRINTS=1, check the new numbers
 * make sense, and paste them in.
 *
 * A scenario with variants: or sweep: runs all its runs; its fingerprint has
 * the total events, the success ratio and messages per lookup of each variant
 * (of each grid point, averaged over its replications, for a sweep), and a
 * hash of every run's summary.json and timeseries.csv plus comparison.csv, or
 * runs.csv and aggregate.csv.
 *
 * The scenarios are split into shards, one test file each
 * (fingerprints-*.test.ts), so vitest runs them on every core: they are the
 * longest tests in the suite.
 */
export type Fingerprint = {
  events: number;
  /** null where a run makes no lookups (broadcast-only scenarios). */
  successRatio: number | null | (number | null)[];
  messagesPerLookup: number | null | (number | null)[];
  /** Mean broadcast coverage, for scenarios that broadcast. */
  coverage?: number | (number | null)[];
  sha256: string;
};
export const FINGERPRINTS: Record<string, Fingerprint> = {
  "scenarios/bandwidth-carriers.yaml": { events: 3804451, successRatio: [0.963835, 0.832461, 0.780065, 0.781385, 0.97791, 0.73569, 0.927792], messagesPerLookup: [3.916, 3.935, 3.946, 3.947, 1980.037, 7.106, 8.644], sha256: "839e13decd21846c" },
  "scenarios/chord-churn.yaml": { events: 1816747, successRatio: 0.959605, messagesPerLookup: 11.117, sha256: "75779aa03fad6668" },
  "scenarios/chord-storage.yaml": { events: 2222502, successRatio: 0.87563, messagesPerLookup: 15.414, sha256: "a6dd6619b3dcbcb6" },
  "scenarios/compare-topologies.yaml": { events: 6470419, successRatio: [0.982427, 0.981605, 0.967254, 0.969064], messagesPerLookup: [2361.915, 3.957, 8.219, 8.025], sha256: "df9c051721e0816a" },
  "scenarios/expanding-ring.yaml": { events: 1852104, successRatio: 0.957391, messagesPerLookup: 1165.341, sha256: "3fa8c0e40b6611ba" },
  "scenarios/faults/adversaries.yaml": { events: 3264667, successRatio: [0.908052, 0.91018, 0.883569, 0.656692, 0.908052], messagesPerLookup: [10.273, 9.868, 13.971, 7.685, 11.711], sha256: "a2fef21f217dbef2" },
  "scenarios/faults/mass-failure.yaml": { events: 5160441, successRatio: [0.808382, 0.997101, 0.683501, 0.909618], messagesPerLookup: [12.551, 6.395, 671.032, 3.859], sha256: "775bf5d3f2a92d04" },
  "scenarios/faults/replication.yaml": { events: 5056527, successRatio: [0.467122, 0.668773, 0.77285, 0.68728], messagesPerLookup: [11.9805, 14.1635, 12.365, 16.2285], sha256: "0440f766e49c3bd1" },
  "scenarios/faults/trace-replay.yaml": { events: 3254730, successRatio: [0.906204, 0.946803, 0.950098, 0.968765], messagesPerLookup: [12.054, 11.685, 485.335, 3.948], sha256: "21136261a60adfa4" },
  "scenarios/flooding-basic.yaml": { events: 11760722, successRatio: 0.897457, messagesPerLookup: 3709.228, sha256: "2b073383843a6ab0" },
  "scenarios/gossip-plugin.yaml": { events: 1272585, successRatio: null, messagesPerLookup: null, coverage: 0.855722, sha256: "b0ab7cc932a843ef" },
  "scenarios/hybrid-growth.yaml": { events: 122378, successRatio: 0.554055, messagesPerLookup: 3.024, sha256: "6d28034555f6f90b" },
  "scenarios/hybrid-index-failure.yaml": { events: 81463, successRatio: 0.664213, messagesPerLookup: 3.086, sha256: "67b4cb57959c75f8" },
  "scenarios/hybrid-super-peers.yaml": { events: 910810, successRatio: 0.871921, messagesPerLookup: 256.828, sha256: "230a1fbcc21e99de" },
  "scenarios/kademlia-churn.yaml": { events: 922649, successRatio: 0.969141, messagesPerLookup: 9.104, sha256: "a4f7e7800b1fba75" },
  "scenarios/lessons/attack-the-hub.yaml": { events: 142981, successRatio: [0.99919, 0.93517], messagesPerLookup: [39.962, 25.951], sha256: "88e05bf31a457a90" },
  "scenarios/lessons/index-failure.yaml": { events: 41808, successRatio: [0.654076, 0.998012], messagesPerLookup: [2.854, 5.323], sha256: "f6540f7610f25812" },
  "scenarios/lessons/malicious.yaml": { events: 145844, successRatio: [1, 0.822193, 1], messagesPerLookup: [5.166, 5.166, 5.701], sha256: "cf257f1dec55bd12" },
  "scenarios/lessons/mass-failure.yaml": { events: 1421974, successRatio: [0.998379, 0.943274, 1, 0.90783], messagesPerLookup: [8.223, 8.443, 5.027, 584.741], sha256: "bed9ab8d629925ea" },
  "scenarios/lessons/messages-vs-n.yaml": { events: 2743211, successRatio: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], messagesPerLookup: [263.05, 532.718, 1096.89, 2223.63, 4314.02, 4.595, 5.645, 6.645, 7.605, 8.23, 4.2, 5.38, 6.26, 7.15, 8.03], sha256: "841b1bda14d8dbb9" },
  "scenarios/lessons/replication.yaml": { events: 2260601, successRatio: [0.513325, 0.851308, 0.908752, 0.923726], messagesPerLookup: [12.7122, 11.8462, 11.5216, 10.861], sha256: "aaacd3d000ba8990" },
  "scenarios/lessons/self-repair.yaml": { events: 137961, successRatio: 0.812781, messagesPerLookup: 13.721, sha256: "3120e06db7d91f3b" },
  "scenarios/lessons/topologies.yaml": { events: 83329, successRatio: [1, 1, 1], messagesPerLookup: [145.11, 3.835, 3.918], sha256: "eb413529beaf095b" },
  "scenarios/random-walk.yaml": { events: 2452115, successRatio: 1, messagesPerLookup: 323.039, sha256: "4268937625f2a999" },
  "scenarios/sweep-churn.yaml": { events: 3258291, successRatio: [0.122158, 0.657386, 0.826917, 0.907623], messagesPerLookup: [13.3242, 16.8856, 9.4464, 6.437], sha256: "6a74d1d1460ea559" },
  "scenarios/validation/bandwidth-ps.yaml": { events: 1326490, successRatio: [1, 1, 1], messagesPerLookup: [2.007, 2.007, 2.007], sha256: "c1d3aad279c6255c" },
  "scenarios/validation/bandwidth-single.yaml": { events: 8462, successRatio: 1, messagesPerLookup: 1.6, sha256: "5dd67183d9d23ab9" },
  "scenarios/validation/chord-churn-paper.yaml": { events: 1315507, successRatio: 1, messagesPerLookup: 10.03, sha256: "4a0d883f57ccf3db" },
  "scenarios/validation/chord-failures.yaml": { events: 1187961, successRatio: [1, 0.9999, 0.999899, 0.998986, 0.999491, 0.998568], messagesPerLookup: [9.474, 11.152, 13.868, 17.044, 20.564, 26.264], sha256: "6dd0c5ef31235f33" },
  "scenarios/validation/chord-load-balance.yaml": { events: 12639, successRatio: 1, messagesPerLookup: 11.769, sha256: "d5b52a0dae618d3c" },
  "scenarios/validation/chord-path-length.yaml": { events: 107050, successRatio: 1, messagesPerLookup: 9.705, sha256: "f7edd6d44f4b2ec2" },
  "scenarios/validation/flooding-broadcast.yaml": { events: 500414, successRatio: null, messagesPerLookup: null, coverage: 1, sha256: "2142565979cf51fe" },
  "scenarios/validation/gossip-fanout.yaml": { events: 5803008, successRatio: [null, null, null, null, null, null], messagesPerLookup: [null, null, null, null, null, null], coverage: [0.04059, 0.79687, 0.941457, 0.980257, 0.993033, 0.997467], sha256: "562072596f3839da" },
  "scenarios/validation/kademlia-static.yaml": { events: 1178136, successRatio: 1, messagesPerLookup: 44.743, sha256: "25cf53bf93132ae1" },
};

export function fingerprint(file: string): Fingerprint {
  const experiment = loadExperiment(file);
  if (experiment.kind !== "single") {
    const hash = createHash("sha256");
    const summaries = new Map<number, SummaryLike>();
    let events = 0;
    for (const run of experiment.runs) {
      const result = runJob(run, file);
      events += result.events;
      hash.update(result.files["summary.json"]!).update(result.files["timeseries.csv"]!);
      summaries.set(run.index, JSON.parse(result.files["summary.json"]!));
    }
    const tables = tableFiles(experiment, file, summaries);
    for (const name of ["comparison.csv", "runs.csv", "aggregate.csv"]) if (tables[name]) hash.update(tables[name]);
    // One figure per variant, or per grid point (the mean over its replications).
    const groups = experiment.kind === "variants" ? experiment.runs.map((r) => [r.index]) : experiment.points.map((p) => experiment.runs.filter((r) => r.point === p.index).map((r) => r.index));
    const mean = (xs: number[]) => {
      const m = Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1e6) / 1e6;
      return Number.isFinite(m) ? m : null;
    };
    const broadcasts = [...summaries.values()].some((s) => s.broadcasts !== undefined);
    return {
      events,
      successRatio: groups.map((g) => mean(g.map((i) => summaries.get(i)!.lookups.successRatio ?? NaN))),
      messagesPerLookup: groups.map((g) => mean(g.map((i) => summaries.get(i)!.lookups.messagesPerLookup ?? NaN))),
      ...(broadcasts ? { coverage: groups.map((g) => mean(g.map((i) => summaries.get(i)!.broadcasts?.coverage.mean ?? NaN))) } : {}),
      sha256: hash.digest("hex").slice(0, 16),
    };
  }
  const simulation = new Simulation(loadScenario(file));
  simulation.runToEnd();
  const files = resultFiles(simulation, { scenarioFile: file, complete: true });
  const summary = JSON.parse(files["summary.json"]!);
  return {
    events: simulation.sim.eventsRun,
    successRatio: summary.lookups.successRatio,
    messagesPerLookup: summary.lookups.messagesPerLookup,
    ...(summary.broadcasts ? { coverage: summary.broadcasts.coverage.mean } : {}),
    sha256: createHash("sha256").update(files["summary.json"]!).update(files["timeseries.csv"]!).digest("hex").slice(0, 16),
  };
}

/** Paths of every shipped scenario, as the table above spells them. */
export function shippedScenarioPaths(): string[] {
  return shippedScenarios()
    .map((s) => s.file.split("\\").join("/").replace(/^.*?scenarios\//, "scenarios/"))
    .sort();
}

/**
 * The scenarios of shard `index` of `count`: longest first (by their known
 * event counts), each to the shard with the fewest events so far, so the
 * shards take about the same time. A scenario without a fingerprint yet goes
 * to shard 0, whose "all have a fingerprint" test then fails.
 */
export function shardScenarios(index: number, count: number): string[] {
  const known = shippedScenarioPaths().filter((f) => FINGERPRINTS[f] !== undefined);
  known.sort((a, b) => FINGERPRINTS[b]!.events - FINGERPRINTS[a]!.events || a.localeCompare(b));
  const load = new Array<number>(count).fill(0);
  const shards: string[][] = Array.from({ length: count }, () => []);
  for (const file of known) {
    const lightest = load.indexOf(Math.min(...load));
    shards[lightest]!.push(file);
    load[lightest]! += FINGERPRINTS[file]!.events;
  }
  return shards[index]!;
}

/** The tests of one shard. */
export function describeShard(index: number, count: number): void {
  describe(`shipped scenarios (shard ${index + 1} of ${count})`, () => {
    if (index === 0) {
      it("all have a fingerprint", () => {
        expect(shippedScenarioPaths()).toEqual(Object.keys(FINGERPRINTS).sort());
      });
    }
    for (const file of shardScenarios(index, count)) {
      it(`${file} gives its known results`, () => {
        const actual = fingerprint(file);
        if (process.env.PEERLAB_PRINT_FINGERPRINTS) console.log(`  "${file}": ${JSON.stringify(actual)},`);
        expect(actual).toEqual(FINGERPRINTS[file]);
      });
    }
  });
}
