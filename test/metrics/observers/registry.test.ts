import { describe, expect, it } from "vitest";
import { OBSERVERS, metricsSchema, Observers } from "../../../sim/metrics/observers/registry.js";
import { Simulator } from "../../../sim/engine/simulator.js";
import { LookupTable } from "../../../sim/metrics/lookups.js";

describe("observers registry", () => {
  it("composes metrics: from every observer's fields, in registry order, each field owned once", () => {
    expect(OBSERVERS.map((o) => o.name)).toEqual(["intervals", "replay"]);
    const owned = OBSERVERS.flatMap((o) => Object.keys(o.schema.shape));
    expect(owned).toEqual(["interval", "warmup", "snapshots", "traceLookups", "traceAt"]);
    expect(Object.keys(metricsSchema.shape)).toEqual(owned);
  });

  it("offers a message trace to the network only when lookups are traced, and files only for what was asked", () => {
    const setup = () => ({ sim: new Simulator(16), lookups: new LookupTable(), warmupMs: 0, endMs: 60_000 });
    const plain = new Observers(metricsSchema.parse({}), setup());
    expect(plain.traceMessage).toBeUndefined();
    expect(plain.files()).toEqual({});
    const traced = new Observers(metricsSchema.parse({ traceLookups: 2 }), setup());
    expect(traced.traceMessage).toBeTypeOf("function");
    expect(Object.keys(traced.files())).toEqual(["traces.json"]);
  });
});
