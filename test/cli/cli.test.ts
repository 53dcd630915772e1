import { PEERLAB_BIN } from "../helpers/cli.js";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_KINDS } from "../../sim/churn/faults/registry.js";
import { OVERLAYS } from "../../sim/overlays/registry.js";
import { WORKLOADS } from "../../sim/workload/registry.js";
import { OBSERVERS } from "../../sim/metrics/observers/registry.js";

/** As the schema lists them, so adding an overlay does not break these messages. */
const OVERLAY_NAMES = OVERLAYS.map((o) => JSON.stringify(o.name)).join(", ");

/** The CLI as a user runs it: the compiled bin (`npm test` builds first). */
const root = join(import.meta.dirname, "..", "..");
const bin = PEERLAB_BIN;
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

/**
 * Starts peerlab, waits until it says it hears signals (PEERLAB_NOTIFY_READY),
 * lets it run a moment, then sends `signal`: no race with a slow start.
 */
async function runUntilReady(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, PEERLAB_NOTIFY_READY: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  await new Promise<void>((resolve) => {
    child.stderr.on("data", (d) => {
      stderr += d;
      if (stderr.includes("peerlab: ready")) resolve();
    });
    child.on("exit", () => resolve());
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill(signal);
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on("exit", resolve)));
  return { code, stdout, stderr };
}

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
    expect(readdirSync(dir).sort()).toEqual(["columns.json", "manifest.json", "summary.json", "timeseries.csv"]);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ name: "tiny", seed: 1, complete: true, simulatedSeconds: 120, scenarioFile: "tiny.yaml" });
    expect(manifest.scenario.overlay.degree).toBe(4);
    expect(manifest.engine.events).toBeGreaterThan(1000);
    expect(Object.keys(manifest.engine.wall)).toEqual(["setupSeconds", "runSeconds", "eventsPerSecond", "peakRssBytes", "node"]);
    const csv = readFileSync(join(dir, "timeseries.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(1 + 4); // header + one row per 30 s interval
    expect(csv[0]).toMatch(/^scenario,variant,seed,time_s,phase,live_peers,/);
    expect(csv[1]).toMatch(/^tiny,,1,30,warmup,/);
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
    expect(r.stderr).toContain(`overlay.type: expected an overlay type: one of ${OVERLAY_NAMES}`);
    expect(r.stderr).toContain(`got "pastry"`);
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

  for (const [signal, code, name] of [["SIGINT", 130, "Ctrl-C"], ["SIGTERM", 143, "SIGTERM"], ["SIGHUP", 129, "SIGHUP"]] as const) {
    it(`stops on ${name}, keeps what was measured, marks it incomplete and leaves nothing else behind`, async () => {
      writeFileSync(join(work, "long.yaml"), tiny.replace("duration: 2m", "duration: 30d").replace("rate: 2/s", "rate: 50/s"));
      const out = `long-${signal}`;
      const { code: exit, stdout } = await runUntilReady(["run", "long.yaml", "--out", out, "--yes"], signal);
      expect(exit).toBe(code);
      expect(stdout).toContain(`Interrupted by ${name} at`);
      const manifest = JSON.parse(readFileSync(join(work, out, "manifest.json"), "utf8"));
      expect(manifest.complete).toBe(false);
      expect(manifest.simulatedSeconds).toBeGreaterThan(0);
      expect(manifest.simulatedSeconds).toBeLessThan(30 * 86400);
      expect(readdirSync(work).filter((n) => n.startsWith(out))).toEqual([out]); // no .partial-<pid> beside it
    });
  }

  it("an interrupted --force run goes beside a complete result, never over it", async () => {
    const dir = join(work, "results", "tiny", "seed-1");
    if (!existsSync(join(dir, "summary.json"))) peerlab("run", "tiny.yaml", "--quiet");
    writeFileSync(join(work, "tiny-long.yaml"), tiny.replace("duration: 2m", "duration: 30d").replace("rate: 2/s", "rate: 50/s"));
    const before = readFileSync(join(dir, "summary.json"), "utf8");
    const { code, stdout } = await runUntilReady(["run", "tiny-long.yaml", "--out", "results/tiny/seed-1", "--force", "--yes"], "SIGTERM");
    expect(code).toBe(143);
    expect(stdout).toContain("beside the complete results in results/tiny/seed-1/");
    expect(readFileSync(join(dir, "summary.json"), "utf8")).toBe(before);
    expect(JSON.parse(readFileSync(join(dir + ".incomplete", "manifest.json"), "utf8")).complete).toBe(false);
  });

  it("tidies the .partial folder a killed run left, and puts back results a killed replacement moved aside", () => {
    const parent = join(work, "killed");
    mkdirSync(join(parent, "seed-1.partial-999999999"), { recursive: true });
    writeFileSync(join(parent, "seed-1.partial-999999999", "manifest.json"), "{}");
    const r = peerlab("run", "tiny.yaml", "--out", "killed/seed-1", "--quiet");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("removed killed/seed-1.partial-999999999, left by a run that was killed (process 999999999)");
    expect(readdirSync(parent)).toEqual(["seed-1"]);
    // A replacement killed between its two renames: the old results are put back before anything else.
    const summary = readFileSync(join(parent, "seed-1", "summary.json"), "utf8");
    renameSync(join(parent, "seed-1"), join(parent, "seed-1.replaced-999999999"));
    const again = peerlab("run", "tiny.yaml", "--out", "killed/seed-1", "--quiet");
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("put back killed/seed-1");
    expect(again.stderr).toContain("already exists");
    expect(readFileSync(join(parent, "seed-1", "summary.json"), "utf8")).toBe(summary);
  });
});

describe("peerlab validate and list", () => {
  it("validate prints the resolved scenario as YAML with units, which validates again", () => {
    const r = peerlab("validate", "tiny.yaml", "--set", "overlay.search={method: flood, ttl: 3}");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("tiny.yaml is valid.");
    expect(r.stdout).toContain("    ttl: 3\n");
    expect(r.stdout).toContain("  maintenanceInterval: 30s\n");
    expect(r.stdout).toContain("    rate: 2/s\n");
    expect(r.stdout).toContain("duration: 2m\n");
    writeFileSync(join(work, "printed.yaml"), r.stdout.split("\n").slice(1).join("\n"));
    const again = peerlab("validate", "printed.yaml");
    expect(again.code).toBe(0);
    expect(again.stdout.split("\n").slice(1).join("\n")).toBe(r.stdout.split("\n").slice(1).join("\n"));
  });

  it("suggests a command for a typo, and takes short flags", () => {
    const r = peerlab("rnu", "tiny.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "rnu". Did you mean run?');
    const short = peerlab("run", "tiny.yaml", "-q", "-s", "9", "-o", "short", "-f", "--label", "first try", "--set", "workload.keys=20");
    expect(short.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(work, "short", "manifest.json"), "utf8"));
    expect(manifest.seed).toBe(9);
    expect(manifest.label).toBe("first try");
    expect(manifest.commandLine).toEqual({ overrides: ["workload.keys=20"], seed: 9 });
  });

  it("report refuses to overwrite a file without --force", () => {
    if (!existsSync(join(work, "results", "tiny", "seed-1", "summary.json"))) peerlab("run", "tiny.yaml", "--quiet");
    expect(peerlab("report", "results/tiny", "-o", "r.html").code).toBe(0);
    const before = readFileSync(join(work, "r.html"), "utf8");
    writeFileSync(join(work, "r.html"), "mine");
    const again = peerlab("report", "results/tiny", "-o", "r.html");
    expect(again.code).toBe(2);
    expectPlainError(again.stderr);
    expect(again.stderr).toContain("r.html already exists; add --force to replace it");
    expect(readFileSync(join(work, "r.html"), "utf8")).toBe("mine");
    expect(peerlab("report", "results/tiny", "-o", "r.html", "-f").code).toBe(0);
    expect(readFileSync(join(work, "r.html"), "utf8")).toBe(before);
  });

  it("refuses --out '' and names too long for a folder (exit 2)", () => {
    const empty = peerlab("run", "tiny.yaml", "--out", "");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("--out: expected a folder path, got an empty string");
    const long = peerlab("run", "tiny.yaml", "--set", `name=${"x".repeat(300)}`);
    expect(long.code).toBe(2);
    expectPlainError(long.stderr);
    expect(long.stderr).toContain("name: expected a name of at most 100 characters");
  });

  it("refuses runs this machine cannot hold, naming the field", () => {
    const r = peerlab("run", "tiny.yaml", "--set", "workload.lookups={count: 1e12}");
    expect(r.code).toBe(2);
    expectPlainError(r.stderr);
    expect(r.stderr).toContain("driven by workload.lookups.count");
    const rows = peerlab("run", "tiny.yaml", "--set", "metrics.interval=1ms", "--set", "duration=1d");
    expect(rows.code).toBe(2);
    expect(rows.stderr).toContain("Make metrics.interval longer");
  });

  it("list shows overlays, models and the shipped scenarios", () => {
    const r = peerlab("list");
    expect(r.code).toBe(0);
    for (const word of ["unstructured", "lognormal", "regions", "sessions", "weibull", "flooding-basic.yaml"]) expect(r.stdout).toContain(word);
    // Fault kinds, workloads and observers come from their registries, with their descriptions.
    for (const member of [...FAULT_KINDS, ...WORKLOADS, ...OBSERVERS]) expect(r.stdout).toMatch(new RegExp(`\\n  ${member.name} +${member.description.split(" ")[0]}`));
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
