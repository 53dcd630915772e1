import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/core/errors.js";
import { validateScenario } from "../../sim/scenario/load.js";

/** Bad bandwidth sections: one message naming the field and what is allowed. */
const base = { duration: "5m", peers: { count: 10 }, overlay: { type: "hybrid" } };
const withBandwidth = (bandwidth: unknown, extra: object = {}) => ({ ...base, ...extra, network: { bandwidth, ...((extra as { network?: object }).network ?? {}) } });

function problems(raw: unknown): string {
  try {
    validateScenario(raw, "bad.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected the scenario to be rejected");
}

describe("network.bandwidth validation", () => {
  it("accepts constants, distributions, presets, classes, regions and service roles", () => {
    const s = validateScenario(
      {
        ...base,
        network: {
          latency: { model: "regions", regions: [{ name: "eu", share: 0.5, x: 0, y: 0 }, { name: "us", share: 0.5, x: 80, y: 0 }] },
          bandwidth: {
            model: "maxmin",
            links: { classes: [{ preset: "dsl", share: 0.5 }, { name: "uni", upload: "100Mbit/s", download: "1Gbit/s", share: 0.5 }] },
            regions: { us: { upload: { distribution: "lognormal", median: "5Mbit/s", sigma: 0.5 } } },
            services: { index: { preset: "fibre" } },
          },
        },
      },
      "ok.yaml",
    );
    expect(s.network.bandwidth?.model).toBe("maxmin");
    expect(s.network.bandwidth?.messages).toBe("latency");
    // The resolved scenario validates again unchanged (manifests rerun).
    expect(validateScenario(JSON.parse(JSON.stringify(s)), "again.json")).toEqual(s);
  });

  it("refuses a unit-less capacity, saying why", () => {
    expect(problems(withBandwidth({ model: "share", links: { upload: 20 } }))).toContain(
      'network.bandwidth.links.upload: expected a link rate with a unit like "20Mbit/s", got 20 (a plain number is ambiguous: say bits or bytes',
    );
    expect(problems(withBandwidth({ model: "share", links: { upload: "20" } }))).toContain('network.bandwidth.links.upload: expected a link rate ≥ 0 with a unit like "20Mbit/s"');
  });

  it("refuses a negative capacity", () => {
    expect(problems(withBandwidth({ model: "share", links: { upload: "1Mbit/s", download: "-3Mbit/s" } }))).toContain('network.bandwidth.links.download: expected a link rate ≥ 0 with a unit like "100Mbit/s"');
  });

  it("refuses an unknown preset, listing the known ones", () => {
    expect(problems(withBandwidth({ model: "share", links: { preset: "adsl" } }))).toContain('network.bandwidth.links.preset: expected one of "dsl", "cable", "fibre", got "adsl"');
    expect(problems(withBandwidth({ model: "share", links: { classes: [{ preset: "satellite", share: 1 }] } }))).toContain("network.bandwidth.links.classes[0].preset: expected one of");
  });

  it("refuses a carrier that needs capacities without them", () => {
    expect(problems(withBandwidth({ model: "maxmin" }))).toContain('network.bandwidth.links: expected links (upload and download capacities) for model "maxmin"');
    // "none" needs none.
    expect(validateScenario(withBandwidth({ model: "none" }), "ok.yaml").network.bandwidth?.model).toBe("none");
  });

  it("refuses class shares that do not sum to 1, unknown regions and unknown roles", () => {
    expect(problems(withBandwidth({ model: "share", links: { classes: [{ preset: "dsl", share: 0.5 }] } }))).toContain("network.bandwidth.links.classes: expected class shares that sum to 1, got 0.5");
    expect(problems(withBandwidth({ model: "share", links: { preset: "dsl" }, regions: { mars: { preset: "dsl" } } }))).toContain(
      'network.bandwidth.regions.mars: expected regions only with the "regions" latency model',
    );
    expect(problems(withBandwidth({ model: "share", links: { preset: "dsl" }, services: { tracker: { preset: "dsl" } } }))).toContain(
      'network.bandwidth.services.tracker: expected a service role of the overlay ("index"), got "tracker"',
    );
  });

  it("refuses an unknown carrier and a bad file size", () => {
    expect(problems(withBandwidth({ model: "tcp", links: { preset: "dsl" } }))).toContain('network.bandwidth.model: expected one of "none", "serial", "share", "maxmin", got "tcp"');
    expect(problems({ ...base, workload: { fileSize: "-4MB" } })).toContain('workload.fileSize');
  });

  it("takes solveInterval with maxmin and refuses it elsewhere or when negative", () => {
    const ok = validateScenario(withBandwidth({ model: "maxmin", links: { upload: "1Mbit/s" }, solveInterval: "100ms" }), "ok.yaml");
    expect(ok.network.bandwidth?.solveInterval).toBe(100);
    expect(validateScenario(withBandwidth({ model: "maxmin", links: { upload: "1Mbit/s" } }), "ok.yaml").network.bandwidth?.solveInterval).toBeUndefined();
    expect(problems(withBandwidth({ model: "share", links: { upload: "1Mbit/s" }, solveInterval: "100ms" }))).toContain(
      'network.bandwidth.solveInterval: expected solveInterval only with model "maxmin" (it batches max-min solves into steps), got model "share"',
    );
    expect(problems(withBandwidth({ model: "maxmin", links: { upload: "1Mbit/s" }, solveInterval: "-5ms" }))).toContain(
      'network.bandwidth.solveInterval: expected a duration ≥ 0 like "100ms"',
    );
    expect(problems(withBandwidth({ model: "maxmin", links: { upload: "1Mbit/s" }, solveInterval: "soon" }))).toContain('network.bandwidth.solveInterval: expected a duration ≥ 0 like "100ms" (units: ms, s, m, h, d), got "soon"');
  });
});
