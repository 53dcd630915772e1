import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** `peerlab run` on scenarios with variants: and sweep:, as a user runs it (the compiled bin). */
const root = join(__dirname, "..", "..");
const bin = join(root, "dist", "sim", "cli", "main.js");
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
    expect(readdirSync(dir).sort()).toEqual(["comparison.csv", "flood", "index"]);
    expect(readdirSync(join(dir, "index")).sort()).toEqual(["manifest.json", "summary.json", "timeseries.csv"]);
    expect(readFileSync(join(dir, "comparison.csv"), "utf8").split("\n")[1]).toMatch(/^flood,unstructured,\d+,/);
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

  it("stops a sweep on Ctrl-C and writes nothing (exit 130)", async () => {
    writeFileSync(
      join(work, "long.yaml"),
      [...base.map((l) => l.replace("name: duo", "name: long").replace("duration: 2m", "duration: 30d")), "sweep: { grid: { overlay.degree: [3, 4] }, replications: 2 }"].join("\n"),
    );
    const child = spawn(process.execPath, [bin, "run", "long.yaml", "--jobs", "2"], { cwd: work });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill("SIGINT");
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(130);
    expect(stdout).toContain("Interrupted after 0 of 4 runs; nothing was written");
    expect(existsSync(join(work, "results", "long"))).toBe(false);
    expect(readdirSync(join(work, "results")).filter((n) => n.includes(".partial-"))).toEqual([]);
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
