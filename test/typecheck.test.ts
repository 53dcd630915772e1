import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The compiler's type-check of everything `npm test` runs: sim/ and test/ (test/tsconfig.json
// includes both) and the viewer (viz/tsconfig.json). It runs as a test, started first by the
// longest-first sequencer, so that it shares the machine with simulations instead of holding up
// the whole suite (test/pretest.mjs only bundles). A type error fails this test with tsc's output.
const root = join(import.meta.dirname, "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

function typecheck(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, "-p", join(root, project), "--noEmit"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

describe("the type-check", () => {
  it.each(["test/tsconfig.json", "viz/tsconfig.json"])("tsc -p %s finds no errors", async (project) => {
    const { code, output } = await typecheck(project);
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 300_000);
});
