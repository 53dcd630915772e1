import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_KINDS, faultSchema, type Fault } from "../../sim/churn/faults/registry.js";
import { checkFaults, FaultPlan } from "../../sim/churn/faults/timeline.js";

/** The fault kinds as a family: each entry is its own schema's tag, and the timeline reads only what the entries say. */

const parse = (faults: unknown[]): Fault[] => faults.map((f) => faultSchema.parse(f));

describe("the fault-kind registry", () => {
  it("names each kind by the literal its schema's `kind` field takes", () => {
    for (const kind of FAULT_KINDS) {
      expect(kind.schema.shape.kind.value).toBe(kind.name);
      expect(kind.description).toMatch(/^[a-z0-9`"]/);
    }
    expect(new Set(FAULT_KINDS.map((k) => k.name)).size).toBe(FAULT_KINDS.length);
  });

  it("makes each fault an effect, and the plan says what the build must prepare", () => {
    const plan = new FaultPlan(
      parse([
        { kind: "partition", at: "1m", until: "2m" },
        { kind: "freeze", at: 0, until: "5m" },
        { kind: "partition", at: "3m", until: "4m", by: "id" },
        { kind: "crash", at: "1m", fraction: 0.1 },
      ]),
      600_000,
    );
    expect(plan.entries.map((e) => e.fault.kind)).toEqual(["partition", "freeze", "partition", "crash"]);
    expect(plan.counters).toEqual(["partition_dropped"]);
    expect(plan.maintenanceFrozenAtStart).toBe(true);
    expect(plan.maintenanceResumes).toBe(true);
    // A freeze whose end falls after the run never resumes: the runtime need not keep frozen tasks.
    const forGood = new FaultPlan(parse([{ kind: "freeze", at: "1m", until: "20m" }]), 600_000);
    expect(forGood.maintenanceFrozenAtStart).toBe(false);
    expect(forGood.maintenanceResumes).toBe(false);
    expect(forGood.counters).toEqual([]);
  });

  it("checks the shared timing, then each kind's own rules, fault by fault, with paths under faults[i]", () => {
    const issues: string[] = [];
    checkFaults(
      parse([
        { kind: "crash", at: "1m" },
        { kind: "crash-role", at: "20m", role: "index", index: 2 },
        { kind: "degrade", at: "2m", until: "1m", loss: 0.1 },
        { kind: "partition", at: "1m", by: "region" },
      ]),
      { durationMs: 600_000, latencyModel: "constant", overlayType: "hybrid", services: [{ role: "index", count: 2 }] },
      (path, message) => issues.push(`${path.join(".")}: ${message}`),
    );
    expect(issues).toEqual([
      "faults.0: expected exactly one of fraction or probability for a crash, got neither",
      "faults.1.at: expected a time before the end of the run (600000 ms), got 1200000 ms",
      'faults.1.index: expected 0 to 1 (there are 2 "index" servers), got 2',
      "faults.2.until: expected a time after at (120000 ms), got 60000 ms",
      'faults.3.by: expected network.latency.model "regions" for a partition by region, got "constant"',
    ]);
  });

  it("has a section in docs/faults.md for every kind", () => {
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "faults.md"), "utf8");
    for (const kind of FAULT_KINDS) expect(doc).toContain(`### ${kind.name}: `);
  });
});
