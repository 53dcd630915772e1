import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { CHURN_MODELS, SESSION_DISTRIBUTIONS } from "../churn/churn.js";
import { LATENCY_MODELS } from "../network/latency.js";
import { OVERLAYS } from "../overlays/registry.js";
import { FAULT_KINDS } from "../churn/faults-schema.js";
import { ADVERSARY_BEHAVIOURS } from "../peers/adversaries-schema.js";
import { readScenarioFile } from "../scenario/load.js";
import { PACKAGE_ROOT } from "../version.js";

/** Shipped scenario files, relative to the current folder, with their descriptions. */
export function shippedScenarios(): { file: string; description: string }[] {
  const found: { file: string; description: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ya?ml|json)$/.test(entry.name) && entry.name !== "schema.json") {
        let description = "";
        try {
          const raw = readScenarioFile(path) as { description?: unknown };
          description = typeof raw.description === "string" ? raw.description.trim().split(/\s+/).join(" ") : "";
        } catch {
          description = "(cannot be read)";
        }
        found.push({ file: relative(process.cwd(), path) || path, description });
      }
    }
  };
  walk(join(PACKAGE_ROOT, "scenarios"));
  return found;
}

const FAULT_DESCRIPTIONS = [
  { name: "crash", description: "a fraction of the online peers crash at once: random, or by degree, load or storage" },
  { name: "crash-role", description: "the service peers of a role (the hybrid index) crash, and restart at `until`" },
  { name: "partition", description: "the network splits into groups (random, region, id range) until it heals" },
  { name: "degrade", description: "loss and/or latency raised for a window" },
  { name: "freeze", description: "every peer's periodic maintenance stops until `until`" },
  { name: "flash-crowd", description: "n new peers join over a window" },
] satisfies { name: (typeof FAULT_KINDS)[number]; description: string }[];

const ADVERSARY_DESCRIPTIONS = [
  { name: "drop", description: "swallow lookup queries and requests (black holes)" },
  { name: "misroute", description: "answer with wrong contacts, steering lookups toward other malicious peers" },
  { name: "tamper", description: "hand out corrupted values (caught when adversaries.verify is true)" },
] satisfies { name: (typeof ADVERSARY_BEHAVIOURS)[number]; description: string }[];

export function listCommand(): string {
  const out: string[] = [];
  const section = (title: string, rows: { name: string; description: string }[]) => {
    out.push(title);
    const width = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) out.push(`  ${r.name.padEnd(width)}  ${r.description}`);
    out.push("");
  };
  section("Overlays (overlay.type):", OVERLAYS.map((o) => ({ name: o.name, description: o.description })));
  section("Latency models (network.latency.model):", LATENCY_MODELS);
  section("Churn models (churn.model):", CHURN_MODELS);
  section("Session and offline distributions (churn.session.distribution):", SESSION_DISTRIBUTIONS.map((d) => ({ name: d, description: "" })));
  section("Fault kinds (faults[].kind; docs/faults.md):", FAULT_DESCRIPTIONS);
  section("Adversary behaviours (adversaries.behaviours):", ADVERSARY_DESCRIPTIONS);
  section("Shipped scenarios:", shippedScenarios().map((s) => ({ name: s.file, description: s.description.slice(0, 100) })));
  return out.join("\n");
}
