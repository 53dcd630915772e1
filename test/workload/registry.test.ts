import { describe, expect, it } from "vitest";
import { checkWorkloads, WORKLOADS, workloadSchema } from "../../sim/workload/registry.js";

/** The workloads as a family: the `workload:` section is the key space, then each kind's fields in registry order. */

describe("the workload registry", () => {
  it("composes workload: from the key space and every kind's fields, in a fixed order", () => {
    expect(WORKLOADS.map((w) => w.name)).toEqual(["lookups", "broadcasts"]);
    // The order of these keys is the order of a resolved scenario's keys in manifest.json.
    expect(Object.keys(workloadSchema.shape)).toEqual(["keys", "popularity", "lookups", "timeout", "fileSize", "broadcasts"]);
    expect(workloadSchema.parse({})).toEqual({ keys: 1000, popularity: { distribution: "zipf", s: 0.8 }, lookups: { rate: 10 }, timeout: 30_000 });
  });

  it("lets each kind refuse an overlay that cannot carry it, with paths under workload", () => {
    const issues: string[] = [];
    const section = workloadSchema.parse({ lookups: { rate: "1/s" }, broadcasts: { count: 3 } });
    checkWorkloads(
      section,
      { overlayType: "bittorrent", overlaySupports: () => false, overlaysThatSupport: () => ["gossip"] },
      (path, message) => issues.push(`${path.join(".")}: ${message}`),
    );
    expect(issues).toEqual([
      "workload.lookups: the bittorrent overlay cannot look keys up (it declares no lookup messages); write lookups: { count: 0 }",
      "workload.broadcasts: the bittorrent overlay cannot broadcast; overlays that can: gossip",
    ]);
    const none: string[] = [];
    checkWorkloads(workloadSchema.parse({ lookups: { count: 0 } }), { overlayType: "bittorrent", overlaySupports: () => false, overlaysThatSupport: () => [] }, (p, m) => none.push(m));
    expect(none).toEqual([]);
  });
});
