// `npm test`'s first step: the build (`npm run build`, which the CLI and
// browser tests use) and the type-check of test/ side by side. Each is one
// single-threaded tsc, so on two cores this takes the time of the longer
// one instead of their sum. Prints the output of a step that fails and
// exits with its code.
import { spawn } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const steps = [
  { name: "npm run build", command: npm, args: ["run", "build", "--silent"] },
  { name: "tsc -p test/tsconfig.json", command: process.execPath, args: [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "test", "tsconfig.json")] },
];

function run(step) {
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
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
