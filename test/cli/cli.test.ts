import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OVERLAYS } from "../../sim/overlays/registry.js";

/** As the schema lists them, so adding an overlay does not break these messages. */
const OVERLAY_NAMES = OVERLAYS.map((o) => JSON.stringify(o.name)).join(", ");

/** The CLI as a user runs it: the compiled bin (`npm test` builds first). */
const root = join(__dirname, "..", "..");
const bin = join(root, "dist", "sim", "cli", "main.js");
const work = mkdtempSync(join(tmpdir(), "peerlab-cli-"));

function peerlab(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tiny = [
  "name: tiny",
  "duration: 2m",
  "peers: { count: 60, joinOver: 10s }",
  "overlay: { type: unstructured, degree: 4 }",
  "workload: { keys: 50, lookups: { rate: 2/s }, timeout: 5s }",
  "metrics: { warmup: 30s, interval: 30s }",
].join("\n");
writeFileSync(join(work, "tiny.yaml"), tiny);

/** A message for people: a single paragraph, no stack trace. */
function expectPlainError(stderr: string) {
  expect(stderr).toMatch(/^peerlab: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr.trim()).not.toContain("\n\n");
}

describe("peerlab run", () => {
  it("runs a scenario and writes its results folder", () => {
    const r = peerlab("run", "tiny.yaml");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Results in results/tiny/seed-1/");
    const dir = join(work, "results", "tiny", "seed-1");
    expect(readdirSync(dir).sort()).toEqual(["manifest.json", "summary.json", "timeseries.csv"]);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ name: "tiny", seed: 1, complete: true, simulatedSeconds: 120, scenarioFile: "tiny.yaml" });
    expect(manifest.scenario.overlay.degree).toBe(4);
    expect(manifest.engine.events).toBeGreaterThan(1000);
    expect(Object.keys(manifest.engine.wall)).toEqual(["setupSeconds", "runSeconds", "eventsPerSecond", "peakRssBytes", "node"]);
    const csv = readFileSync(join(dir, "timeseries.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(1 + 4); // header + one row per 30 s interval
    expect(csv[0]).toMatch(/^time_s,phase,live_peers,/);
  });

  it("refuses to overwrite results without --force, and changes nothing", () => {
    const summaryPath = join(work, "results", "tiny", "seed-1", "summary.json");
    if (!existsSync(summaryPath)) peerlab("run", "tiny.yaml");
    const before = readFileSync(summaryPath, "utf8");
    const r = peerlab("run", "tiny.yaml", "--set", "overlay.degree=3");
    expect(r.code).toBe(2);
    expectPlainError(r.stderr);
    expect(r.stderr).toContain("results folder results/tiny/seed-1 already exists. Use --force");
    expect(readFileSync(summaryPath, "utf8")).toBe(before);
    expect(peerlab("run", "tiny.yaml", "--force", "--quiet", "--set", "overlay.degree=3").code).toBe(0);
    expect(readFileSync(summaryPath, "utf8")).not.toBe(before);
    expect(readdirSync(join(work, "results", "tiny"))).toEqual(["seed-1"]); // no temporary folders left behind
  });

  it("takes --seed, --out and --set", () => {
    const r = peerlab("run", "tiny.yaml", "--seed", "5", "--out", "elsewhere/x", "--set", "workload.keys=20", "--quiet");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const manifest = JSON.parse(readFileSync(join(work, "elsewhere", "x", "manifest.json"), "utf8"));
    expect(manifest.seed).toBe(5);
    expect(manifest.scenario.workload.keys).toBe(20);
  });

  it("rejects a bad scenario with the file, the path and what is allowed (exit 2)", () => {
    writeFileSync(join(work, "bad.yaml"), tiny.replace("joinOver: 10s", "joinOver: -5s").replace("type: unstructured", "type: pastry"));
    const r = peerlab("run", "bad.yaml");
    expect(r.code).toBe(2);
    expectPlainError(r.stderr);
    expect(r.stderr).toContain("bad.yaml is not a valid scenario (2 problems");
    expect(r.stderr).toContain('peers.joinOver: expected a duration ≥ 0 like "30s"');
    expect(r.stderr).toContain(`overlay.type: expected an overlay type: one of ${OVERLAY_NAMES}, got "pastry"`);
  });

  it("rejects a missing file, bad YAML and bad arguments (exit 2)", () => {
    for (const args of [["run", "nope.yaml"], ["run"], ["run", "tiny.yaml", "--seed", "-3"], ["frobnicate"], ["run", "tiny.yaml", "--set", "oops"]]) {
      const r = peerlab(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expectPlainError(r.stderr);
    }
    writeFileSync(join(work, "broken.yaml"), "duration: 5m\npeers: [1, 2\n");
    const r = peerlab("run", "broken.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml: not valid YAML at line \d+/);
  });

  it("stops on Ctrl-C, keeps what was measured and marks it incomplete", async () => {
    writeFileSync(join(work, "long.yaml"), tiny.replace("duration: 2m", "duration: 30d").replace("rate: 2/s", "rate: 50/s"));
    const child = spawn(process.execPath, [bin, "run", "long.yaml", "--out", "long-run"], { cwd: work });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill("SIGINT");
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(130);
    expect(stdout).toContain("Interrupted at");
    const manifest = JSON.parse(readFileSync(join(work, "long-run", "manifest.json"), "utf8"));
    expect(manifest.complete).toBe(false);
    expect(manifest.simulatedSeconds).toBeGreaterThan(0);
    expect(manifest.simulatedSeconds).toBeLessThan(30 * 86400);
  });
});

describe("peerlab validate and list", () => {
  it("validate prints the resolved scenario", () => {
    const r = peerlab("validate", "tiny.yaml", "--set", "overlay.search={method: flood, ttl: 3}");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("tiny.yaml is valid.");
    expect(r.stdout).toContain('"ttl": 3');
    expect(r.stdout).toContain('"maintenanceInterval": 30000');
  });

  it("list shows overlays, models and the shipped scenarios", () => {
    const r = peerlab("list");
    expect(r.code).toBe(0);
    for (const word of ["unstructured", "lognormal", "regions", "sessions", "weibull", "flooding-basic.yaml"]) expect(r.stdout).toContain(word);
  });

  it("--help describes every command", () => {
    const r = peerlab("--help");
    expect(r.code).toBe(0);
    for (const word of ["run <scenario>", "validate <scenario>", "list"]) expect(r.stdout).toContain(word);
    const run = peerlab("run", "--help");
    for (const option of ["--seed", "--out", "--set", "--force", "--quiet"]) expect(run.stdout).toContain(option);
  });
});

mkdirSync(work, { recursive: true });
