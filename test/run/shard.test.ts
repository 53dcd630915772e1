import { PEERLAB_BIN } from "../helpers/cli.js";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The promise of sweeps: the same files whether the runs went on one thread,
 * on worker threads, or on shards merged afterwards. Runs the compiled CLI
 * (`npm test` builds first), since worker threads load compiled code.
 */
const root = join(import.meta.dirname, "..", "..");
const bin = PEERLAB_BIN;
const work = mkdtempSync(join(tmpdir(), "peerlab-shard-"));

function peerlab(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

writeFileSync(
  join(work, "grid.yaml"),
  [
    "name: grid",
    "seed: 2",
    "duration: 2m",
    "peers: { count: 40, joinOver: 10s }",
    "churn: { model: sessions, session: { distribution: exponential, mean: 2m }, offline: { distribution: exponential, mean: 1m } }",
    "overlay: { type: unstructured, degree: 4, search: { method: flood, ttl: 3 } }",
    "workload: { keys: 30, lookups: { rate: 2/s }, timeout: 5s }",
    "metrics: { warmup: 30s, interval: 30s }",
    "sweep:",
    "  grid:",
    "    overlay.search.ttl: [2, 3]",
    "    churn.session.mean: [1m, 4m]",
    "  replications: 3",
  ].join("\n"),
);

/** Every file under `dir`, by relative path; manifest.json without engine.wall (the one part that measures the machine). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        let text = readFileSync(path, "utf8");
        if (name === "manifest.json") {
          const manifest = JSON.parse(text);
          delete manifest.engine.wall;
          text = JSON.stringify(manifest);
        }
        out[relative(dir, path).split("\\").join("/")] = text;
      }
    }
  };
  walk(dir);
  return out;
}

describe("sweeps on one thread, on workers and on shards", () => {
  it("give byte-identical runs.csv, aggregate.csv, sweep.json and run folders", () => {
    const one = peerlab("run", "grid.yaml", "--jobs", "1", "--out", "one");
    expect(one.stderr).toBe("");
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("grid: 4 grid points × 3 replications, 12 runs on 1 thread");
    expect(peerlab("run", "grid.yaml", "--jobs", "2", "--out", "two", "--quiet").code).toBe(0);
    for (const [i, jobs] of [[1, "1"], [2, "2"], [3, "1"]] as const) {
      const r = peerlab("run", "grid.yaml", "--shard", `${i}/3`, "--jobs", jobs);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`(shard ${i}/3: 4 of 12 runs)`);
    }
    expect(readdirSync(join(work, "results")).sort()).toEqual(["grid-shard-1-of-3", "grid-shard-2-of-3", "grid-shard-3-of-3"]);
    expect(existsSync(join(work, "results", "grid-shard-1-of-3", "aggregate.csv"))).toBe(false);
    // Shards in any order.
    const merged = peerlab("merge", "results/grid-shard-3-of-3", "results/grid-shard-1-of-3", "results/grid-shard-2-of-3");
    expect(merged.stderr).toBe("");
    expect(merged.code).toBe(0);
    expect(merged.stdout).toContain("Results in results/grid/");

    const a = tree(join(work, "one"));
    const b = tree(join(work, "two"));
    const c = tree(join(work, "results", "grid"));
    expect(Object.keys(a)).toHaveLength(5 + 12 * 4); // sweep.json, runs.csv, aggregate.csv, aggregate-long.csv, columns.json + 4 files per run
    for (const name of ["runs.csv", "aggregate.csv", "aggregate-long.csv", "sweep.json", "columns.json"]) expect(a[name], name).toBeDefined();
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // Byte equality of the tables, spelled out.
    for (const name of ["runs.csv", "aggregate.csv", "aggregate-long.csv"]) {
      const bytes = readFileSync(join(work, "one", name));
      expect(readFileSync(join(work, "two", name)).equals(bytes), name).toBe(true);
      expect(readFileSync(join(work, "results", "grid", name)).equals(bytes), name).toBe(true);
    }
  });

  it("merge refuses missing shards, shards given twice and shards of another sweep, and writes nothing", () => {
    if (!existsSync(join(work, "results", "grid-shard-1-of-3"))) {
      for (const i of [1, 2, 3]) peerlab("run", "grid.yaml", "--shard", `${i}/3`, "--quiet");
    }
    const missing = peerlab("merge", "results/grid-shard-1-of-3", "results/grid-shard-3-of-3", "--out", "m1");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("merge: the folders given hold 8 of the sweep's 12 runs: shard 2/3 is missing; nothing was written");
    const twice = peerlab("merge", "results/grid-shard-1-of-3", "results/grid-shard-1-of-3", "--out", "m2");
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/is in both results\/grid-shard-1-of-3 and results\/grid-shard-1-of-3/);
    expect(peerlab("run", "grid.yaml", "--shard", "2/3", "--seed", "9", "--out", "other", "--quiet").code).toBe(0);
    const other = peerlab("merge", "results/grid-shard-1-of-3", "other", "results/grid-shard-3-of-3", "--out", "m3");
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("merge: other is from another sweep than results/grid-shard-1-of-3 (sweep.json differs in seed, seeds");
    const notSweep = peerlab("merge", "results", "--out", "m4");
    expect(notSweep.code).toBe(2);
    expect(notSweep.stderr).toContain("merge: results has no sweep.json");
    // A label edited to climb out of the shard and --out folders: refused before anything is copied.
    for (const i of [1, 2, 3]) {
      cpSync(join(work, "results", `grid-shard-${i}-of-3`), join(work, `evil-${i}`), { recursive: true });
      const file = join(work, `evil-${i}`, "sweep.json");
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      manifest.points[0].label = "../../../escaped";
      writeFileSync(file, JSON.stringify(manifest));
    }
    const evil = peerlab("merge", "evil-1", "evil-2", "evil-3", "--out", "m5");
    expect(evil.code).toBe(2);
    expect(evil.stderr).toContain('points[0].label is "../../../escaped", which is not a folder name peerlab writes');
    expect(existsSync(join(work, "..", "..", "escaped"))).toBe(false);
    for (const out of ["m1", "m2", "m3", "m4", "m5"]) expect(existsSync(join(work, out)), out).toBe(false);
    expect(readdirSync(work).filter((n) => n.includes(".partial-"))).toEqual([]);
  });
});
