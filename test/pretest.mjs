// `npm test`'s first step: the two bundles the tests run, the `peerlab`
// command (sim/cli/build-bin.mjs → dist/bin/) and the viewer (viz/build.mjs →
// dist/viz/), side by side. Both are esbuild bundles made from the sources
// and take about a second each. The type-check, which takes tsc about twenty
// CPU seconds, is not here: test/typecheck.test.ts runs it as one of the
// tests, on one worker while the other runs simulations, instead of in
// front of the whole suite. Prints the output of a step that fails and
// exits with its code.
import { spawn } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const steps = [
  { name: "node sim/cli/build-bin.mjs", args: [join(root, "sim", "cli", "build-bin.mjs")] },
  { name: "node viz/build.mjs", args: [join(root, "viz", "build.mjs")] },
];

function run(step) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, step.args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ step, code: code ?? 1, output }));
    child.on("error", (error) => resolve({ step, code: 1, output: String(error) }));
  });
}

const results = await Promise.all(steps.map(run));
let failed = 0;
for (const { step, code, output } of results) {
  if (code === 0) continue;
  failed = code;
  process.stderr.write(`${step.name} failed (exit ${code}):\n${output}\n`);
}
process.exit(failed);
