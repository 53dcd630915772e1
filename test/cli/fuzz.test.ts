import { PEERLAB_BIN } from "../helpers/cli.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyCase, type FuzzCase } from "../../sim/cli/fuzz-cases.js";
import { probeInput } from "../../sim/cli/input-probe.js";

/**
 * Malformed and extreme scenario files (sim/cli/fuzz-cases.ts) must get exit
 * 0 or 2, never 1 ("the run failed"), and a refusal must say where: the file,
 * and the field path or the line. Seeded, so a failure reproduces; `npm run
 * fuzz` tries many more.
 */

const work = mkdtempSync(join(tmpdir(), "peerlab-fuzz-"));
let counter = 0;

function write(c: FuzzCase): string {
  const file = join(work, `case-${counter++}.yaml`);
  writeFileSync(file, c.text);
  return file;
}

describe("fuzzed scenario files", () => {
  it("get exit 0 or 2, a message naming the file and where, never an internal failure (300 cases, in-process)", () => {
    const codes = { 0: 0, 1: 0, 2: 0 };
    fc.assert(
      fc.property(anyCase(), (c) => {
        const file = write(c);
        const outcome = probeInput(file, [], { events: 5_000 });
        codes[outcome.code]++;
        expect(outcome.code, `${c.what}: ${outcome.message}`).not.toBe(1);
        if (outcome.code === 2) {
          expect(outcome.message, c.what).toContain(file);
          expect(outcome.message, c.what).not.toMatch(/\n\s+at /);
          // Where: a field path (a.b or a[0]), a line, or the top level.
          expect(outcome.message, c.what).toMatch(/[a-z]\.[a-zA-Z]|\[\d+\]|line \d+|\(top level\)|^\S+: |: [a-zA-Z]+:/m);
          if (c.field && !/line \d+/.test(outcome.message) && !/alias|nested/.test(outcome.message)) {
            const top = c.field.split(/[.[]/)[0]!;
            expect(outcome.message, c.what).toContain(top);
          }
        }
      }),
      { seed: 16, numRuns: 300 },
    );
    // The generator produces both kinds: a test that only ever saw refusals would prove little.
    expect(codes[0]).toBeGreaterThan(10);
    expect(codes[2]).toBeGreaterThan(100);
  }, 120_000);

  it("as the CLI runs them: exit 0 or 2, no stack trace, nothing written outside --out", () => {
    const bin = PEERLAB_BIN;
    const cases = fc.sample(anyCase(), { seed: 7, numRuns: 6 });
    for (const c of cases) {
      const dir = mkdtempSync(join(tmpdir(), "peerlab-fuzz-cli-"));
      writeFileSync(join(dir, "case.yaml"), c.text);
      const r = spawnSync(process.execPath, [bin, "run", "case.yaml", "--out", "out", "--quiet", "--yes"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
      expect([0, 2], `${c.what}: ${r.stderr}`).toContain(r.status);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toContain("the run failed");
      const left = readdirSync(dir).sort();
      expect(left, c.what).toEqual(r.status === 0 ? ["case.yaml", "out"] : ["case.yaml"]);
    }
  }, 240_000);
});
