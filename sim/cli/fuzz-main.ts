#!/usr/bin/env node
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { readScenarioFile } from "../scenario/load.js";
import { anyCase, fieldCase, textCase, type FuzzCase } from "./fuzz-cases.js";
import { probeInput } from "./input-probe.js";
import { shippedScenarios } from "./list-command.js";
import { formatCount } from "./text.js";

/**
 * `npm run fuzz [-- <cases> <seed>]`: many more malformed scenario files than
 * the fuzz test tries, also mutations of every shipped scenario, each probed
 * in-process as `peerlab run` would treat it. Prints how many got each exit
 * code, how many refusals named a field path or a line, and every case that
 * would have ended in "the run failed" (exit 1). Exits 1 if there was one.
 */
const total = Number(process.argv[2] ?? 3000);
const seed = Number(process.argv[3] ?? 1);
const work = mkdtempSync(join(tmpdir(), "peerlab-fuzz-"));

const generators: { name: string; arbitrary: fc.Arbitrary<FuzzCase> }[] = [{ name: "small scenario", arbitrary: anyCase() }];
for (const s of shippedScenarios()) {
  if (s.file.includes("plugins") || s.file.includes("validation")) continue; // large or code-loading ones: their fields are covered by the rest
  const raw = readScenarioFile(s.file) as Record<string, unknown>;
  if (raw.sweep || raw.variants || (raw.churn as { model?: string } | undefined)?.model === "trace") continue;
  generators.push({ name: s.file, arbitrary: fc.oneof(fieldCase(raw), textCase(raw)) });
}

const codes = { 0: 0, 1: 0, 2: 0 };
let named = 0;
let skippedRuns = 0;
const failures: string[] = [];
const t0 = performance.now();
const perGenerator = Math.ceil(total / generators.length);
generators.forEach((g, k) => {
  for (const c of fc.sample(g.arbitrary, { seed: seed * 1000 + k, numRuns: perGenerator })) {
    const file = join(work, "case.yaml");
    writeFileSync(file, c.text);
    const outcome = probeInput(file, [], { events: 5_000 });
    codes[outcome.code]++;
    if (outcome.skippedRun) skippedRuns++;
    if (outcome.code === 2 && /[a-z]\.[a-zA-Z]|\[\d+\]|line \d+|\(top level\)|\n {2}[a-zA-Z$]+: /.test(outcome.message)) named++;
    if (outcome.code === 1) failures.push(`${g.name}: ${c.what}\n    ${outcome.message.split("\n").slice(0, 3).join("\n    ")}`);
  }
});
rmSync(work, { recursive: true, force: true });
const tried = codes[0] + codes[1] + codes[2];
process.stdout.write(
  [
    `${formatCount(tried)} cases from ${generators.length} generators (seed ${seed}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    `  exit 0 (accepted, first 5,000 events run): ${formatCount(codes[0])}${skippedRuns ? ` (${formatCount(skippedRuns)} too large to start here)` : ""}`,
    `  exit 2 (refused as bad input): ${formatCount(codes[2])}, of which ${formatCount(named)} name a field path or a line`,
    `  exit 1 (the run failed): ${formatCount(codes[1])}`,
    ...failures.slice(0, 20).map((f) => `  - ${f}`),
  ].join("\n") + "\n",
);
process.exitCode = codes[1] > 0 ? 1 : 0;
