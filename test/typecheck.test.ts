import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The compiler's type-check of everything `npm test` runs: the simulator as it is built, with
// Node's types and no browser ones (tsconfig.json); sim/ and test/ together (test/tsconfig.json);
// and the viewer (viz/tsconfig.json). It runs as a test, started early by the longest-first
// sequencer, so that it shares the machine with simulations instead of holding up the whole suite
// (test/pretest.mjs only bundles). A type error fails this test with tsc's output.
// The checker is TypeScript 7, the compiler rewritten as a native program (the `typescript-7`
// package; `typescript` 5.9 stays only because dependency-cruiser reads imports through its
// JavaScript API): the three checks take about 5 CPU s on a fresh clone, where TypeScript 5.9
// took about 21. tsc keeps what it learnt in node_modules/.cache/peerlab/ (--incremental), so a
// second `npm test` re-checks only what changed.
const root = join(import.meta.dirname, "..");
const tsc = join(root, "node_modules", "typescript-7", "bin", "tsc");
const cache = join(root, "node_modules", ".cache", "peerlab");

function typecheck(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const buildInfo = join(cache, `ts7-${project.replace(/[/\\]/g, "-")}.tsbuildinfo`);
    const args = [tsc, "-p", join(root, project), "--noEmit", "--incremental", "--tsBuildInfoFile", buildInfo];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

describe("the type-check", () => {
  it.each(["tsconfig.json", "test/tsconfig.json", "viz/tsconfig.json"])("tsc -p %s finds no errors", async (project) => {
    const { code, output } = await typecheck(project);
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 300_000);
});
