import { describe, expect, it } from "vitest";
import { makeSampler, type DistributionSpec } from "../../../sim/engine/distributions.js";
import { Rng } from "../../../sim/engine/rng.js";
import { carrierHarness } from "./harness.js";

/**
 * Processor-sharing insensitivity (Kleinrock 1976, §4.4; Kelly 1979): Poisson
 * arrivals of transfers at one uplink of capacity C, shared equally, at load
 * ρ = λ·E[S]/C, spend E[S]/(C·(1−ρ)) in the system on average — whatever the
 * size distribution. Checked within 2 % for exponential, fixed and Pareto
 * sizes on the `share` and `maxmin` carriers (one uplink, unlimited downlinks).
 */
export function psMeanTime(model: "share" | "maxmin", sizes: DistributionSpec, rho: number, transfers: number, seed = 1) {
  const capacity = 1000; // bytes/ms
  const sampler = makeSampler(sizes);
  const meanSize = sampler.mean;
  const lambda = (rho * capacity) / meanSize; // per ms
  const receivers = 64;
  const h = carrierHarness(model, [capacity, ...Array(receivers).fill(1)], [Infinity, ...Array(receivers).fill(Infinity)], 0);
  const rng = new Rng(seed).fork("ps");
  let total = 0;
  let done = 0;
  const start = (i: number) => {
    const t0 = h.sim.now;
    h.carrier.send(0, 1 + (i % receivers), sampler.sample(rng), {
      arrived: () => {
        total += h.sim.now - t0;
        done++;
      },
      lost: () => {},
    });
    if (i + 1 < transfers) h.sim.schedule(rng.exponential(1 / lambda), start, i + 1);
  };
  h.sim.schedule(0, start, 0);
  h.sim.run();
  return { measured: total / done, expected: meanSize / (capacity * (1 - rho)), done };
}

describe("processor-sharing insensitivity", () => {
  const sizes: [string, DistributionSpec][] = [
    ["exponential", { distribution: "exponential", mean: 100_000 }],
    ["fixed", { distribution: "fixed", value: 100_000 }],
    ["pareto", { distribution: "pareto", shape: 3, mean: 100_000 }],
  ];
  for (const [name, spec] of sizes) {
    it(`mean time E[S]/(C(1−ρ)) within 2 % for ${name} sizes at ρ = 0.5 (share)`, () => {
      const r = psMeanTime("share", spec, 0.5, 400_000);
      expect(Math.abs(r.measured / r.expected - 1)).toBeLessThan(0.02);
    });
  }
  it("maxmin gives the same on one uplink (exponential sizes)", () => {
    const r = psMeanTime("maxmin", sizes[0]![1], 0.5, 200_000);
    expect(Math.abs(r.measured / r.expected - 1)).toBeLessThan(0.02);
  });
});
