import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Orders test files longest first, so that on two workers the long files
 * (the fingerprint shards, the lessons in Chromium, the CLI suites) start at
 * once and the short ones fill the gaps at the end.
 *
 * Vitest's own order uses the durations it cached on this machine, and
 * without a cache (a fresh clone, as in CI) runs the largest files first by
 * bytes; the fingerprint shards are four-line files, so they started last
 * and the suite ended with both workers on them. The expected seconds per
 * file are in test/file-costs.json (measured; a file not listed counts as one
 * second). Refresh them from a JSON report after the suite changes shape:
 *   npx vitest run --config test/vitest.config.ts --reporter=json --outputFile=r.json
 *   node test/file-costs.mjs r.json
 * A stale table only costs time, never a result.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const costs = JSON.parse(readFileSync(join(root, "test", "file-costs.json"), "utf8")) as Record<string, number>;
    const cost = (f: TestSpecification) => costs[relative(root, f.moduleId).split("\\").join("/")] ?? 1;
    return [...files].sort((a, b) => cost(b) - cost(a) || a.moduleId.localeCompare(b.moduleId));
  }
}
