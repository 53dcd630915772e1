import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildIndex, resolveRoots } from "../../sim/cli/serve-index.js";

/** A folder that looks like a run to the index: a manifest is enough. */
function fakeRun(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "manifest.json"), "{}");
  writeFileSync(join(dir, "summary.json"), "{}");
}

describe("the viewer's index of a results folder", () => {
  it("lists each run once: symlink loops and links to folders already seen are skipped, links out of the folder are not followed", () => {
    const base = mkdtempSync(join(tmpdir(), "peerlab-index-"));
    const results = join(base, "results");
    fakeRun(join(results, "a", "seed-1"));
    fakeRun(join(base, "outside", "seed-9"));
    symlinkSync(results, join(results, "a", "loop")); // a loop back to the root
    symlinkSync(join(results, "a"), join(results, "again")); // a second way to the same runs
    symlinkSync(join(base, "outside"), join(results, "out")); // out of the folder
    for (let i = 0; i < 4; i++) symlinkSync(join(results, "a"), join(results, "a", `l${i}`)); // loops inside
    const index = buildIndex(resolveRoots([results]), "test");
    expect(index.runs.map((r) => r.label)).toEqual(["a/seed-1"]);
  });

  it("carries each run's --label and --set overrides from its manifest, and nothing for a run without them", () => {
    const results = join(mkdtempSync(join(tmpdir(), "peerlab-index-")), "results");
    fakeRun(join(results, "plain", "seed-1"));
    fakeRun(join(results, "tuned", "seed-1"));
    const manifest = { seed: 1, label: " fast ring ", commandLine: { overrides: ["peers.count=50", "overlay.stabilizeInterval=5s", 7] }, scenario: { name: "tuned" } };
    writeFileSync(join(results, "tuned", "seed-1", "manifest.json"), JSON.stringify(manifest));
    const [plain, tuned] = buildIndex(resolveRoots([results]), "test").runs;
    expect(plain!.runLabel).toBeUndefined();
    expect(plain!.overrides).toBeUndefined();
    expect(tuned!.runLabel).toBe("fast ring");
    expect(tuned!.overrides).toEqual(["peers.count=50", "overlay.stabilizeInterval=5s"]);
  });
});
