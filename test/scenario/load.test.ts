import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../sim/core/errors.js";
import { applyOverrides, loadScenario, parseScenarioText, slugName, validateScenario } from "../../sim/scenario/load.js";
import { overlayDefinitions } from "../../sim/overlays/registry.js";

/**
 * The overlay names as the schema lists them, so adding an overlay does not break these messages:
 * the built-ins, then any plug-in an earlier test file in the same worker registered.
 */
const overlayNames = () => overlayDefinitions().map((o) => JSON.stringify(o.name)).join(", ");

const minimal = { duration: "5m", peers: { count: 100 }, overlay: { type: "unstructured" } };

function problems(raw: unknown): string {
  try {
    validateScenario(raw, "bad.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected the scenario to be rejected");
}

describe("scenario validation", () => {
  it("fills in every default", () => {
    const s = validateScenario(minimal, "scenarios/tiny.yaml");
    expect(s.name).toBe("tiny");
    expect(s.seed).toBe(1);
    expect(s.duration).toBe(300_000);
    expect(s.peers).toEqual({ count: 100, joinOver: 30_000, bootstrap: { contacts: 3, cacheSize: 32 } });
    expect(s.network).toEqual({ latency: { model: "lognormal", median: 50, sigma: 0.5, min: 0 }, loss: 0 });
    expect(s.churn).toEqual({ model: "none" });
    expect(s.workload).toEqual({
      keys: 1000,
      popularity: { distribution: "zipf", s: 0.8 },
      lookups: { rate: 10 },
      timeout: 30_000,
    });
    expect(s.metrics).toEqual({ interval: 10_000, warmup: 60_000 });
    expect(s.overlay).toEqual({
      type: "unstructured",
      bootstrap: "join",
      degree: 8,
      discoveryHops: 8,
      maintenanceInterval: 30_000,
      requestTimeout: 2_000,
      seenMemory: 120_000,
      broadcastTtl: 7,
      replication: { replicas: 3, strategy: "uniform", onSuccess: "none", maxStored: 16 },
      search: { method: "flood", ttl: 4 },
    });
  });

  it("accepts its own resolved output again (a manifest's scenario can be rerun)", () => {
    const s = validateScenario(minimal, "tiny.yaml");
    expect(validateScenario(JSON.parse(JSON.stringify(s)), "again.json")).toEqual(s);
  });

  it("names the path and what is allowed for a bad duration", () => {
    const message = problems({
      ...minimal,
      churn: { model: "sessions", session: { distribution: "exponential", mean: "-5s" }, offline: { distribution: "fixed", value: "1h" } },
    });
    expect(message).toContain('churn.session.mean: expected a positive duration like "1h" (units: ms, s, m, h, d), got "-5s"');
    expect(message).toContain("bad.yaml is not a valid scenario (1 problem");
  });

  it("reports every problem at once, unknown keys included", () => {
    const message = problems({
      duration: "soon",
      peers: { count: 0, degre: 3 },
      overlay: { type: "unstructured", degre: 8 },
      network: { loss: 1.5 },
    });
    expect(message).toContain('duration: expected a positive duration like "10m"');
    expect(message).toContain("peers.count: expected an integer from 1 to 10000000, got 0");
    expect(message).toContain('peers: unknown key "degre"; allowed here: "count", "joinOver", "bootstrap"');
    expect(message).toContain('overlay: unknown key "degre"');
    expect(message).toContain("network.loss: expected a probability between 0 and 1, got 1.5");
    expect(message).toContain("(5 problems");
  });

  it("names a retired option and what replaced it (chord's freezeMaintenanceAt: a freeze fault)", () => {
    const message = problems({ ...minimal, overlay: { type: "chord", bootstrap: "oracle", freezeMaintenanceAt: "0s" } });
    expect(message).toContain("bad.yaml is not a valid scenario (1 problem");
    expect(message).toContain('overlay: "freezeMaintenanceAt" is no longer an option: maintenance is frozen by the fault timeline now: write `faults: [{ kind: freeze, at: 0s }]` instead, with your time as `at` (docs/faults.md)');
  });

  it("rejects an unknown overlay, latency model and churn model by name", () => {
    expect(problems({ ...minimal, overlay: { type: "pastry" } })).toContain(
      `overlay.type: expected an overlay type: one of ${overlayNames()}, or a plug-in named with module: (docs/writing-an-overlay.md), got "pastry"`,
    );
    expect(problems({ ...minimal, network: { latency: { model: "warp" } } })).toContain(
      'network.latency.model: expected a latency model: one of "constant", "uniform", "lognormal", "exponential", "plane", "regions", "matrix", got "warp"',
    );
    expect(problems({ ...minimal, churn: { model: "chaos" } })).toContain('churn.model: expected a churn model: one of "none", "sessions", "trace", got "chaos"');
  });

  it("checks relations between fields", () => {
    expect(problems({ ...minimal, metrics: { warmup: "10m" } })).toContain("metrics.warmup: expected a warm-up shorter than the run's duration (5m), got 10m");
    // A default the file never wrote is named as a default, in the file's units.
    expect(problems({ ...minimal, duration: "30s" })).toContain(
      "metrics.warmup: expected a warm-up shorter than the run's duration (30s), got 1m (metrics.warmup is not in the file: the value is its default; write metrics.warmup: to choose another)",
    );
    expect(
      problems({ ...minimal, churn: { model: "sessions", session: { distribution: "pareto", shape: 2 }, offline: { distribution: "fixed", value: "1m" } } }),
    ).toContain('churn.session: expected exactly one of "scale" or "mean" for a pareto distribution');
    expect(problems({ ...minimal, overlay: { type: "unstructured", degree: 8, maxDegree: 4 } })).toContain(
      "overlay.maxDegree: expected maxDegree ≥ degree (8), got 4",
    );
  });

  it("rejects a top level that is not a mapping", () => {
    expect(problems([1, 2])).toContain("expected a mapping of fields");
  });
});

describe("scenario files", () => {
  const dir = mkdtempSync(join(tmpdir(), "peerlab-load-"));

  it("reads YAML and JSON", () => {
    writeFileSync(join(dir, "a.yaml"), "duration: 5m\npeers: { count: 10 }\noverlay: { type: unstructured }\n");
    writeFileSync(join(dir, "b.json"), JSON.stringify(minimal));
    expect(loadScenario(join(dir, "a.yaml")).peers.count).toBe(10);
    expect(loadScenario(join(dir, "b.json")).name).toBe("b");
  });

  it("says which file cannot be read and why", () => {
    expect(() => loadScenario(join(dir, "missing.yaml"))).toThrow(`cannot read scenario ${join(dir, "missing.yaml")}: no such file.`);
    expect(() => loadScenario(dir)).toThrow("it is a folder, not a file");
  });

  it("points at the line of a YAML syntax error", () => {
    expect(() => parseScenarioText("duration: 5m\npeers: [1, 2\n", "broken.yaml")).toThrow(/^broken\.yaml: not valid YAML at line \d+/);
  });

  it("rejects duplicate keys", () => {
    expect(() => parseScenarioText("seed: 1\nseed: 2\n", "dup.yaml")).toThrow(/dup\.yaml: not valid YAML/);
  });
});

describe("--set overrides", () => {
  it("sets numbers, strings and objects at dotted paths", () => {
    const raw = applyOverrides(minimal, ["overlay.degree=6", "churn={model: none}", "network.latency.model=constant", "network.latency.delay=20ms"], "x");
    expect(raw).toMatchObject({ overlay: { type: "unstructured", degree: 6 }, churn: { model: "none" }, network: { latency: { model: "constant", delay: "20ms" } } });
    expect(minimal.overlay).toEqual({ type: "unstructured" }); // the input is not modified
  });

  it("rejects malformed assignments", () => {
    expect(() => applyOverrides(minimal, ["degree"], "x")).toThrow("expected path=value");
    expect(() => applyOverrides(minimal, ["__proto__.polluted=1"], "x")).toThrow("dotted path");
    expect(() => applyOverrides(minimal, ["duration.unit=s"], "x")).toThrow("duration in x is not an object");
  });
});

describe("scenario names in any script", () => {
  it("takes a Korean file name as the results folder's name, spaces and signs made '-' (composed Hangul)", () => {
    const dir = mkdtempSync(join(tmpdir(), "peerlab-ko-"));
    const file = join(dir, "홍수 실험 (1).yaml");
    writeFileSync(file, "duration: 5m\npeers: { count: 100 }\noverlay: { type: unstructured }\n");
    expect(loadScenario(file).name).toBe("홍수-실험-1");
    // macOS writes file names decomposed (NFD): the same folder name results.
    expect(slugName("홍수 실험".normalize("NFD"))).toBe("홍수-실험");
  });

  it("accepts a Korean name:, and keeps the titles and descriptions in both languages", () => {
    const s = validateScenario({ ...minimal, name: "플러딩-기본", title: "Flooding", title_ko: "플러딩", description_ko: "설명" }, "x.yaml");
    expect([s.name, s.title, s.title_ko, s.description_ko]).toEqual(["플러딩-기본", "Flooding", "플러딩", "설명"]);
  });

  it("still rejects a name that cannot name a folder", () => {
    expect(problems({ ...minimal, name: "a/b" })).toContain("name: expected a name of letters (any script, Korean included), digits, '.', '_' and '-'");
  });
});
