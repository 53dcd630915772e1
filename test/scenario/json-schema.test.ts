import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioJsonSchema } from "../../sim/scenario/json-schema.js";
import { loadScenario } from "../../sim/scenario/load.js";
import { PACKAGE_ROOT } from "../../sim/version.js";

const scenariosDir = join(PACKAGE_ROOT, "scenarios");
const schemaFile = join(scenariosDir, "schema.json");

/** Every shipped scenario file under scenarios/ (recursive), schema.json aside. */
function shippedScenarioFiles(dir = scenariosDir): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...shippedScenarioFiles(path));
    else if (/\.(ya?ml|json)$/.test(entry.name) && path !== schemaFile) files.push(path);
  }
  return files.sort();
}

describe("scenarios/schema.json", () => {
  it("is current: equal to the JSON Schema generated from the zod schema", () => {
    const onDisk = readFileSync(schemaFile, "utf8");
    const fresh = JSON.stringify(scenarioJsonSchema(), null, 2) + "\n";
    expect(
      onDisk === fresh,
      "scenarios/schema.json is out of date with sim/scenario/schema.ts (or an overlay's options): run `npm run schema` and commit the result",
    ).toBe(true);
  });

  it("is a draft 2020-12 schema that describes and defaults the fields editors complete", () => {
    const schema = scenarioJsonSchema() as {
      $schema: string;
      $id: string;
      title: string;
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { description?: string; default?: unknown; properties?: Record<string, { default?: unknown }> }>;
    };
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBeTruthy();
    expect(schema.title).toBeTruthy();
    expect(schema.required.sort()).toEqual(["duration", "overlay", "peers"]);
    expect(schema.additionalProperties).toBe(false);
    for (const [field, node] of Object.entries(schema.properties)) {
      expect(node.description, `top-level field ${field} has no description`).toBeTruthy();
    }
    // Defaults are given as a user would write them (input side), not resolved to ms.
    expect(schema.properties.peers!.properties!.joinOver!.default).toBe("30s");
    expect(schema.properties.seed!.default).toBe(1);
  });
});

describe("shipped scenarios", () => {
  const files = shippedScenarioFiles();

  it("exist", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((file) => [relative(PACKAGE_ROOT, file), file]))("%s validates", (_name, file) => {
    expect(() => loadScenario(file)).not.toThrow();
  });

  // No JSON Schema validator is among peerlab's dependencies, so the shipped
  // scenarios are not also checked against schema.json here; zod (above) is the
  // validator peerlab itself uses.
});
