// Writes test/file-costs.json (seconds per test file) from a vitest JSON report; see test/longest-first.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const report = JSON.parse(readFileSync(process.argv[2], "utf8"));
const costs = {};
for (const file of report.testResults) {
  const seconds = Math.round((file.endTime - file.startTime) / 100) / 10;
  if (seconds >= 0.5) costs[relative(root, file.name).split("\\").join("/")] = seconds;
}
const sorted = Object.fromEntries(Object.entries(costs).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
writeFileSync(join(root, "test", "file-costs.json"), `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`wrote test/file-costs.json: ${Object.keys(sorted).length} files`);
