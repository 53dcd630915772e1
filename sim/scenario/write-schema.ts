import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { PACKAGE_ROOT } from "../version.js";
import { scenarioJsonSchema } from "./json-schema.js";

/**
 * `npm run schema`: writes scenarios/schema.json, the JSON Schema of a
 * scenario file, from the zod schema (see json-schema.ts). Run it after any
 * change to the scenario schema or an overlay's options; a test fails until
 * the file is current.
 */

const file = join(PACKAGE_ROOT, "scenarios", "schema.json");
writeFileSync(file, JSON.stringify(scenarioJsonSchema(), null, 2) + "\n");
process.stdout.write(`wrote ${relative(process.cwd(), file) || file}\n`);
