import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPeerlab } from "../helpers/cli.js";

/** `peerlab new overlay` and plug-in overlays, as a user runs them. */
const work = mkdtempSync(join(tmpdir(), "peerlab-new-"));
const peerlab = (...args: string[]) => runPeerlab(work, ...args);

describe("peerlab new overlay", () => {
  it("writes a working overlay and a scenario that runs it, and never overwrites them", () => {
    const made = peerlab("new", "overlay", "my-gossip");
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain("peerlab run my-gossip.yaml");
    expect(readFileSync(join(work, "my-gossip.js"), "utf8")).toContain('name: "my-gossip"');

    const run = peerlab("run", "my-gossip.yaml", "--out", "out");
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(work, "out", "summary.json"), "utf8"));
    expect(summary.broadcasts.completed).toBeGreaterThan(100);
    expect(summary.broadcasts.coverage.mean).toBeGreaterThan(0.9);
    expect(JSON.parse(readFileSync(join(work, "out", "columns.json"), "utf8")).broadcast_coverage_mean.title.ko).toBe("브로드캐스트 도달률, 평균");

    const again = peerlab("new", "overlay", "my-gossip");
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exist; nothing was written");
    expect(peerlab("new", "overlay", "Bad_Name").stderr).toContain('expected a name of lowercase letters, digits and \'-\'');
  });

  it("refuses a broken plug-in with exit 2 and one paragraph naming the scenario, the field and the module", () => {
    writeFileSync(join(work, "broken.js"), "export default 42;\n");
    writeFileSync(join(work, "broken.yaml"), ["duration: 2m", "peers: { count: 10 }", "overlay: { type: broken, module: ./broken.js }", "workload: { lookups: { count: 0 } }"].join("\n"));
    const r = peerlab("run", "broken.yaml", "--out", "broken-out");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml is not a valid scenario[\s\S]*overlay\.module: the overlay module .*broken\.js cannot be used: expected a default export that is a function/);
    expect(r.stderr).not.toContain("    at ");
    expect(existsSync(join(work, "broken-out"))).toBe(false);
  });
});
