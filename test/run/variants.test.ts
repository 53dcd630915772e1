import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioFiles } from "../helpers/scenario-files.js";
import { experimentFilesInProcess } from "../../sim/run/experiment-files.js";
import { loadExperiment, type VariantsExperiment } from "../../sim/run/experiment.js";
import { Simulation } from "../../sim/run/simulation.js";
import { InputError } from "../../sim/core/errors.js";

const { dir, file } = scenarioFiles("peerlab-variants-");

const base = [
  "name: tiny-compare",
  "seed: 3",
  "duration: 3m",
  "peers: { count: 80, joinOver: 20s }",
  "churn: { model: sessions, session: { distribution: exponential, mean: 2m }, offline: { distribution: exponential, mean: 1m } }",
  "overlay: { type: unstructured, degree: 4, search: { method: flood, ttl: 3 } }",
  "workload: { keys: 50, lookups: { rate: 3/s }, timeout: 5s }",
  "metrics: { warmup: 1m, interval: 30s }",
];


const variants = [
  "variants:",
  "  - name: flooding",
  "  - name: index",
  "    overlay: { type: hybrid, mode: central }",
  "  - name: chord",
  "    overlay: { type: chord, stabilizeInterval: 10s }",
  "  - name: flood-ttl2",
  '    set: { "overlay.search.ttl": 2, "overlay.degree": 6 }',
];

function loadVariants(): VariantsExperiment {
  const experiment = loadExperiment(file("compare.yaml", [...base, ...variants]));
  if (experiment.kind !== "variants") throw new Error("expected variants");
  return experiment;
}

function expectInputError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("variants", () => {
  it("expands each variant into a validated scenario on the same seed", () => {
    const e = loadVariants();
    expect(e.runs.map((r) => r.dir)).toEqual(["flooding", "index", "chord", "flood-ttl2"]);
    expect(e.runs.map((r) => r.scenario.overlay.type)).toEqual(["unstructured", "hybrid", "chord", "unstructured"]);
    expect(e.runs.every((r) => r.scenario.seed === 3 && r.scenario.name === "tiny-compare")).toBe(true);
    // overlay: replaces the whole section, with the overlay's own defaults; set: changes single fields.
    expect(e.runs[2]!.scenario.overlay).toMatchObject({ type: "chord", stabilizeInterval: 10_000, successors: 8 });
    expect(e.runs[3]!.scenario.overlay).toMatchObject({ degree: 6, search: { method: "flood", ttl: 2 } });
    expect(e.runs[0]!.scenario).not.toHaveProperty("variants");
    // --set applies to every variant, before the variant's own changes.
    const set = loadExperiment(join(dir, "compare.yaml"), ["workload.keys=20", "seed=9"]) as VariantsExperiment;
    expect(set.runs.map((r) => [r.scenario.workload.keys, r.scenario.seed])).toEqual([[20, 9], [20, 9], [20, 9], [20, 9]]);
  });

  it("gives every variant the same churn and the same lookups, whatever the overlay", () => {
    const e = loadVariants();
    const traces = e.runs.map((run) => {
      const simulation = new Simulation(run.scenario);
      const events: string[] = [];
      const population = simulation.population;
      const online = population.markOnline.bind(population);
      const offline = population.markOffline.bind(population);
      population.markOnline = (peer) => {
        events.push(`${simulation.sim.now} +${peer}`);
        online(peer);
      };
      population.markOffline = (peer) => {
        events.push(`${simulation.sim.now} -${peer}`);
        offline(peer);
      };
      simulation.runToEnd();
      const t = simulation.lookups;
      const lookups = Array.from({ length: t.size }, (_, id) => `${t.startMs[id]} ${t.origin[id]} ${t.key[id]}`);
      return { events, lookups };
    });
    const first = traces[0]!;
    expect(first.events.length).toBeGreaterThan(150); // 80 joins, then churn
    expect(first.events.filter((e) => e.includes(" -")).length).toBeGreaterThan(30);
    expect(first.lookups.length).toBeGreaterThan(400);
    traces.forEach((trace, i) => {
      expect(trace.events, e.runs[i]!.dir).toEqual(first.events);
      expect(trace.lookups, e.runs[i]!.dir).toEqual(first.lookups);
    });
  });

  it("writes comparison.csv: one row per variant, headline metrics from each summary.json", () => {
    const e = loadVariants();
    const files = experimentFilesInProcess(e, "compare.yaml");
    expect(Object.keys(files).sort()).toEqual(
      ["columns.json", "comparison.csv", ...e.runs.flatMap((r) => ["manifest.json", "summary.json", "timeseries.csv", "columns.json"].map((f) => `${r.dir}/${f}`))].sort(),
    );
    const lines = files["comparison.csv"]!.trim().split("\n");
    expect(lines[0]).toBe(
      "scenario,variant,seed,overlay,lookups_completed,success_ratio,latency_mean_ms,latency_p50_ms,latency_p99_ms,hops_mean,messages_per_lookup,bytes_per_lookup,messages_per_peer_per_s,lookup_messages_per_peer_per_s,maintenance_messages_per_peer_per_s,bytes_per_peer_per_s,live_peers_mean,availability_mean,items_lost",
    );
    expect(lines).toHaveLength(5);
    const chord = JSON.parse(files["chord/summary.json"]!);
    const row = lines[3]!.split(",");
    expect(row.slice(0, 6)).toEqual([e.base.name, "chord", String(e.base.seed), "chord", String(chord.lookups.completed), String(chord.lookups.successRatio)]);
    expect(row[10]).toBe(String(chord.lookups.messagesPerLookup));
    // columns.json beside it describes exactly the table's headline columns, with titles in both languages.
    const columns = JSON.parse(files["columns.json"]!) as Record<string, { unit: string; title: { en: string; ko: string } }>;
    expect(Object.keys(columns)).toEqual(lines[0]!.split(",").slice(4));
    expect(columns.messages_per_lookup).toEqual({ unit: "messages", kind: "statistic", title: { en: "Messages per lookup", ko: "조회당 메시지" } });
    for (const [name, meta] of Object.entries(columns)) expect(meta.title.en && meta.title.ko, name).toBeTruthy();
    // Deterministic: the same files again.
    expect(experimentFilesInProcess(loadVariants(), "compare.yaml")).toEqual(files);
  });

  it("reports every bad variant with its name and the field's path", () => {
    const bad = file("bad.yaml", [
      ...base,
      "variants:",
      "  - name: ok",
      "  - name: chord",
      "    overlay: { type: chord, successors: 0 }",
      "  - name: typo",
      '    set: { "overlay.degre": 5 }',
      "  - name: ok",
    ]);
    const message = expectInputError(() => loadExperiment(bad));
    expect(message).toContain("bad.yaml is not a valid scenario (3 problems");
    expect(message).toContain("variants[1] (chord) → overlay.successors: expected an integer from 1 to 64, got 0");
    expect(message).toContain('variants[2] (typo) → overlay: unknown key "degre"');
    expect(message).toContain('variants[3].name: "ok" is already the name of variants[0]');
  });

  it("rejects variants that change the seed or the name, unknown variant keys, and variants with a sweep", () => {
    const seed = expectInputError(() => loadExperiment(file("seed.yaml", [...base, "variants:", "  - name: a", '    set: { seed: 4 }'])));
    expect(seed).toContain('variants[0] (a) set "seed": "seed" cannot be changed here');
    const key = expectInputError(() => loadExperiment(file("key.yaml", [...base, "variants:", "  - name: a", "    churn: { model: none }"])));
    expect(key).toContain('variants[0]: unknown key "churn"; allowed here: "name", "description", "overlay", "set"');
    const both = expectInputError(() =>
      loadExperiment(file("both.yaml", [...base, "variants:", "  - name: a", "sweep: { grid: { overlay.degree: [3, 4] } }"])),
    );
    expect(both).toContain("variants: and sweep: cannot be combined");
    const empty = expectInputError(() => loadExperiment(file("empty.yaml", [...base, "variants: []"])));
    expect(empty).toContain("variants:");
  });
});
