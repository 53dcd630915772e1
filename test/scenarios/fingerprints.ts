import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LESSONS } from "../../sim/cli/lessons.js";
import { shippedScenarios } from "../../sim/cli/list-command.js";
import { tableFiles } from "../../sim/run/experiment-files.js";
import { loadExperiment } from "../../sim/run/experiment.js";
import type { SummaryLike } from "../../sim/run/headline.js";
import { resultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { runJob } from "../../sim/run/worker-job.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { chromiumPath } from "../helpers/browser.js";

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
  "scenarios/bandwidth-carriers.yaml": { events: 3867406, successRatio: [0.963835, 0.832461, 0.780065, 0.781385, 0.97791, 0.988215, 0.772598], messagesPerLookup: [3.916, 3.935, 3.946, 3.947, 1980.037, 9.394, 12.619], sha256: "aad48446084304bb" },
  "scenarios/bittorrent-flash-crowd.yaml": { events: 367379, successRatio: [null, null], messagesPerLookup: [null, null], sha256: "138f0b54c2e4e2d4" },
  "scenarios/blockchain-headers.yaml": { events: 921626, successRatio: [null, null], messagesPerLookup: [null, null], coverage: [0.871605, 0.934967], sha256: "a2cb5ba2f6b39432" },
  "scenarios/blockchain-transactions.yaml": { events: 2166489, successRatio: [null, null, null], messagesPerLookup: [null, null, null], coverage: [1, 1, 1], sha256: "202a0cc7639a215a" },
  "scenarios/blockchain-relay.yaml": { events: 2021335, successRatio: [null, null, null], messagesPerLookup: [null, null, null], coverage: [0.833939, 0.805758, 1], sha256: "81031b16c5da10b6" },
  "scenarios/blockchain-verification.yaml": { events: 1288706, successRatio: [null, null, null, null], messagesPerLookup: [null, null, null, null], coverage: [1, 0.984545, 1, 0.94375], sha256: "0484e4bcb2e44951" },
  "scenarios/chord-churn.yaml": { events: 2094234, successRatio: 0.997955, messagesPerLookup: 11.311, sha256: "b22dc48c7f4c44ea" },
  "scenarios/chord-storage.yaml": { events: 2322650, successRatio: 0.951764, messagesPerLookup: 12.519, sha256: "0c75b4e500dc05d5" },
  "scenarios/compare-topologies.yaml": { events: 6541262, successRatio: [0.982427, 0.981605, 0.99916, 0.969874], messagesPerLookup: [2361.915, 3.957, 9.947, 7.893], sha256: "113addb835706953" },
  "scenarios/expanding-ring.yaml": { events: 1852104, successRatio: 0.957391, messagesPerLookup: 1165.341, sha256: "3fa8c0e40b6611ba" },
  "scenarios/faults/adversaries.yaml": { events: 3237914, successRatio: [0.909684, 0.909684, 0.893304, 0.633297, 0.909684], messagesPerLookup: [10.269, 9.946, 14.165, 7.743, 11.714], sha256: "c7ca418f7512ee07" },
  "scenarios/faults/mass-failure.yaml": { events: 5301955, successRatio: [0.97786, 0.998419, 0.683501, 0.909618], messagesPerLookup: [16.025, 6.409, 671.032, 3.859], sha256: "f165bf439ed4c23b" },
  "scenarios/faults/replication.yaml": { events: 6486348, successRatio: [0.544673, 0.937388, 0.985479, 0.99504], messagesPerLookup: [11.0476, 11.2266, 11.1494, 11.1384], sha256: "85ee1be348cb6388" },
  "scenarios/faults/trace-replay.yaml": { events: 3205984, successRatio: [0.993652, 0.952172, 0.950098, 0.968765], messagesPerLookup: [9.831, 11.544, 485.335, 3.948], sha256: "96ce7c0fdc3b779e" },
  "scenarios/flooding-basic.yaml": { events: 11760722, successRatio: 0.897457, messagesPerLookup: 3709.228, sha256: "2b073383843a6ab0" },
  "scenarios/gossip-cycles.yaml": { events: 1847787, successRatio: [null, null, null], messagesPerLookup: [null, null, null], coverage: [0.850063, 0.828641, 0.954076], sha256: "ea2899241a64e08d" },
  "scenarios/gossip-epidemic.yaml": { events: 607665, successRatio: [null, null], messagesPerLookup: [null, null], coverage: [0.782184, 0.978927], sha256: "ffddaac4dab18042" },
  "scenarios/gossip-plugin.yaml": { events: 1272585, successRatio: null, messagesPerLookup: null, coverage: 0.855722, sha256: "b0ab7cc932a843ef" },
  "scenarios/hybrid-growth.yaml": { events: 122378, successRatio: 0.554055, messagesPerLookup: 3.024, sha256: "6d28034555f6f90b" },
  "scenarios/hybrid-index-failure.yaml": { events: 81463, successRatio: 0.664213, messagesPerLookup: 3.086, sha256: "67b4cb57959c75f8" },
  "scenarios/hybrid-super-peers.yaml": { events: 910810, successRatio: 0.871921, messagesPerLookup: 256.828, sha256: "230a1fbcc21e99de" },
  "scenarios/ipfs-churn.yaml": { events: 625518, successRatio: 0.922626, messagesPerLookup: 143.736, sha256: "60ba2ad7109b997d" },
  "scenarios/lessons/nft-metadata.yaml": { events: 1801419, successRatio: [0.560976, 0.917504], messagesPerLookup: [99.115, 84.528], sha256: "9b8c3b4f6651263a" },
  "scenarios/validation/ipfs-latency.yaml": { events: 609357, successRatio: 0.748571, messagesPerLookup: 74.233, sha256: "41863207c4768e2e" },
  "scenarios/kademlia-churn.yaml": { events: 920931, successRatio: 0.970809, messagesPerLookup: 9.119, sha256: "bcd1716221ddea1b" },
  "scenarios/lessons/attack-the-hub.yaml": { events: 142981, successRatio: [0.99919, 0.93517], messagesPerLookup: [39.962, 25.951], sha256: "e046c51ac4454dac" },
  "scenarios/lessons/index-failure.yaml": { events: 50431, successRatio: [0.654076, 1], messagesPerLookup: [2.854, 7.321], sha256: "521b4ae1e2ad72c4" },
  "scenarios/lessons/malicious.yaml": { events: 149251, successRatio: [1, 0.799733, 1], messagesPerLookup: [5.127, 5.127, 5.808], sha256: "fd39017599818ec5" },
  "scenarios/lessons/mass-failure.yaml": { events: 1488847, successRatio: [1, 0.93674, 1, 0.90783], messagesPerLookup: [10.271, 10.539, 4.883, 584.741], sha256: "c36d9dccde5125b8" },
  "scenarios/lessons/messages-vs-n.yaml": { events: 2838884, successRatio: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], messagesPerLookup: [263.05, 532.718, 1096.89, 2223.63, 4314.02, 6.585, 7.755, 8.605, 9.6318, 10.688, 4.3, 5.15, 6.42, 6.87, 8.01], sha256: "353d1864e848617e" },
  "scenarios/lessons/replication.yaml": { events: 2504708, successRatio: [0.569599, 0.91433, 0.978559, 0.990992], messagesPerLookup: [10.4178, 10.5798, 10.5436, 10.415], sha256: "11f6787b9e2f8343" },
  "scenarios/lessons/self-repair.yaml": { events: 127464, successRatio: 0.931839, messagesPerLookup: 9.61, sha256: "e952d35cd6ee1801" },
  "scenarios/lessons/swarm-vs-server.yaml": { events: 1074336, successRatio: [null, null, null, null, null, null, null, null, null, null], messagesPerLookup: [null, null, null, null, null, null, null, null, null, null], sha256: "685fc082b3f9f1f8" },
  "scenarios/lessons/topologies.yaml": { events: 84918, successRatio: [1, 1, 1], messagesPerLookup: [145.11, 3.835, 5.526], sha256: "7a3dd1e1d7b5572f" },
  "scenarios/random-walk.yaml": { events: 2452115, successRatio: 1, messagesPerLookup: 323.039, sha256: "4268937625f2a999" },
  "scenarios/sweep-churn.yaml": { events: 3032139, successRatio: [0.637879, 0.967917, 0.996741, 0.996793], messagesPerLookup: [14.8078, 11.0542, 8.958, 8.4886], sha256: "319feda09be77fe5" },
  "scenarios/validation/bandwidth-distribution.yaml": { events: 292342, successRatio: [null, null, null, null, null], messagesPerLookup: [null, null, null, null, null], coverage: [1, 1, 1, 1, 1], sha256: "f70326e745961de3" },
  "scenarios/validation/bandwidth-ps.yaml": { events: 1326490, successRatio: [1, 1, 1], messagesPerLookup: [2.007, 2.007, 2.007], sha256: "132ca3449fd81b44" },
  "scenarios/validation/bandwidth-single.yaml": { events: 8462, successRatio: 1, messagesPerLookup: 1.6, sha256: "d3bc1a477a42390b" },
  "scenarios/validation/bittorrent-heterogeneity.yaml": { events: 143007, successRatio: null, messagesPerLookup: null, sha256: "63c433e208500247" },
  "scenarios/validation/bittorrent-kurose-ross.yaml": { events: 2419809, successRatio: [null, null, null, null, null, null, null, null, null, null], messagesPerLookup: [null, null, null, null, null, null, null, null, null, null], sha256: "a5fca1f3d5dc1e98" },
  "scenarios/validation/bittorrent-kurose-ross-rounds.yaml": { events: 318420, successRatio: [null, null, null, null, null, null, null, null, null, null], messagesPerLookup: [null, null, null, null, null, null, null, null, null, null], sha256: "c3724023f311df3b" },
  "scenarios/validation/bittorrent-rarest-first.yaml": { events: 865758, successRatio: [null, null], messagesPerLookup: [null, null], sha256: "887695a932b48659" },
  "scenarios/validation/bittorrent-steady-state.yaml": { events: 2415806, successRatio: [null, null, null], messagesPerLookup: [null, null, null], sha256: "c32492844e7762f8" },
  "scenarios/validation/blockchain-trickle.yaml": { events: 1000088, successRatio: [null, null], messagesPerLookup: [null, null], coverage: [null, null], sha256: "d881d50b7331a3c2" },
  "scenarios/validation/blockchain-stale-rate.yaml": { events: 1936263, successRatio: [null, null, null, null], messagesPerLookup: [null, null, null, null], coverage: [0.866423, 0.90786, 0.937947, 0.97234], sha256: "13b886cb38f69555" },
  "scenarios/validation/chord-churn-paper.yaml": { events: 1315507, successRatio: 1, messagesPerLookup: 10.03, sha256: "6b043cd3fbefb6b0" },
  "scenarios/validation/chord-failures.yaml": { events: 1187967, successRatio: [1, 0.9999, 0.999899, 0.998986, 0.999491, 0.998568], messagesPerLookup: [9.474, 11.152, 13.868, 17.044, 20.564, 26.264], sha256: "a804a619e1d2d692" },
  "scenarios/validation/chord-load-balance.yaml": { events: 14554, successRatio: 1, messagesPerLookup: 13.712, sha256: "dfd5d3280aabdb10" },
  "scenarios/validation/chord-path-length.yaml": { events: 126890, successRatio: 1, messagesPerLookup: 11.69, sha256: "da08559dba304fad" },
  "scenarios/validation/flooding-broadcast.yaml": { events: 500414, successRatio: null, messagesPerLookup: null, coverage: 1, sha256: "2142565979cf51fe" },
  "scenarios/validation/gossip-anti-entropy.yaml": { events: 11371198, successRatio: [null, null, null], messagesPerLookup: [null, null, null], coverage: [0.9917, 0.991683, 0.991725], sha256: "b7cad115f7b51402" },
  "scenarios/validation/gossip-anti-entropy-cycles.yaml": { events: 6276, successRatio: [null, null, null], messagesPerLookup: [null, null, null], coverage: [0.991733, 0.991717, 0.991867], sha256: "bd94a3615e1b355c" },
  "scenarios/validation/gossip-fanout.yaml": { events: 5803008, successRatio: [null, null, null, null, null, null], messagesPerLookup: [null, null, null, null, null, null], coverage: [0.04059, 0.79687, 0.941457, 0.980257, 0.993033, 0.997467], sha256: "562072596f3839da" },
  "scenarios/validation/gossip-rumour-blind-coin.yaml": { events: 8203990, successRatio: [null, null, null, null, null], messagesPerLookup: [null, null, null, null, null], coverage: [0.039413, 0.787825, 0.929038, 0.96785, 0.9805], sha256: "19f6de2e7f3ebe8e" },
  "scenarios/validation/gossip-rumour-blind-coin-cycles.yaml": { events: 6960, successRatio: [null, null, null, null, null], messagesPerLookup: [null, null, null, null, null], coverage: [0.03635, 0.786288, 0.929725, 0.966725, 0.980413], sha256: "02846f971f15454e" },
  "scenarios/validation/gossip-rumour-table.yaml": { events: 9314752, successRatio: [null, null, null, null, null], messagesPerLookup: [null, null, null, null, null], coverage: [0.812488, 0.9396, 0.9721, 0.982275, 0.985675], sha256: "1daacda90c9f6350" },
  "scenarios/validation/gossip-rumour-table-cycles.yaml": { events: 6960, successRatio: [null, null, null, null, null], messagesPerLookup: [null, null, null, null, null], coverage: [0.813138, 0.940888, 0.972663, 0.982013, 0.985262], sha256: "fb22063f0a12966f" },
  "scenarios/validation/kademlia-static.yaml": { events: 1178091, successRatio: 1, messagesPerLookup: 44.783, sha256: "e46955e2cb32f08f" },
  "scenarios/validation/selfish-mining.yaml": { events: 5842886, successRatio: [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null], messagesPerLookup: [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null], coverage: [0.972323, 0.985297, 0.99983, 0.995023, 0.99651, 0.99877, 0.993524, 0.994728, 0.996189, 0.9956, 0.994914, 0.994486, 0.993785, 0.992745, 0.991057, 0.991653, 0.98991, 0.98828, 0.989661, 0.98839, 0.986751], sha256: "2a1b20d180f98f78" },
};

/** One run's outputs, as a fingerprint reads them. */
type RunOutput = { events: number; summary: string; timeseries: string };

export function fingerprint(file: string): Fingerprint {
  const experiment = loadExperiment(file);
  if (experiment.kind === "single") {
    const simulation = new Simulation(loadScenario(file));
    simulation.runToEnd();
    const files = resultFiles(simulation, { scenarioFile: file, complete: true });
    return single({ events: simulation.sim.eventsRun, summary: files["summary.json"]!, timeseries: files["timeseries.csv"]! });
  }
  const outputs = experiment.runs.map((run) => {
    const result = runJob(run, file);
    return { events: result.events, summary: result.files["summary.json"]!, timeseries: result.files["timeseries.csv"]! };
  });
  const summaries = new Map(experiment.runs.map((run, i) => [run.index, JSON.parse(outputs[i]!.summary) as SummaryLike]));
  return several(experiment, outputs, tableFiles(experiment, file, summaries));
}

/**
 * The fingerprint of the results folder a plain `peerlab run` (or `peerlab
 * lesson`) of `file` wrote in `folder`: the same figures and hash as
 * fingerprint(file), read from the files instead of computed again. The
 * lesson tests use it, so a lesson's scenario runs once in `npm test`.
 */
export function fingerprintOfFolder(file: string, folder: string): Fingerprint {
  const experiment = loadExperiment(file);
  const read = (dir: string): RunOutput => ({
    events: JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).engine.events,
    summary: readFileSync(join(dir, "summary.json"), "utf8"),
    timeseries: readFileSync(join(dir, "timeseries.csv"), "utf8"),
  });
  if (experiment.kind === "single") return single(read(folder));
  const tables: Record<string, string> = {};
  for (const name of TABLES) {
    try {
      tables[name] = readFileSync(join(folder, name), "utf8");
    } catch {
      // Not a table this kind of experiment writes.
    }
  }
  return several(experiment, experiment.runs.map((run) => read(join(folder, run.dir))), tables);
}

const TABLES = ["comparison.csv", "runs.csv", "aggregate.csv"];

function single(run: RunOutput): Fingerprint {
  const summary = JSON.parse(run.summary);
  return {
    events: run.events,
    successRatio: summary.lookups.successRatio,
    messagesPerLookup: summary.lookups.messagesPerLookup,
    ...(summary.broadcasts ? { coverage: summary.broadcasts.coverage.mean } : {}),
    sha256: createHash("sha256").update(run.summary).update(run.timeseries).digest("hex").slice(0, 16),
  };
}

/** A comparison or a sweep: `outputs` in the order of experiment.runs. */
function several(experiment: Exclude<ReturnType<typeof loadExperiment>, { kind: "single" }>, outputs: RunOutput[], tables: Record<string, string | undefined>): Fingerprint {
  const hash = createHash("sha256");
  const summaries = new Map<number, SummaryLike>();
  let events = 0;
  experiment.runs.forEach((run, i) => {
    const output = outputs[i]!;
    events += output.events;
    hash.update(output.summary).update(output.timeseries);
    summaries.set(run.index, JSON.parse(output.summary));
  });
  for (const name of TABLES) if (tables[name]) hash.update(tables[name]);
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
  const lessons = checkedByLessons();
  const known = shippedScenarioPaths().filter((f) => FINGERPRINTS[f] !== undefined && !lessons.has(f));
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

/**
 * The lessons' scenarios, when Chromium is here: the lesson tests
 * (test/viz/lesson-fixture.ts) run each one as `peerlab lesson` does and
 * check its fingerprint from the folder written, so the shards skip them
 * rather than run them a second time. Without Chromium the shards run them.
 */
export function checkedByLessons(): ReadonlySet<string> {
  return new Set(chromiumPath() ? LESSONS.map((l) => l.scenario) : []);
}

/** Compares with the known fingerprint (or prints it, with PEERLAB_PRINT_FINGERPRINTS=1). */
export function expectKnown(file: string, actual: Fingerprint): void {
  if (process.env.PEERLAB_PRINT_FINGERPRINTS) console.log(`  "${file}": ${JSON.stringify(actual)},`);
  expect(actual).toEqual(FINGERPRINTS[file]);
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
      it(`${file} gives its known results`, () => expectKnown(file, fingerprint(file)));
    }
  });
}
