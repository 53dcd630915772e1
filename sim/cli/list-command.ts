import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { CHURN_MODELS, SESSION_DISTRIBUTIONS } from "../churn/churn.js";
import { LATENCY_MODELS } from "../network/latency-models.js";
import { CARRIERS } from "../network/carriers/carrier.js";
import { LINK_PRESETS } from "../network/presets.js";
import { OVERLAYS } from "../overlays/registry.js";
import { FAULT_KINDS } from "../churn/faults/registry.js";
import { ADVERSARY_BEHAVIOURS } from "../peers/adversaries-schema.js";
import { WORKLOADS } from "../workload/registry.js";
import { OBSERVERS } from "../metrics/observers/registry.js";
import { readScenarioFile } from "../scenario/load.js";
import { PACKAGE_ROOT } from "../version.js";
import { nameAndText, terminalWidth } from "./text.js";

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

const DISTRIBUTION_DESCRIPTIONS = [
  { name: "fixed", description: "every draw is exactly `value`" },
  { name: "exponential", description: "memoryless draws around `mean`: departures at a constant rate" },
  { name: "uniform", description: "draws spread evenly between `min` and `max`" },
  { name: "pareto", description: "heavy-tailed: many short draws and a few very long ones (`shape` α, with `scale` or `mean`)" },
  { name: "weibull", description: "`shape` k < 1 fits measured P2P session lengths; k = 1 is exponential (with `scale` or `mean`)" },
  { name: "lognormal", description: "right-skewed draws around `median`, spread by `sigma`" },
] satisfies { name: (typeof SESSION_DISTRIBUTIONS)[number]; description: string }[];

const ADVERSARY_DESCRIPTIONS = [
  { name: "drop", description: "swallow lookup queries and requests (black holes)" },
  { name: "misroute", description: "answer with wrong contacts, steering lookups toward other malicious peers" },
  { name: "tamper", description: "hand out corrupted values (caught when adversaries.verify is true)" },
] satisfies { name: (typeof ADVERSARY_BEHAVIOURS)[number]; description: string }[];

export function listCommand(): string {
  const out: string[] = [];
  const columns = terminalWidth();
  const section = (title: string, rows: { name: string; description: string }[]) => {
    out.push(title);
    const width = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) out.push(nameAndText(r.name, width, r.description, columns));
    out.push("");
  };
  section("Overlays (overlay.type):", OVERLAYS.map((o) => ({ name: o.name, description: o.description })));
  section("Latency models (network.latency.model):", [...LATENCY_MODELS]);
  section("Carriers (network.bandwidth.model):", [...CARRIERS]);
  section(
    "Link presets (network.bandwidth.links.preset):",
    Object.entries(LINK_PRESETS).map(([name, p]) => ({ name, description: `${p.upload} up, ${p.download} down (${p.source})` })),
  );
  section("Churn models (churn.model):", [...CHURN_MODELS]);
  section("Session and offline distributions (churn.session.distribution):", DISTRIBUTION_DESCRIPTIONS);
  section("Fault kinds (faults[].kind; docs/faults.md):", [...FAULT_KINDS]);
  section("Workloads (workload.<name>):", [...WORKLOADS]);
  section("Observers (metrics.*):", [...OBSERVERS]);
  section("Adversary behaviours (adversaries.behaviours):", ADVERSARY_DESCRIPTIONS);
  section("Shipped scenarios:", shippedScenarios().map((s) => ({ name: s.file, description: firstSentence(s.description) })));
  return out.join("\n");
}

/** The first sentence of a scenario's description: what `list` shows (wrapped, never cut). */
function firstSentence(text: string): string {
  const end = /(?<!\b(?:Fig|Figs|Eq|e\.g|i\.e|al|vs|cf))[.!?](?=\s+[A-Z]|$)/.exec(text);
  return end ? text.slice(0, end.index + 1) : text;
}
