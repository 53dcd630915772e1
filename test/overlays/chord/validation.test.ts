import { describe, expect, it } from "vitest";
import { Simulation } from "../../../sim/run/simulation.js";
import { loadScenario } from "../../../sim/scenario/load.js";

/** The paper's path-length experiment (scenarios/validation/README.md): mean ≈ ½·log2 N. */
describe("chord path length (Stoica et al., ToN 2003, Fig. 10)", () => {
  it("has a mean within 5 % of ½·log2 N at N = 1024", () => {
    const scenario = loadScenario("scenarios/validation/chord-path-length.yaml");
    expect(scenario.peers.count).toBe(1024);
    const simulation = new Simulation(scenario);
    simulation.runToEnd();
    const { summary } = simulation.finish();
    expect(summary.lookups.successRatio).toBe(1);
    expect(summary.lookups.completed).toBeGreaterThan(9_000);
    const paper = 0.5 * Math.log2(1024);
    expect(Math.abs(summary.lookups.hops.mean - paper) / paper).toBeLessThan(0.05);
  });
});
