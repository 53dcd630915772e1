import { describe, expect, it } from "vitest";
import { parseBandwidth } from "../../sim/core/units.js";
import { Rng } from "../../sim/engine/rng.js";
import { Links } from "../../sim/network/links.js";

/** Capacities in bytes per millisecond: "8Mbit/s" = 1,000,000 B/s = 1,000 B/ms. */
describe("Links", () => {
  it("gives every peer a constant rate, with unlimited download when none is given", () => {
    const links = new Links({ links: { upload: "8Mbit/s" } }, new Rng(1), parseBandwidth);
    links.assign(0, undefined);
    expect(links.upload[0]).toBe(1000);
    expect(links.download[0]).toBe(Infinity);
  });

  it("draws classes by share and uses preset rates", () => {
    const links = new Links({ links: { classes: [{ preset: "dsl", share: 0.25 }, { name: "uni", upload: "80Mbit/s", download: "80Mbit/s", share: 0.75 }] } }, new Rng(1), parseBandwidth);
    const n = 20_000;
    let dsl = 0;
    for (let p = 0; p < n; p++) {
      links.assign(p, undefined);
      if (links.upload[p] === 125) {
        dsl++;
        expect(links.download[p]).toBeCloseTo(787.5, 9); // 6.3 Mbit/s
      } else expect(links.upload[p]).toBe(10_000);
    }
    expect(Math.abs(dsl / n - 0.25)).toBeLessThan(0.01);
  });

  it("uses a region's links, and a service role's over both", () => {
    const links = new Links(
      { links: { upload: "8Mbit/s" }, regions: { asia: { upload: "16Mbit/s" } }, services: { index: { upload: "800Mbit/s", download: "800Mbit/s" } } },
      new Rng(1),
      parseBandwidth,
    );
    links.assign(0, "europe");
    links.assign(1, "asia");
    links.assign(2, "asia", "index");
    expect([links.upload[0], links.upload[1], links.upload[2]]).toEqual([1000, 2000, 100_000]);
  });

  it("draws a distribution once per peer, the same for the same seed", () => {
    const draw = () => {
      const links = new Links({ links: { upload: { distribution: "lognormal", median: "8Mbit/s", sigma: 0.5 } } }, new Rng(7).fork("links"), parseBandwidth);
      for (let p = 0; p < 1000; p++) links.assign(p, undefined);
      return Array.from(links.upload.subarray(0, 1000));
    };
    const a = draw();
    expect(draw()).toEqual(a);
    const sorted = [...a].sort((x, y) => x - y);
    expect(sorted[500]! / 1000).toBeGreaterThan(0.9); // median ≈ 1,000 B/ms
    expect(sorted[500]! / 1000).toBeLessThan(1.1);
  });
});
