import { cruise, type IForbiddenRuleType, type IViolation } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

/**
 * The layers of sim/, lowest first (docs/architecture.md, "Layers"). A folder
 * may import from its own folder and from folders of a lower layer, never
 * from its own layer's other folders or from above. Type-only imports count:
 * a contract that points up is still a contract that points up.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["engine", "collections"],
  ["core"],
  ["metrics"],
  ["peers"],
  ["network"],
  ["overlays", "workload", "churn"],
  ["scenario"],
  ["run"],
  ["cli", "bench"],
];

const alternatives = (folders: readonly string[]) => `^sim/(${folders.join("|")})/`;

function layerRules(): IForbiddenRuleType[] {
  const rules: IForbiddenRuleType[] = [];
  LAYERS.forEach((layer, rank) => {
    const above = LAYERS.slice(rank + 1).flat();
    for (const folder of layer) {
      const forbidden = [...above, ...layer.filter((f) => f !== folder)];
      if (forbidden.length === 0) continue;
      rules.push({
        name: `${folder}-points-down`,
        comment: `sim/${folder} may import only from layers below it`,
        severity: "error",
        from: { path: `^sim/${folder}/` },
        to: { path: alternatives(forbidden) },
      });
    }
  });
  // One overlay never reaches into another's folder: what two overlays share lives in overlays/shared/.
  rules.push({
    name: "overlays-stay-in-their-folder",
    comment: "an overlay imports only its own folder, overlays/shared and overlays/*.ts",
    severity: "error",
    from: { path: "^sim/overlays/([^/]+)/", pathNot: "^sim/overlays/ipfs/" },
    to: { path: "^sim/overlays/[^/]+/", pathNot: ["^sim/overlays/$1/", "^sim/overlays/shared/"] },
  });
  // The one exception, deliberate: IPFS composes Kademlia (two protocols on one peer) and may import
  // Kademlia's programmatic DHT entry, kademlia/provider-dht.ts — nothing else of that folder.
  rules.push({
    name: "ipfs-composes-kademlia-only-through-its-dht-entry",
    comment: "sim/overlays/ipfs may import sim/overlays/kademlia/provider-dht.ts and no other overlay file",
    severity: "error",
    from: { path: "^sim/overlays/ipfs/" },
    to: { path: "^sim/overlays/[^/]+/", pathNot: ["^sim/overlays/ipfs/", "^sim/overlays/shared/", "^sim/overlays/kademlia/provider-dht\\.ts$"] },
  });
  return rules;
}

describe("sim/ layering", () => {
  it("every import points down", async () => {
    const result = await cruise(
      ["sim"],
      {
        validate: true,
        ruleSet: { forbidden: layerRules() },
        tsPreCompilationDeps: true,
        doNotFollow: { path: "node_modules" },
      },
      { extensionAlias: { ".js": [".ts", ".js"] } },
    );
    if (typeof result.output === "string") throw new Error("dependency-cruiser returned a report string, not a result");
    const { modules, summary } = result.output;
    // A run that resolved nothing would pass vacuously: make sure it saw the tree.
    expect(modules.filter((m) => m.source.startsWith("sim/")).length).toBeGreaterThan(100);
    const broken = summary.violations.map((v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(broken).toEqual([]);
  });
});
