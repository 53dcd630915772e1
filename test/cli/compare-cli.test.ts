import { PEERLAB_BIN } from "../helpers/cli.js";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** `peerlab run` on scenarios with variants: and sweep:, as a user runs it (the compiled bin). */
const root = join(import.meta.dirname, "..", "..");
const bin = PEERLAB_BIN;
const work = mkdtempSync(join(tmpdir(), "peerlab-compare-"));

function peerlab(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const base = [
  "name: duo",
  "duration: 2m",
  "peers: { count: 50, joinOver: 10s }",
  "overlay: { type: unstructured, degree: 4 }",
  "workload: { keys: 30, lookups: { rate: 2/s }, timeout: 5s }",
  "metrics: { warmup: 30s, interval: 30s }",
];
const variants = ["variants:", "  - name: flood", "  - name: index", "    overlay: { type: hybrid, mode: central }"];
writeFileSync(join(work, "duo.yaml"), [...base, ...variants].join("\n"));

/** Every file under `dir` (relative path → content), manifests without the wall-clock figures that differ between any two runs. */
function folderBytes(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) Object.assign(out, folderBytes(dir, rel));
    else {
      let text = readFileSync(join(dir, rel), "utf8");
      if (name === "manifest.json") {
        const m = JSON.parse(text);
        delete m.engine.wall;
        text = JSON.stringify(m);
      }
      out[rel] = text;
    }
  }
  return out;
}

function expectPlainError(stderr: string) {
  expect(stderr).toMatch(/^peerlab: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr.trim()).not.toContain("\n\n");
}

describe("peerlab run with variants", () => {
  it("runs every variant, writes comparison.csv and a folder per variant, and prints the table", () => {
    const r = peerlab("run", "duo.yaml", "--jobs", "2");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^duo \(seed 1\): 2 variants on 2 threads in [\d.]+ s$/);
    expect(lines[2]).toMatch(/^variant\s+overlay\s+success %\s+latency ms\s+p50 ms\s+p99 ms\s+hops\s+msgs\/lookup\s+maint\. msgs\/peer\/s\s+msgs\/peer\/s\s+availability %$/);
    expect(lines[4]).toMatch(/^flood\s+unstructured\s+\d/);
    expect(lines[5]).toMatch(/^index\s+hybrid\s+\d/);
    // Aligned: every row of the table is as long as the header or shorter only by trailing blanks.
    expect(lines[3]!.length).toBe(lines[2]!.length);
    expect(r.stdout).toContain("Results in results/duo/seed-1/ (comparison.csv, and flood/, index/");
    const dir = join(work, "results", "duo", "seed-1");
    expect(readdirSync(dir).sort()).toEqual(["columns.json", "comparison.csv", "flood", "index"]);
    expect(readdirSync(join(dir, "index")).sort()).toEqual(["columns.json", "manifest.json", "summary.json", "timeseries.csv"]);
    expect(readFileSync(join(dir, "comparison.csv"), "utf8").split("\n")[1]).toMatch(/^duo,flood,1,unstructured,\d+,/);
    expect(JSON.parse(readFileSync(join(dir, "index", "manifest.json"), "utf8")).scenario.overlay.type).toBe("hybrid");
  });

  it("replaces existing results only with --force, atomically", () => {
    const comparison = join(work, "results", "duo", "seed-1", "comparison.csv");
    if (!existsSync(comparison)) peerlab("run", "duo.yaml", "--quiet");
    const before = readFileSync(comparison, "utf8");
    const r = peerlab("run", "duo.yaml", "--set", "workload.keys=10");
    expect(r.code).toBe(2);
    expectPlainError(r.stderr);
    expect(r.stderr).toContain("results folder results/duo/seed-1 already exists. Use --force");
    expect(readFileSync(comparison, "utf8")).toBe(before);
    expect(peerlab("run", "duo.yaml", "--force", "--quiet", "--jobs", "1", "--set", "workload.keys=10").code).toBe(0);
    expect(readFileSync(comparison, "utf8")).not.toBe(before);
    expect(readdirSync(join(work, "results", "duo"))).toEqual(["seed-1"]);
  });

  it("rejects a broken variant with the file, the variant, the path and what is allowed, and writes nothing (exit 2)", () => {
    writeFileSync(
      join(work, "broken.yaml"),
      [...base.map((l) => l.replace("name: duo", "name: broken")), "variants:", "  - name: flood", "  - name: chord", "    overlay: { type: chord, routing: sideways }"].join("\n"),
    );
    const r = peerlab("run", "broken.yaml");
    expect(r.code).toBe(2);
    expectPlainError(r.stderr);
    expect(r.stderr).toContain("broken.yaml is not a valid scenario (1 problem; see docs/scenarios.md):");
    expect(r.stderr).toContain('variants[1] (chord) → overlay.routing: expected one of "iterative", "recursive", got "sideways"');
    expect(existsSync(join(work, "results", "broken"))).toBe(false);
    const sharded = peerlab("run", "duo.yaml", "--shard", "1/2", "--force");
    expect(sharded.code).toBe(2);
    expectPlainError(sharded.stderr);
    expect(sharded.stderr).toContain("--shard: duo.yaml compares variants; only a scenario with sweep: can be split");
    for (const jobs of ["0", "1.5"]) {
      const bad = peerlab("run", "duo.yaml", "--jobs", jobs, "--force");
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--jobs: expected a positive integer");
    }
  });

  it("stops a sweep on Ctrl-C before any run finished and writes nothing (exit 130)", async () => {
    writeFileSync(
      join(work, "long.yaml"),
      [...base.map((l) => l.replace("name: duo", "name: long").replace("duration: 2m", "duration: 30d")), "sweep: { grid: { overlay.degree: [3, 4] }, replications: 2 }"].join("\n"),
    );
    const child = spawn(process.execPath, [bin, "run", "long.yaml", "--jobs", "2", "--yes"], { cwd: work, env: { ...process.env, PEERLAB_NOTIFY_READY: "1" } });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    await new Promise<void>((resolve) => child.stderr.on("data", (d) => String(d).includes("peerlab: ready") && resolve()));
    child.kill("SIGINT");
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(130);
    expect(stdout).toContain("Interrupted by Ctrl-C before any run finished; nothing was written");
    expect(existsSync(join(work, "results", "long"))).toBe(false);
    expect(readdirSync(join(work, "results")).filter((n) => n.includes(".partial-"))).toEqual([]);
  });

  it("keeps the finished runs of a sweep stopped by SIGTERM (exit 143) and says how to resume", async () => {
    // Two quick grid points and one slow one: SIGTERM arrives while the slow one runs.
    const lines = (name: string) => [...base.map((l) => l.replace("name: duo", `name: ${name}`)), 'sweep: { grid: { duration: ["1m", "2m", "20d"] }, replications: 1 }'].join("\n");
    writeFileSync(join(work, "part.yaml"), lines("part"));
    const child = spawn(process.execPath, [bin, "run", "part.yaml", "--jobs", "1", "--yes"], { cwd: work, env: { ...process.env, PEERLAB_NOTIFY_READY: "1" } });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    // Wait until the two quick runs are on disk in the staged folder, then stop.
    const staged = () => readdirSync(join(work, "results")).find((n) => n.startsWith("part.partial-"));
    for (let i = 0; i < 600; i++) {
      const dir = staged();
      if (dir && existsSync(join(work, "results", dir, "runs")) && readdirSync(join(work, "results", dir, "runs")).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(143);
    expect(stdout).toContain("Interrupted by SIGTERM after 2 of 3 runs; the finished runs are kept in results/part/");
    const out = join(work, "results", "part");
    expect(JSON.parse(readFileSync(join(out, "incomplete.json"), "utf8"))).toMatchObject({ complete: false, finishedRuns: 2, totalRuns: 3 });
  });

  it("--resume runs only what is missing and gives the bytes of an uninterrupted sweep", () => {
    writeFileSync(join(work, "quick.yaml"), [...base.map((l) => l.replace("name: duo", "name: quick")), 'sweep: { grid: { duration: ["1m", "2m"] }, replications: 2 }'].join("\n"));
    expect(peerlab("run", "quick.yaml", "--quiet", "--jobs", "1").code).toBe(0);
    const out = join(work, "results", "quick");
    const reference = folderBytes(out);
    // What a stop after three runs leaves: one run folder and the tables missing, incomplete.json present.
    const missing = Object.keys(reference).find((f) => f.startsWith("runs/p1_") && f.endsWith("/manifest.json"))!.replace("/manifest.json", "");
    rmSync(join(out, missing), { recursive: true });
    rmSync(join(out, "aggregate.csv"));
    writeFileSync(join(out, "incomplete.json"), "{}");
    const other = peerlab("run", "quick.yaml", "--resume", "--quiet", "--set", "workload.keys=20");
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("--resume: results/quick holds another sweep (its sweep.json differs in scenario)");
    const r = peerlab("run", "quick.yaml", "--resume", "--jobs", "1");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("4 runs on 1 thread");
    expect(r.stdout).toContain("(3 kept from the interrupted run)");
    expect(folderBytes(out)).toEqual(reference);
  });

  it("validate lists the variants, and a sweep's size", () => {
    const v = peerlab("validate", "duo.yaml");
    expect(v.code).toBe(0);
    expect(v.stdout).toContain("duo.yaml is valid: 2 variants, flood (unstructured), index (hybrid).");
    writeFileSync(join(work, "grid.yaml"), [...base, "sweep: { grid: { overlay.degree: [3, 4, 5] }, replications: 2 }"].join("\n"));
    const s = peerlab("validate", "grid.yaml");
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/grid\.yaml is valid: a sweep of 3 grid points × 2 replications = 6 runs \(seeds 1, \d+\)/);
  });
});
