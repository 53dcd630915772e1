import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { shippedScenarios } from "../../sim/cli/list-command.js";
import { resultFiles } from "../../sim/run/results.js";
import { Simulation } from "../../sim/run/simulation.js";
import { loadScenario } from "../../sim/scenario/load.js";

/**
 * Fingerprints of every shipped scenario: a few headline numbers a person
 * can read, and a hash of its summary.json and timeseries.csv. Any change to
 * what the simulator does shows up here. When a change is meant to alter
 * results, rerun with PEERLAB_PRINT_FINGERPRINTS=1, check the new numbers
 * make sense, and paste them in.
 */
const FINGERPRINTS: Record<string, { events: number; successRatio: number; messagesPerLookup: number; sha256: string }> = {
  "scenarios/chord-churn.yaml": { events: 1885319, successRatio: 0.960116, messagesPerLookup: 11.137, sha256: "068a45aa6237d7c6" },
  "scenarios/expanding-ring.yaml": { events: 1852104, successRatio: 0.957391, messagesPerLookup: 1165.341, sha256: "52f2595f05651e55" },
  "scenarios/flooding-basic.yaml": { events: 11760722, successRatio: 0.897457, messagesPerLookup: 3709.228, sha256: "52c9f9bf03642250" },
  "scenarios/hybrid-growth.yaml": { events: 122378, successRatio: 0.554055, messagesPerLookup: 3.024, sha256: "72d88d3d3ec86d92" },
  "scenarios/hybrid-index-failure.yaml": { events: 81460, successRatio: 0.664213, messagesPerLookup: 3.086, sha256: "3c2ebd0822f87634" },
  "scenarios/hybrid-super-peers.yaml": { events: 910810, successRatio: 0.871921, messagesPerLookup: 256.828, sha256: "f946121b17b86541" },
  "scenarios/random-walk.yaml": { events: 2452115, successRatio: 1, messagesPerLookup: 323.039, sha256: "0db54e8016b30a6b" },
  "scenarios/validation/chord-path-length.yaml": { events: 107050, successRatio: 1, messagesPerLookup: 9.705, sha256: "e1fba05edfaaa77d" },
};

function fingerprint(file: string) {
  const simulation = new Simulation(loadScenario(file));
  simulation.runToEnd();
  const files = resultFiles(simulation, { scenarioFile: file, complete: true });
  const summary = JSON.parse(files["summary.json"]!);
  return {
    events: simulation.sim.eventsRun,
    successRatio: summary.lookups.successRatio,
    messagesPerLookup: summary.lookups.messagesPerLookup,
    sha256: createHash("sha256").update(files["summary.json"]!).update(files["timeseries.csv"]!).digest("hex").slice(0, 16),
  };
}

describe("shipped scenarios", () => {
  const scenarios = shippedScenarios().map((s) => s.file.split("\\").join("/").replace(/^.*?scenarios\//, "scenarios/"));

  it("all have a fingerprint", () => {
    expect(scenarios.sort()).toEqual(Object.keys(FINGERPRINTS).sort());
  });

  for (const file of scenarios) {
    it(`${file} gives its known results`, () => {
      const actual = fingerprint(file);
      if (process.env.PEERLAB_PRINT_FINGERPRINTS) console.log(`  "${file}": ${JSON.stringify(actual)},`);
      expect(actual).toEqual(FINGERPRINTS[file]);
    });
  }
});
